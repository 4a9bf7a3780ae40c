"""The benchmark reads the collector's passes from real /metrics endpoints and never fails a run over them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks import gc_scrape

GATEWAY = """# TYPE voxray_gc_pause_seconds histogram
voxray_gc_pause_seconds_bucket{generation="0",le="+Inf"} 30.0
voxray_gc_pause_seconds_count{generation="0"} 30.0
voxray_gc_pause_seconds_sum{generation="0"} 0.015
voxray_gc_pause_seconds_bucket{generation="2",le="+Inf"} 1.0
voxray_gc_pause_seconds_count{generation="2"} 1.0
voxray_gc_pause_seconds_sum{generation="2"} 0.111
"""
ACTORS = """# TYPE ray_voxray_gc_passes_total counter
ray_voxray_gc_passes_total{generation="0",WorkerId="a"} 20.0
ray_voxray_gc_passes_total{generation="0",WorkerId="b"} 4.0
# TYPE ray_voxray_gc_pause_ms_total counter
ray_voxray_gc_pause_ms_total{generation="0",WorkerId="a"} 10.0
ray_voxray_gc_pause_ms_total{generation="0",WorkerId="b"} 2.5
"""


@pytest.fixture()
def server() -> Iterator[str]:
    pages = {"/gw/metrics": GATEWAY, "/node/metrics": ACTORS, "/bad/metrics": "not prometheus {"}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 500)
            self.end_headers()
            self.wfile.write((body or "boom").encode())

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()


def test_reads_both_kinds_summed_over_processes(server: str) -> None:
    passes = gc_scrape.read({"gateway_url": server + "/gw", "ray_metrics_urls": [server + "/node/metrics"]})
    assert passes["gateway"] == {"0": {"passes": 30.0, "ms": pytest.approx(15.0)},
                                 "2": {"passes": 1.0, "ms": pytest.approx(111.0)}}
    assert passes["session_actors"] == {"0": {"passes": 24.0, "ms": 12.5}}


def test_a_failed_or_garbled_scrape_leaves_its_kind_out(server: str) -> None:
    assert "gateway" not in gc_scrape.read({"gateway_url": server + "/missing"})
    assert "gateway" not in gc_scrape.read({"gateway_url": server + "/bad"})
    closed = gc_scrape.read({"gateway_url": "http://127.0.0.1:9", "ray_metrics_urls": [server + "/node/metrics"]})
    assert set(closed) == {"session_actors"}


def test_during_is_the_difference_of_two_reads() -> None:
    before = {"gateway": {"0": {"passes": 10.0, "ms": 5.0}}, "session_actors": {"0": {"passes": 1.0, "ms": 1.0}}}
    after = {"gateway": {"0": {"passes": 30.0, "ms": 15.0}, "2": {"passes": 1.0, "ms": 111.0}}}
    assert gc_scrape.during(before, after) == {"gateway": {"0": {"passes": 20.0, "ms": 10.0},
                                                           "2": {"passes": 1.0, "ms": 111.0}}}

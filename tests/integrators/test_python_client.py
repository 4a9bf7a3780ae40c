"""The Python wrapper over the generated packages: retries, request ids, idempotency, typed
problems and pagination, against a scripted server (httpx.MockTransport)."""

from __future__ import annotations

import json
from typing import Callable

import httpx
import pytest

from voxray_client import AdminClient, ApiProblem, RetryPolicy, VoxrayClient

BASE = "http://voxray.test"
PLACED = {"id": "CA" + "1" * 32, "status": "queued", "direction": "outbound", "from_number": "+15550000001",
          "to_number": "+15550000002", "created_at": "2026-01-01T00:00:00Z"}


def _problem(status: int, code: str, request_id: str = "req_server", **extra: object) -> httpx.Response:
    body = {"type": "about:blank", "title": code.replace("_", " "), "status": status, "code": code,
            "request_id": request_id, **extra}
    return httpx.Response(status, json=body, headers={"content-type": "application/problem+json"})


class Server:
    def __init__(self, *answers: Callable[[httpx.Request], httpx.Response]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answers.pop(0)(request)

    def client(self, **policy: float) -> VoxrayClient:
        return VoxrayClient(BASE, "vxk_test", transport=httpx.MockTransport(self.handle),
                            retry=RetryPolicy(**policy), sleep=self.sleeps.append)  # type: ignore[arg-type]


def test_a_429_waits_retry_after_and_keeps_the_request_id_and_idempotency_key() -> None:
    server = Server(lambda r: httpx.Response(429, json={"type": "about:blank", "code": "rate_limited",
                                                        "title": "slow down", "status": 429},
                                             headers={"retry-after": "2"}),
                    lambda r: httpx.Response(503, text="upstream"),
                    lambda r: httpx.Response(201, json=PLACED))
    placed = server.client().make_call("+15550000002")
    assert placed.id == PLACED["id"] and placed.status.value == "queued"
    assert server.sleeps == [2.0, 0.5]  # Retry-After, then the backoff of the second attempt
    keys = {r.headers["idempotency-key"] for r in server.requests}
    ids = {r.headers["x-request-id"] for r in server.requests}
    assert len(keys) == 1 and next(iter(keys)).startswith("mc_")  # one key: one call at most
    assert len(ids) == 1 and next(iter(ids)).startswith("req_")
    assert json.loads(server.requests[0].content) == {"to": "+15550000002"}


def test_each_logical_request_gets_its_own_request_id_and_make_call_its_own_key() -> None:
    server = Server(*[lambda r: httpx.Response(201, json=PLACED)] * 2)
    client = server.client()
    client.make_call("+15550000002")
    client.make_call("+15550000002", idempotency_key="order-77")
    first, second = server.requests
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    assert second.headers["idempotency-key"] == "order-77" and first.headers["idempotency-key"] != "order-77"


def test_a_5xx_is_retried_for_gets_but_never_for_a_post_without_a_key() -> None:
    server = Server(lambda r: httpx.Response(502), lambda r: httpx.Response(200, json={"data": [], "has_more": False}))
    assert list(server.client().call_logs()) == [] and len(server.requests) == 2
    admin_server = Server(lambda r: _problem(503, "unavailable"))
    admin = AdminClient(BASE, "vxa_test", transport=httpx.MockTransport(admin_server.handle),
                        sleep=admin_server.sleeps.append)
    with pytest.raises(ApiProblem) as caught:
        admin.sweep(dry_run=True)
    assert caught.value.status == 503 and len(admin_server.requests) == 1 and admin_server.sleeps == []


def test_retries_stop_at_the_attempt_limit_and_at_a_too_long_retry_after() -> None:
    server = Server(*[lambda r: _problem(503, "unavailable")] * 3)
    with pytest.raises(ApiProblem) as caught:
        server.client(max_attempts=3).voice_session("CA1")
    assert caught.value.code == "unavailable" and len(server.requests) == 3
    late = Server(lambda r: httpx.Response(429, headers={"retry-after": "3600"}, json={
        "type": "about:blank", "code": "rate_limited", "title": "t", "status": 429}))
    with pytest.raises(ApiProblem) as caught:
        late.client().readiness()
    assert caught.value.retry_after_s == 3600 and late.sleeps == []


def test_problems_are_typed_with_code_request_id_and_field_errors() -> None:
    server = Server(lambda r: _problem(422, "validation_failed", request_id=r.headers["x-request-id"],
                                       detail="1 field", errors=[{"field": "body.to", "message": "bad number"}]))
    with pytest.raises(ApiProblem) as caught:
        server.client().make_call("+15550000002")
    problem = caught.value
    assert (problem.status, problem.code, problem.detail) == (422, "validation_failed", "1 field")
    assert problem.request_id == server.requests[0].headers["x-request-id"]
    assert [(e.field, e.message) for e in problem.errors] == [("body.to", "bad number")]
    assert "validation_failed" in str(problem) and problem.request_id in str(problem)
    bare = Server(lambda r: httpx.Response(404, text="no", headers={"x-request-id": "req_abc12345"}))
    with pytest.raises(ApiProblem) as caught:
        bare.client().call_log("CA1")
    assert (caught.value.code, caught.value.request_id) == ("http_404", "req_abc12345")


def _log(n: int) -> dict[str, object]:
    return {"id": f"CA{n:032d}", "direction": "inbound", "from_number": "+1", "to_number": "+2",
            "status": "completed", "created_at": "2026-01-01T00:00:00Z", "started_at": None, "ended_at": None,
            "duration_s": None, "turns": 0, "end_reason": None, "summary": None,
            "agent": {"name": "a", "version": 1, "config_version": 1}, "escalation": {"escalated": False}}


def test_pagination_follows_next_cursor_until_the_last_page() -> None:
    pages = [{"data": [_log(1), _log(2)], "has_more": True, "next_cursor": "c1", "next_offset": 2},
             {"data": [_log(3)], "has_more": True, "next_cursor": "c2"},
             {"data": [_log(4)], "has_more": False, "next_cursor": None}]
    server = Server(*[(lambda page: lambda r: httpx.Response(200, json=page))(p) for p in pages])
    got = [[c.id for c in page] for page in server.client().call_log_pages(limit=2, status="completed")]
    assert got == [[f"CA{n:032d}" for n in (1, 2)], [f"CA{3:032d}"], [f"CA{4:032d}"]]
    cursors = [r.url.params.get("cursor") for r in server.requests]
    assert cursors == [None, "c1", "c2"]
    assert all(r.url.params["limit"] == "2" and r.url.params["status"] == "completed" for r in server.requests)


def test_the_typescript_client_passes_its_own_tests(kit: object) -> None:
    """The fetch wrapper's node:test suite (kit: the client compiled by the session fixture)."""
    import subprocess

    from tests.integrators.runner import TS_DIR
    done = subprocess.run(["node", "--test", "test/"], cwd=TS_DIR, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "# fail 0" in done.stdout, done.stdout + done.stderr

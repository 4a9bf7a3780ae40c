"""Standard Webhooks verification (https://www.standardwebhooks.com/) with the `standardwebhooks`
package, and a tiny HTTP server shell shared by the webhook receiver and the tool endpoint."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from standardwebhooks import Webhook, WebhookVerificationError

# (headers, body) -> (status, JSON answer or None)
Handler = Callable[[dict[str, str], bytes], tuple[int, Any]]


def verified(secret: str, headers: dict[str, str], body: bytes) -> dict[str, Any] | None:
    """The payload if the signature (any of the header's v1 signatures) and timestamp check out."""
    try:
        payload: dict[str, Any] = Webhook(secret).verify(body, headers)
    except WebhookVerificationError as exc:
        print(f"rejected: {exc}", flush=True)
        return None
    return payload


def serve(port: int, handle: Handler) -> None:
    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            body = self.rfile.read(min(int(self.headers.get("content-length", 0)), 1 << 20))
            status, answer = handle({k.lower(): v for k, v in self.headers.items()}, body)
            data = b"" if answer is None else json.dumps(answer).encode()
            self.send_response(status)
            if data:
                self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Endpoint)
    print(f"listening on 127.0.0.1:{port}", flush=True)
    server.serve_forever()

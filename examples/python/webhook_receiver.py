"""Receive voxray webhook events: verify the Standard Webhooks signature, drop duplicates by
webhook-id (deliveries are at least once), answer 2xx quickly.

    WEBHOOK_SECRET=whsec_… PORT=8080 python webhook_receiver.py
"""

from __future__ import annotations

import threading
from typing import Any

from _env import env
from signatures import serve, verified

seen: set[str] = set()
lock = threading.Lock()


def handle(headers: dict[str, str], body: bytes) -> tuple[int, Any]:
    event = verified(env("WEBHOOK_SECRET"), headers, body)
    if event is None:
        return 401, {"error": "bad signature"}
    webhook_id = headers["webhook-id"]
    with lock:
        duplicate = webhook_id in seen
        seen.add(webhook_id)
    if duplicate:
        print(f"duplicate {webhook_id}", flush=True)
    else:
        print(f"verified {event['type']} {webhook_id}", flush=True)
    return 204, None


if __name__ == "__main__":
    serve(int(env("PORT")), handle)

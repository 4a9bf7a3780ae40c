"""A tool endpoint for the agent's lookup_order tool: verify the signed request (Standard Webhooks,
with the tenant's tool signing secret), then answer JSON the agent speaks from.

    TOOL_SECRET=whsec_… PORT=8081 python tool_endpoint.py
"""

from __future__ import annotations

from typing import Any

from _env import env
from signatures import serve, verified


def handle(headers: dict[str, str], body: bytes) -> tuple[int, Any]:
    request = verified(env("TOOL_SECRET"), headers, body)
    if request is None:
        return 401, {"error": "bad signature"}
    order_id = request.get("arguments", {}).get("order_id")
    if not order_id:
        return 422, {"error": "order_id is required"}
    print(f"tool {request['tool']} order_id={order_id} for call {request['call_sid']}", flush=True)
    return 200, {"order_id": order_id, "status": "shipped"}


if __name__ == "__main__":
    serve(int(env("PORT")), handle)

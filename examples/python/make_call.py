"""Place an outbound call with an Idempotency-Key, then repeat it with the same key: the answer
is replayed and no second call is placed.

    VOXRAY_API_KEY=vxk_… python make_call.py +15551230000 [idempotency-key]
"""

from __future__ import annotations

import sys
import uuid

from _env import base_url, env
from voxray_client import ApiProblem, VoxrayClient


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: make_call.py TO [IDEMPOTENCY_KEY]")
    to = sys.argv[1]
    key = sys.argv[2] if len(sys.argv) > 2 else f"mc_{uuid.uuid4().hex}"
    with VoxrayClient(base_url(), env("VOXRAY_API_KEY")) as client:
        try:
            first = client.make_call(to, idempotency_key=key)
            print(f"placed call {first.id} status={first.status.value} from={first.from_number} "
                  f"to={first.to_number} idempotency-key={key}")
            again = client.make_call(to, idempotency_key=key)  # e.g. after a timeout: safe to repeat
            replayed = client.last_headers.get("idempotent-replayed", "false")
            print(f"retried with the same key: call {again.id} Idempotent-Replayed={replayed}")
        except ApiProblem as problem:  # typed: code, detail, request_id
            sys.exit(f"error: {problem}")


if __name__ == "__main__":
    main()

"""Read one voice session: its transcript and the tool calls the agent made.

    VOXRAY_API_KEY=vxk_… python voice_session.py CA…
"""

from __future__ import annotations

import json
import sys
from typing import Any

from _env import base_url, env
from voxray_client import VoxrayClient
from voxray_public_api.types import Unset


def compact(value: Any) -> str:
    if isinstance(value, Unset):
        value = None
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    return json.dumps(value, separators=(",", ":"))


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: voice_session.py SESSION_ID")
    with VoxrayClient(base_url(), env("VOXRAY_API_KEY")) as client:
        session = client.voice_session(sys.argv[1])
    print(f"session {session.call.id} status={session.call.status.value}")
    print("transcript:")
    for line in session.transcript:
        text = line.text if isinstance(line.text, str) else "(not transcribed)"
        print(f"  [{line.speaker.value}] {text}")
    print("tool calls:")
    for fc in session.function_calls:
        print(f"  {fc.name} {compact(fc.arguments)} -> {fc.status.value} {compact(fc.result)}")


if __name__ == "__main__":
    main()

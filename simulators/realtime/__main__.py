"""Run the local realtime server: ``python -m simulators.realtime --port 8765 [--script demo]``.

Prints ``listening ws://HOST:PORT/v1`` once ready (the ``websocket_base_url`` for the openai SDK)
and exits cleanly on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from pydantic import ValidationError

from .faults import FaultError, Faults
from .script import DEFAULT_SCRIPT_DIR, ScriptError
from .server import RealtimeServerConfig, serve


def _parse(argv: list[str] | None) -> RealtimeServerConfig:
    parser = argparse.ArgumentParser(prog="python -m simulators.realtime", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--api-key", default=None, help="require this bearer key (default: any non-empty key)")
    parser.add_argument("--script", default=None, help="default script name (file stem in --script-dir)")
    parser.add_argument("--script-dir", type=Path, default=DEFAULT_SCRIPT_DIR)
    parser.add_argument("--think-ms", type=int, default=300)
    parser.add_argument("--pace", type=float, default=4.0, help="audio streaming speed, x real time")
    parser.add_argument("--voice", default="marin")
    parser.add_argument("--record-timing", action="store_true",
                        help="keep per-session append/delta times for benchmarks (GET /local/sessions/ID/timing)")
    faults = parser.add_argument_group("fault knobs (also at runtime: GET /local/faults?model=M&knob=value)")
    faults.add_argument("--drop-after-s", type=float, default=None, help="drop sessions this long after they open")
    faults.add_argument("--drop-sessions", type=int, default=-1,
                        help="how many sessions --drop-after-s drops (-1: every one)")
    faults.add_argument("--drop-code", type=int, default=1006, help="1006: cut with no close frame; else close code")
    faults.add_argument("--refuse-next", type=int, default=0, help="answer the next K connects with 503")
    faults.add_argument("--connect-delay-ms", type=int, default=0, help="hold each websocket handshake this long")
    faults.add_argument("--delay-ms", type=int, default=0, help="add this to every response's think time")
    faults.add_argument("--session-ttl-s", type=float, default=None,
                        help="maximum session duration (default 3600); at it: session_expired, close 1001")
    args = parser.parse_args(argv)
    try:
        knobs = Faults(drop_after_s=args.drop_after_s, drop_sessions=args.drop_sessions if args.drop_after_s else 0,
                       drop_code=args.drop_code, refuse_next=args.refuse_next, connect_delay_ms=args.connect_delay_ms,
                       delay_ms=args.delay_ms, session_ttl_s=args.session_ttl_s).check()
        return RealtimeServerConfig(host=args.host, port=args.port, api_key=args.api_key, script_dir=args.script_dir,
                                    default_script=args.script, think_ms=args.think_ms, pace=args.pace,
                                    voice=args.voice, record_timing=args.record_timing, faults=knobs)
    except FaultError as exc:
        parser.error(str(exc))
        raise  # unreachable: parser.error exits
    except ValidationError as exc:
        parser.error(str(exc))
        raise  # unreachable: parser.error exits


async def _main(config: RealtimeServerConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = await serve(config)
    print(f"listening {server.url}", flush=True)
    try:
        await stop.wait()
    finally:
        await server.close()


def main(argv: list[str] | None = None) -> int:
    config = _parse(argv)
    try:
        asyncio.run(_main(config))
    except ScriptError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

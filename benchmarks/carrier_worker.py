"""A load-generator process: places its share of the calls with the carrier simulator.

    python -m benchmarks.carrier_worker SPEC.json

Talks to the driver on stdio: prints ``ready`` once the script is synthesized and the HTTP
client warm, waits for ``go <monotonic time>``, starts call i at go + ``offsets_ms[i]``,
pickles the ``CallResult`` list to ``out`` and prints ``done``; then waits for the next ``go``
(a warm-up wave comes before the measured one) until stdin closes.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import sys
import time
from pathlib import Path
from typing import Any


def run(spec_path: str) -> int:
    import httpx

    from simulators.carrier.call import CallConfig, SimulatedCall, synthesize_script
    from simulators.carrier.urls import Route, UrlMap
    from simulators.carrier.runner import caller_number
    from simulators.speech import synthesize_ulaw

    spec = json.loads(Path(spec_path).read_text())
    script = pickle.loads(bytes.fromhex(spec["script"]))

    async def warm(http: Any) -> None:
        """One throwaway request and signature, so the first call does not pay for lazy imports."""
        from twilio.request_validator import RequestValidator

        RequestValidator(spec["auth_token"]).compute_signature(spec["public_base_url"], {"a": "b"})
        try:
            await http.get(spec["gateway_url"] + "/warm-up-404", timeout=10)
        except httpx.HTTPError:
            pass

    async def prepare() -> None:
        await synthesize_script(script, synthesize_ulaw)
        async with httpx.AsyncClient(trust_env=False) as http:
            await warm(http)

    async def calls(t_go: float) -> list[Any]:
        n = len(spec["indices"])
        limits = httpx.Limits(max_connections=max(n, 1), max_keepalive_connections=max(n, 1))
        async with httpx.AsyncClient(trust_env=False, limits=limits) as http:

            async def one(index: int, offset_ms: float) -> Any:
                await asyncio.sleep(max(0.0, t_go + offset_ms / 1000 - time.monotonic()))
                config = CallConfig(gateway_url=spec["gateway_url"], public_base_url=spec["public_base_url"],
                                    auth_token=spec["auth_token"], to_number=spec["to_number"],
                                    from_number=caller_number(index), script=tuple(script),
                                    account_sid=spec["account_sid"], max_duration_s=spec["max_duration_s"],
                                    timing=True)
                # With media gateways of their own, the Stream URL names another (loopback) host.
                urls = UrlMap((Route(spec["public_base_url"], spec["gateway_url"]),),
                              passthrough=bool(spec.get("media_gateway")))
                result = await SimulatedCall(config, http=http, urls=urls).run()
                result.caller_audio = result.agent_audio = b""
                return result

            return list(await asyncio.gather(*(one(i, o) for i, o in zip(spec["indices"], spec["offsets_ms"]))))

    assert type(asyncio.new_event_loop()).__module__.startswith("asyncio")  # loop.time() is time.monotonic()
    asyncio.run(prepare())
    print("ready", flush=True)
    for line in sys.stdin:
        if not line.startswith("go "):
            continue
        results = asyncio.run(calls(float(line.split()[1])))
        Path(spec["out"]).write_bytes(pickle.dumps(results))
        print("done", flush=True)
    return 0

if __name__ == "__main__":
    sys.exit(run(sys.argv[1]))

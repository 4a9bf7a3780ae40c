"""Run many simulated calls at once (the load generator) and tabulate what they measured."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from typing import Any, Callable

import httpx

from simulators.carrier.call import CallConfig, SimulatedCall, synthesize_script, new_sid
from simulators.carrier.result import CallResult
from simulators.carrier.script import Step
from simulators.speech import synthesize_ulaw


def caller_number(index: int) -> str:
    """A distinct E.164 caller number per call of a run (555 numbers are fictional)."""
    return f"+1555{1_000_000 + index:07d}"


async def run_calls(
    n: int,
    *,
    gateway_url: str,
    public_base_url: str,
    auth_token: str,
    to_number: str,
    script: Sequence[Step],
    stagger_ms: int = 50,
    save_dir: str | None = None,
    account_sid: str | None = None,
    max_duration_s: float = 600.0,
    timing: bool = False,
    on_done: Callable[[CallResult], None] | None = None,
) -> list[CallResult]:
    """Place ``n`` concurrent inbound calls, starting one every ``stagger_ms``.

    With ``save_dir``, writes ``call-NNN/caller.wav`` and ``call-NNN/agent.wav`` per call.
    With ``timing``, each result carries per-frame send/arrival times (``CallResult.timing``).
    Results are in call order.
    """
    await synthesize_script(script, synthesize_ulaw)  # warm the speech cache once for all calls
    account = account_sid or new_sid("AC")
    limits = httpx.Limits(max_connections=max(n, 1), max_keepalive_connections=max(n, 1))
    async with httpx.AsyncClient(trust_env=False, limits=limits) as http:

        async def one(index: int) -> CallResult:
            await asyncio.sleep(index * stagger_ms / 1000)
            config = CallConfig(
                gateway_url=gateway_url, public_base_url=public_base_url, auth_token=auth_token,
                to_number=to_number, from_number=caller_number(index), script=tuple(script),
                account_sid=account, max_duration_s=max_duration_s, timing=timing,
            )
            result = await SimulatedCall(config, http=http).run()
            if on_done is not None:  # progress for a person watching
                on_done(result)
            return result

        results = list(await asyncio.gather(*(one(i) for i in range(n))))
    if save_dir is not None:
        for index, result in enumerate(results, start=1):
            await asyncio.to_thread(result.save_wavs, os.path.join(save_dir, f"call-{index:03d}"))
    return results


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def summarize(results: Sequence[CallResult]) -> list[dict[str, Any]]:
    """One row per call, ready for a table: numbers rounded, lists joined, reasons shortened."""
    rows = []
    for index, r in enumerate(results, start=1):
        problem = r.setup_error or (r.errors[0] if r.errors else "")
        rows.append(
            {
                "call": index,
                "call_sid": r.call_sid,
                "status": r.status,
                "setup_ms": None if r.setup_ms is None else round(r.setup_ms),
                "turn_latency_ms": ", ".join(_ms(v) for v in r.turn_latencies_ms) or "-",
                "barge_in_ms": ", ".join(_ms(v) for v in r.barge_in_reaction_ms) or "-",
                "gaps": r.underruns,
                "gap_ms": round(r.underrun_ms),
                "agent_audio_s": round(r.agent_audio_ms_played / 1000, 1),
                "detail": problem,
            }
        )
    return rows

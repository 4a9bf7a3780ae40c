"""Per-frame alignment of one call (pure): the carrier's and the model server's timestamps.

Inbound: the k-th caller frame sent -> the k-th append the model received (pcmu passes through
byte for byte and in order in both systems). Outbound: each model delta -> the caller's media
message holding its first byte, by byte position in the caller's received stream; checked
against the marks both systems send. Method: benchmarks/README.md.
"""

from __future__ import annotations

import bisect
from typing import Any

import numpy as np

WARMUP_FRAMES = 50  # first 1 s of each stream (model connect / early-audio buffering) left out


def pct(values: Any, q: float) -> float | None:
    arr = np.asarray(values, dtype=float)
    return None if arr.size == 0 else round(float(np.percentile(arr, q)), 2)


def align_call(result: Any, timing: dict[str, Any]) -> dict[str, Any]:
    """Per-frame latencies of one call from the carrier's and the model server's timestamps."""
    ct = result.timing
    sent = np.frombuffer(ct.frame_sent, dtype=float) if len(ct.frame_sent) else np.empty(0)
    appends = np.asarray(timing["appends"], dtype=float)
    m = min(len(sent), len(appends))
    inbound = (appends[WARMUP_FRAMES:m] - sent[WARMUP_FRAMES:m]) * 1000 if m > WARMUP_FRAMES else np.empty(0)
    out: dict[str, Any] = {"frames_sent": len(sent), "appends_received": len(appends),
                           "inbound_ms": inbound, "inbound_negative": int((inbound < 0).sum())}

    # Outbound: responses in order; each delta lands at (response start + its offset) in the
    # caller's byte stream; the next response starts at the first message boundary at or after
    # the end of this one (voxray pads only a response's last frame, the bare relay never pads).
    arrivals = np.frombuffer(ct.media_at, dtype=float) if len(ct.media_at) else np.empty(0)
    sizes = np.frombuffer(ct.media_bytes, dtype=np.int64) if len(ct.media_bytes) else np.empty(0, dtype=np.int64)
    ends = np.cumsum(sizes)  # ends[j]: stream position just after message j
    responses: dict[str, list[list[Any]]] = {}
    for d in timing["deltas"]:
        responses.setdefault(d[1], []).append(d)
    outbound: list[float] = []
    first_delta: list[tuple[float, str]] = []
    unmatched = mark_errors = 0
    start = 0
    ranges: list[tuple[int, int, str]] = []
    total = int(ends[-1]) if len(ends) else 0
    for rid, deltas in responses.items():
        first_delta.append((float(deltas[0][0]), rid))
        size = sum(int(d[4]) for d in deltas)
        for d in deltas:
            pos = start + int(d[3])
            j = int(np.searchsorted(ends, pos, side="right"))
            if j >= len(arrivals):
                unmatched += 1
                continue
            outbound.append((arrivals[j] - float(d[0])) * 1000)
        j = int(np.searchsorted(ends, start + size, side="left"))
        end = int(ends[j]) if j < len(ends) else start + size
        ranges.append((start, end, str(deltas[0][2])))
        start = end
    # Cross-check with the marks both systems send (names start with the model's item id): a
    # mark of item X must arrive after X's first byte and no later than X's last byte + padding.
    for _, position, name in ct.marks:
        item = name.split(":")[0]
        k = bisect.bisect_right([r[0] for r in ranges], position - 1) - 1
        if k < 0 or ranges[k][2] != item or not (ranges[k][0] < position <= ranges[k][1]):
            mark_errors += 1
    outbound_arr = np.asarray(outbound, dtype=float)
    out.update(outbound_ms=outbound_arr, outbound_negative=int((outbound_arr < 0).sum()),
               outbound_unmatched=unmatched, mark_errors=mark_errors, marks=len(ct.marks),
               agent_bytes=total, aligned_bytes=start, responses=len(responses))

    # Turns: think = model's first delta of the reply - model receipt of the caller's last speech frame.
    turns = []
    firsts = sorted(first_delta)
    for turn_index, k in ct.turn_end_frames:
        latency = result.turns[turn_index].latency_ms
        if latency is None or k >= len(appends):
            continue
        heard = float(appends[k])
        nxt = next((t for t, _ in firsts if t > heard), None)
        if nxt is None:
            continue
        think = (nxt - heard) * 1000
        turns.append((latency, think, latency - think))
    out["turns"] = turns
    return out


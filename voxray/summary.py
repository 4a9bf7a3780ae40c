"""A short, extractive call summary from the transcript (no model call, so always available).

Used for the call log and the warm-transfer handoff note: who spoke how much, what the caller
said first and last, and where the agent left things.
"""

from __future__ import annotations

from voxray.records import Speaker, TranscriptSegment

_MAX_QUOTE = 160


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_QUOTE else text[: _MAX_QUOTE - 1] + "…"


def summarize(transcript: list[TranscriptSegment]) -> str | None:
    if not transcript:
        return None
    caller = [s for s in transcript if s.speaker is Speaker.CALLER]
    agent = [s for s in transcript if s.speaker is Speaker.AGENT and s.text]
    heard = [s.text for s in caller if s.text]
    parts = [f"{len(caller)} caller turn(s), {len(agent)} agent turn(s)."]
    if heard:
        parts.append(f'Caller first said: "{_quote(heard[0])}".')
        if len(heard) > 1:
            parts.append(f'Caller last said: "{_quote(heard[-1])}".')
    elif caller:
        parts.append("The caller's words were not transcribed.")
    if agent and agent[-1].text:
        parts.append(f'Agent last said: "{_quote(agent[-1].text)}"' + (" (interrupted)." if agent[-1].interrupted else "."))
    return " ".join(parts)

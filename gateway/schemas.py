"""Response models of the tenant API: what a call log and a voice session look like outside.

Built from the stored records by pure functions, so the wire shape is documented (OpenAPI) and
changes in one place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from voxray.records import (CallRecord, CallStatus, FunctionCall, QaState, SessionReview, Speaker,
                            TranscriptSegment)
from voxray.summary import summarize


class Strict(BaseModel):
    """Request bodies: unknown fields are rejected (422 naming the field), never ignored."""

    model_config = ConfigDict(extra="forbid")


class EscalationOut(BaseModel):
    escalated: bool
    reason: str | None = None
    target: str | None = None
    by: Literal["tool", "rule", "operator"] | None = None
    at: datetime | None = None


class AgentRef(BaseModel):
    name: str
    version: int
    config_version: int


class CallLog(BaseModel):
    id: str = Field(description="The Twilio CallSid")
    status: CallStatus
    direction: Literal["inbound", "outbound"]
    from_number: str
    to_number: str
    agent: AgentRef
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    duration_s: float | None
    turns: int
    end_reason: str | None
    escalation: EscalationOut
    summary: str | None


class TranscriptLine(BaseModel):
    speaker: Speaker
    text: str | None = Field(description="null when the words are unknown (no transcription)")
    start_ms: int
    end_ms: int
    interrupted: bool


class FunctionCallOut(BaseModel):
    call_id: str
    name: str
    arguments: Any = Field(description="The arguments as JSON (a string if the model sent invalid JSON)")
    result: Any = None
    status: Literal["completed", "failed"]
    latency_ms: float | None
    at_ms: int


class SessionReviewQa(BaseModel):
    state: QaState
    notes: str
    score: float | None
    reviewed_by: str | None
    reviewed_at: datetime | None


class VoiceSessionBrief(BaseModel):
    id: str
    call: CallLog
    tags: list[str]
    qa: SessionReviewQa


class VoiceSession(VoiceSessionBrief):
    transcript: list[TranscriptLine]
    function_calls: list[FunctionCallOut]



def call_log(call: CallRecord, transcript: list[TranscriptSegment] | None = None) -> CallLog:
    esc = call.escalation
    summary = call.summary if call.summary is not None or transcript is None else summarize(transcript)
    return CallLog(
        id=call.call_sid, status=call.status, direction=call.direction, from_number=call.from_number,
        to_number=call.to_number, agent=AgentRef(name=call.agent_name, version=call.agent_version,
                                                 config_version=call.config_version),
        created_at=call.created_at, started_at=call.started_at, ended_at=call.ended_at, duration_s=call.duration_s,
        turns=call.turns, end_reason=call.end_reason,
        escalation=EscalationOut(escalated=esc is not None, reason=esc.reason if esc else None,
                                 target=esc.target if esc else None, by=esc.by if esc else None,
                                 at=esc.at if esc else None),
        summary=summary,
    )


def _json_or_text(raw: str | None) -> Any:
    if raw is None:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw


def brief(call: CallRecord, review: SessionReview) -> VoiceSessionBrief:
    return VoiceSessionBrief(id=call.call_sid, call=call_log(call), tags=review.tags,
                             qa=SessionReviewQa(**review.qa.model_dump()))


def voice_session(call: CallRecord, review: SessionReview, transcript: list[TranscriptSegment],
                  functions: list[FunctionCall]) -> VoiceSession:
    return VoiceSession(
        id=call.call_sid, call=call_log(call, transcript), tags=review.tags,
        qa=SessionReviewQa(**review.qa.model_dump()),
        transcript=[TranscriptLine(speaker=s.speaker, text=s.text, start_ms=s.start_ms, end_ms=s.end_ms,
                                   interrupted=s.interrupted) for s in transcript],
        function_calls=[FunctionCallOut(call_id=f.call_id, name=f.name, arguments=_json_or_text(f.arguments),
                                        result=_json_or_text(f.result), status=f.status, latency_ms=f.latency_ms,
                                        at_ms=f.at_ms) for f in functions],
    )

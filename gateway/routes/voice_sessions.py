"""``/api/v1/voice-sessions``: transcripts, function calls, tags and QA state of a tenant's calls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import Field, StringConstraints, field_validator

from gateway.auth import TenantPrincipal, require_tenant
from gateway.pagination import Page, PageRequest, page_params
from gateway.routes.call_logs import PROBLEMS, CallFilters, call_filters, page_of_calls, tenant_call
from gateway.runtime import Runtime, runtime
from gateway.schemas import Strict, VoiceSession, VoiceSessionBrief, brief, voice_session
from voxray.keys import Scope
from voxray.records import QaState, utcnow

router = APIRouter(prefix="/api/v1", tags=["voice-sessions"])

Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class QaPatch(Strict):
    state: QaState | None = None
    notes: str | None = Field(default=None, max_length=4000)
    score: float | None = Field(default=None, ge=0, le=100, description="null clears the score")

    @field_validator("state", "notes", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:  # leave the field out to keep it; null would corrupt the review
            raise ValueError("may be omitted but not null")
        return value


class SessionPatch(Strict):
    """Fields to change; absent fields stay as they are. ``tags`` replaces the whole list."""

    tags: list[Tag] | None = Field(default=None, max_length=50)
    qa: QaPatch | None = None


@router.get("/voice-sessions", summary="List voice sessions", operation_id="list_voice_sessions",
            response_model=Page[VoiceSessionBrief], responses=PROBLEMS)
async def list_voice_sessions(page: PageRequest = Depends(page_params), filters: CallFilters = Depends(call_filters),
                              who: TenantPrincipal = Depends(require_tenant(Scope.SESSIONS_READ)),
                              rt: Runtime = Depends(runtime)) -> Page[VoiceSessionBrief]:
    calls, envelope = await page_of_calls(rt, who.tenant_id, page, filters)
    reviews = [await rt.store.get_review(who.tenant_id, c.call_sid) for c in calls]
    return Page[VoiceSessionBrief](data=[brief(c, r) for c, r in zip(calls, reviews)],
                                   **envelope.model_dump(exclude={"data"}))


async def _session(rt: Runtime, tenant_id: str, call_id: str) -> VoiceSession:
    call = await tenant_call(rt, tenant_id, call_id)
    return voice_session(call, await rt.store.get_review(tenant_id, call.call_sid),
                         await rt.store.transcript(tenant_id, call.call_sid),
                         await rt.store.function_calls(tenant_id, call.call_sid))


@router.get("/voice-sessions/{session_id}", summary="Get a voice session with transcript and function calls",
            operation_id="get_voice_session", response_model=VoiceSession, responses=PROBLEMS)
async def get_voice_session(session_id: str, who: TenantPrincipal = Depends(require_tenant(Scope.SESSIONS_READ)),
                            rt: Runtime = Depends(runtime)) -> VoiceSession:
    return await _session(rt, who.tenant_id, session_id)


@router.patch("/voice-sessions/{session_id}", summary="Edit a voice session's tags and QA state",
              operation_id="update_voice_session", response_model=VoiceSession,
              responses={**PROBLEMS, 413: {"description": "Body too large"}, 415: {"description": "Not JSON"}})
async def update_voice_session(session_id: str, patch: SessionPatch,
                               who: TenantPrincipal = Depends(require_tenant(Scope.SESSIONS_WRITE)),
                               rt: Runtime = Depends(runtime)) -> VoiceSession:
    call = await tenant_call(rt, who.tenant_id, session_id)
    review = await rt.store.get_review(who.tenant_id, call.call_sid)
    if patch.tags is not None:
        tags = list(dict.fromkeys(patch.tags))
        review = review.model_copy(update={"tags": tags})
    if patch.qa is not None:
        changes = patch.qa.model_dump(exclude_unset=True)
        qa = review.qa.model_copy(update={**changes, "reviewed_by": f"api-key:{who.key_id}", "reviewed_at": utcnow()})
        review = review.model_copy(update={"qa": qa})
    await rt.store.put_review(who.tenant_id, call.call_sid, review)
    return await _session(rt, who.tenant_id, session_id)

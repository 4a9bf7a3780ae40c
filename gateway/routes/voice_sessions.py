"""``/api/v1/voice-sessions``: transcripts, function calls, tags and QA state of a tenant's calls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field, StringConstraints, field_validator

from gateway.auth import TenantPrincipal, require_tenant
from gateway.errors import ApiError
from gateway.etags import RETRIES, if_match, precondition, set_etag
from gateway.pagination import Page, PageRequest, page_params
from gateway.routes.call_logs import PROBLEMS, CallFilters, call_filters, page_of_calls, tenant_call
from gateway.runtime import Runtime, runtime
from gateway.schemas import Strict, VoiceSession, VoiceSessionBrief, brief, voice_session
from voxray.keys import Scope
from voxray.records import QaState, SessionReview, utcnow
from voxray.store import StaleRecord

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
async def get_voice_session(session_id: str, request: Request, response: Response,
                            who: TenantPrincipal = Depends(require_tenant(Scope.SESSIONS_READ)),
                            rt: Runtime = Depends(runtime)) -> VoiceSession:
    call = await tenant_call(rt, who.tenant_id, session_id)
    # The ETag names the review's revision (tags and QA: what PATCH changes), read before the
    # body: if they differ, the body is the newer and a write with this ETag gets 412, never
    # overwrites what the reader did not see.
    set_etag(request, response, (await rt.store.get_review_rev(who.tenant_id, call.call_sid))[1])
    return await _session(rt, who.tenant_id, session_id)


@router.patch("/voice-sessions/{session_id}", summary="Edit a voice session's tags and QA state",
              operation_id="update_voice_session", response_model=VoiceSession,
              responses={**PROBLEMS, 412: {"description": "If-Match names a revision the review is no longer at"},
                         413: {"description": "Body too large"}, 415: {"description": "Not JSON"}})
async def update_voice_session(session_id: str, patch: SessionPatch, request: Request, response: Response,
                               who: TenantPrincipal = Depends(require_tenant(Scope.SESSIONS_WRITE)),
                               rt: Runtime = Depends(runtime)) -> VoiceSession:
    """Optimistic concurrency (F9): with If-Match the review must still be at that ETag (412);
    without it a lost race re-reads and re-applies the patch, so no reviewer's edit is lost."""
    call = await tenant_call(rt, who.tenant_id, session_id)
    wanted = if_match(request)
    for _ in range(RETRIES):
        review, rev = await rt.store.get_review_rev(who.tenant_id, call.call_sid)
        precondition(wanted, rev)
        try:
            rev = await rt.store.put_review(who.tenant_id, call.call_sid, _patched(review, patch, who), rev)
            break
        except StaleRecord as stale:
            if wanted is not None:
                precondition(wanted, stale.current)
    else:
        raise ApiError(409, "write_contention", "The session is being reviewed by others; try again", retryable=True)
    set_etag(request, response, rev)
    return await _session(rt, who.tenant_id, session_id)


def _patched(review: SessionReview, patch: SessionPatch, who: TenantPrincipal) -> SessionReview:
    if patch.tags is not None:
        review = review.model_copy(update={"tags": list(dict.fromkeys(patch.tags))})
    if patch.qa is not None:
        changes = patch.qa.model_dump(exclude_unset=True)
        qa = review.qa.model_copy(update={**changes, "reviewed_by": f"api-key:{who.key_id}", "reviewed_at": utcnow()})
        review = review.model_copy(update={"qa": qa})
    return review

"""Operator browser sessions: log in with an admin or operator key, get a cookie and a CSRF token."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field, SecretStr

from gateway.auth import (BOOTSTRAP_KEY_ID, AdminPrincipal, admin_from_key, bootstrap_digest, require_admin,
                          require_anonymous_quota)
from gateway.browser_sessions import COOKIE
from gateway.errors import ApiError
from gateway.runtime import Runtime, runtime
from gateway.schemas import Strict

router = APIRouter(prefix="/api/v1/auth", tags=["operator-auth"])


class Login(Strict):
    api_key: SecretStr = Field(max_length=200, description="An admin or operator key")


class SessionOut(BaseModel):
    role: Literal["admin", "operator"]
    key_id: str
    csrf_token: str = Field(description="Send as X-CSRF-Token on every unsafe request of this session")
    expires_at: datetime


@router.post("/login", summary="Open an operator browser session", operation_id="operator_login",
             response_model=SessionOut, dependencies=[Depends(require_anonymous_quota)],
             responses={401: {"description": "Not an admin or operator key"}, 429: {"description": "Rate limited"}})
async def login(body: Login, response: Response, rt: Runtime = Depends(runtime)) -> SessionOut:
    principal = await admin_from_key(rt, body.api_key.get_secret_value())
    if principal is None:
        raise ApiError(401, "invalid_credentials", "Log in with an admin or operator key")
    token, session = await rt.browser.open(principal.key_id, principal.role, bootstrap_digest(rt)
                                           if principal.key_id == BOOTSTRAP_KEY_ID else None)
    secure = rt.settings.effective_public_base_url.startswith("https://")
    response.set_cookie(COOKIE, token, max_age=rt.settings.browser_session_ttl_s, httponly=True, secure=secure,
                        samesite="strict", path="/")
    return SessionOut(role=session.role, key_id=session.key_id, csrf_token=session.csrf_token,
                      expires_at=session.expires_at)


@router.post("/logout", status_code=204, summary="Close this browser session", operation_id="operator_logout",
             response_class=Response, responses={401: {"description": "No session"}, 403: {"description": "CSRF"}})
async def logout(request: Request, who: AdminPrincipal = Depends(require_admin("operator")),
                 rt: Runtime = Depends(runtime)) -> Response:
    if who.via != "session":
        raise ApiError(400, "not_a_session", "Only a browser session can log out")
    await rt.browser.close(request.cookies.get(COOKIE, ""))
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/")
    return response

"""Pages: scoped OpenAPI JSON, Swagger UI, the versioning policy and changelog, the operator console."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response

from gateway.openapi_scopes import is_admin, is_public, scoped

router = APIRouter(include_in_schema=False)

DOCS_DIR = Path(__file__).resolve().parents[2] / "docs"
DOCUMENTS = {"public": "/api-docs/public.json", "admin": "/api-docs/admin.json", "full": "/api-docs/openapi.json"}


def _full(request: Request) -> dict[str, Any]:
    return request.app.openapi()  # type: ignore[no-any-return]


@router.get("/api-docs/public.json")
async def public_document(request: Request) -> JSONResponse:
    return JSONResponse(scoped(_full(request), is_public, "voxray tenant API"))


@router.get("/api-docs/admin.json")
async def admin_document(request: Request) -> JSONResponse:
    return JSONResponse(scoped(_full(request), is_admin, "voxray admin API"))


@router.get("/swagger-ui")
async def swagger_ui(doc: Literal["public", "admin", "full"] = Query("full")) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url=DOCUMENTS[doc], title=f"voxray API ({doc})")


STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
# The console loads only its own script and talks only to this origin.
_PAGE_HEADERS = {"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; "
                                            "connect-src 'self'; form-action 'none'; frame-ancestors 'none'",
                 "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


@router.get("/operator")
async def operator_page() -> Response:
    return Response((STATIC_DIR / "operator.html").read_bytes(), media_type="text/html; charset=utf-8",
                    headers=_PAGE_HEADERS)


@router.get("/operator/app.js")
async def operator_script() -> Response:
    return Response((STATIC_DIR / "operator.js").read_bytes(), media_type="text/javascript; charset=utf-8",
                    headers=_PAGE_HEADERS)


def _markdown(name: str) -> Response:
    return Response((DOCS_DIR / name).read_text(encoding="utf-8"), media_type="text/markdown; charset=utf-8")


@router.get("/docs/versioning")
async def versioning() -> Response:
    return _markdown("VERSIONING.md")


@router.get("/docs/changelog")
async def changelog() -> Response:
    return _markdown("CHANGELOG.md")

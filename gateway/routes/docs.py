"""Pages: scoped OpenAPI JSON, Swagger UI, the guides, versioning policy and changelog, the operator console."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
import fastapi_offline
from fastapi.responses import HTMLResponse, JSONResponse, Response

from gateway.errors import ApiError
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


# Swagger UI (F11): its assets are served from this origin (the files the fastapi-offline package
# ships), the page has no inline script, and a CSP lets it load nothing from elsewhere: the
# admin cookie's origin never runs a CDN's code.
SWAGGER_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
_SWAGGER_FILES = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8"}
SWAGGER_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "connect-src 'self'; font-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
_SWAGGER_HEADERS = {"Content-Security-Policy": SWAGGER_CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache"}
_SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="/swagger-ui/assets/swagger-ui.css"></head>
<body>{guides}<div id="swagger-ui" data-openapi-url="{url}"></div>
<script src="/swagger-ui/assets/swagger-ui-bundle.js"></script>
<script src="/swagger-ui/assets/init.js"></script></body></html>
"""
_SWAGGER_INIT = """(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({url: root.getAttribute("data-openapi-url"), dom_id: "#swagger-ui",
    layout: "BaseLayout", deepLinking: true, showExtensions: true, showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]});
})();
"""


@router.get("/swagger-ui")
async def swagger_ui(doc: Literal["public", "admin", "full"] = Query("full")) -> HTMLResponse:
    return HTMLResponse(_SWAGGER_PAGE.format(title=f"voxray API ({doc})", url=DOCUMENTS[doc], guides=GUIDES_NAV),
                        headers=_SWAGGER_HEADERS)


@router.get("/swagger-ui/assets/init.js")
async def swagger_init() -> Response:
    return Response(_SWAGGER_INIT, media_type="text/javascript; charset=utf-8", headers=_SWAGGER_HEADERS)


@router.get("/swagger-ui/assets/{name}")
async def swagger_asset(name: str) -> Response:
    media_type = _SWAGGER_FILES.get(name)
    if media_type is None:
        raise ApiError(404, "not_found", "No such asset")
    return Response((SWAGGER_DIR / name).read_bytes(), media_type=media_type,
                    headers={**_SWAGGER_HEADERS, "Cache-Control": "public, max-age=86400"})


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


# The integrators' guides (docs/*.md), by the path they are linked under.
GUIDES = {"getting-started": ("Getting started", "GETTING_STARTED.md"),
          "build-an-agent": ("Build an agent", "BUILD_AN_AGENT.md"),
          "tutorial": ("Tutorial", "TUTORIAL.md"),
          "runtime-architecture": ("Runtime architecture", "RUNTIME_ARCHITECTURE.md"),
          "authentication": ("Authentication", "AUTHENTICATION.md"),
          "webhooks": ("Webhooks and signatures", "WEBHOOKS.md"),
          "errors": ("Errors, rate limits, pagination and idempotency", "ERRORS.md"),
          "production-readiness": ("Production readiness", "PRODUCTION_READINESS.md")}
GUIDES_NAV = ('<nav style="font-family:sans-serif;padding:8px 20px;border-bottom:1px solid #ddd">Guides: '
              + " · ".join(f'<a href="/docs/{slug}">{title}</a>' for slug, (title, _) in GUIDES.items())
              + ' · <a href="/docs/versioning">Versioning</a> · <a href="/docs/changelog">Changelog</a></nav>')


@router.get("/docs")
async def guides_index() -> Response:
    lines = ["# voxray guides", ""] + [f"- [{title}](/docs/{slug})" for slug, (title, _) in GUIDES.items()]
    lines += ["- [Versioning](/docs/versioning)", "- [Changelog](/docs/changelog)", "",
              "API documents: /api-docs/public.json, /api-docs/admin.json, /swagger-ui?doc=public", ""]
    return Response("\n".join(lines), media_type="text/markdown; charset=utf-8")


@router.get("/docs/{slug}")
async def guide(slug: str) -> Response:
    entry = GUIDES.get(slug)
    if entry is None:
        raise ApiError(404, "not_found", "No such guide", f"guides: {', '.join(GUIDES)}")
    return _markdown(entry[1])

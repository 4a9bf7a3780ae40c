"""F11: Swagger UI loads only this origin's assets, under a CSP that forbids anything else."""

from __future__ import annotations

import re

import httpx


async def test_swagger_ui_is_self_hosted_under_a_strict_csp(api: httpx.AsyncClient) -> None:
    r = await api.get("/swagger-ui", params={"doc": "admin"})
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    html = r.text
    assert "<script>" not in html  # no inline script (the CSP would block it)
    # What the page loads (scripts, stylesheets); <a href> navigation to the guides loads nothing.
    sources = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/swagger-ui/assets/") for s in sources), sources
    assert "/api-docs/admin.json" in html
    for src in sources:
        asset = await api.get(src)
        assert asset.status_code == 200 and len(asset.content) > 100, src
        assert asset.headers["x-content-type-options"] == "nosniff"
    bundle = await api.get("/swagger-ui/assets/swagger-ui-bundle.js")
    assert "SwaggerUIBundle" in bundle.text


async def test_unknown_swagger_assets_are_404_problems(api: httpx.AsyncClient) -> None:
    for name in ("../../settings.py", "nope.js", "favicon.png"):
        r = await api.get(f"/swagger-ui/assets/{name}")
        assert r.status_code == 404

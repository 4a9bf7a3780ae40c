"""The guides are served under /docs/... and linked from the Swagger page; their links resolve."""

from __future__ import annotations

import re

import httpx
import pytest

from gateway.routes.docs import GUIDES
from tests.integrators.runner import ROOT

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_every_guide_is_served_as_markdown(api: httpx.AsyncClient) -> None:
    for slug, (title, name) in GUIDES.items():
        r = await api.get(f"/docs/{slug}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown"), slug
        assert r.text == (ROOT / "docs" / name).read_text(encoding="utf-8")
        assert r.text.startswith("# ")
    index = (await api.get("/docs")).text
    assert all(f"(/docs/{slug})" in index for slug in GUIDES)
    missing = await api.get("/docs/no-such-guide")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")


async def test_the_swagger_page_links_the_guides(api: httpx.AsyncClient) -> None:
    page = (await api.get("/swagger-ui?doc=public")).text
    for slug in (*GUIDES, "versioning", "changelog"):
        assert f'href="/docs/{slug}"' in page, slug
    assert "data-openapi-url=\"/api-docs/public.json\"" in page


async def test_links_between_guides_resolve(api: httpx.AsyncClient) -> None:
    for _, name in GUIDES.values():
        text = (ROOT / "docs" / name).read_text(encoding="utf-8")
        for target in set(re.findall(r"\]\((/docs/[a-z-]+)\)", text)):
            assert (await api.get(target)).status_code == 200, (name, target)
        for path in set(re.findall(r"`(examples/[\w./{},*-]+)`", text)):
            if not any(ch in path for ch in "{*"):
                assert (ROOT / path).exists(), (name, path)

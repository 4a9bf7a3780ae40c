"""Fixtures of the integrators' kit tests: the built examples and a second admin."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from tests.integration.api import create_admin_key
from tests.integrators.runner import ROOT, Kit, build_kit

# The Python client packages (generated + wrapper) live in clients/python, not in the voxray install.
sys.path.insert(0, str(ROOT / "clients" / "python"))


@pytest.fixture(scope="session")
def kit() -> Iterator[Kit]:
    """The TypeScript client compiled and the Go examples built, once per session."""
    with tempfile.TemporaryDirectory(prefix="voxray-kit-") as tmp:
        yield build_kit(Path(tmp))


@pytest.fixture
async def approver_key(api: httpx.AsyncClient) -> str:
    """A second admin (another person): the two-person rule keeps an author from approving."""
    _, key = await create_admin_key(api, "admin")
    return key


@pytest.fixture
async def author_key(api: httpx.AsyncClient) -> str:
    """The admin who runs the admin path: a person's key issued by the first admin, as documented."""
    _, key = await create_admin_key(api, "admin")
    return key

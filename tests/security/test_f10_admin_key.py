"""F10: the bootstrap admin key must be a real secret."""

from __future__ import annotations

import secrets

import pytest
from pydantic import ValidationError

from voxray.settings import load_settings


@pytest.mark.parametrize("weak", ["x", "admin", "changeme-please", "a" * 40, "abababababababababababab",
                                  "0000011111222223333344444"])
def test_weak_bootstrap_keys_are_refused_at_start(weak: str) -> None:
    with pytest.raises(ValidationError, match="admin_key"):
        load_settings(admin_key=weak)


def test_a_random_bootstrap_key_is_accepted() -> None:
    key = secrets.token_urlsafe(24)
    assert load_settings(admin_key=key).admin_key.get_secret_value() == key  # type: ignore[union-attr]

"""Stream tokens: call-bound, expiring, tamper-evident (single use is the store's job)."""

from __future__ import annotations

import pytest

from voxray import stream_token as st

SECRET = b"k" * 32


def test_valid_token_verifies_for_its_call() -> None:
    token, claims = st.mint(SECRET, "CA1", now=1000, ttl_s=60)
    assert st.verify(SECRET, token, "CA1", now=1059) == claims


@pytest.mark.parametrize("mutate, call, now, reason", [
    (lambda t: t, "CA1", 1061, "expired"),
    (lambda t: t, "CA2", 1000, "wrong_call"),
    (lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), "CA1", 1000, "bad_signature"),
    (lambda t: t.replace("CA1", "CA2", 1), "CA2", 1000, "bad_signature"),
    (lambda t: "x.y", "CA1", 1000, "malformed"),
    (lambda t: "...", "CA1", 1000, "malformed"),
])
def test_bad_tokens_are_refused_with_a_reason(mutate, call, now, reason) -> None:  # type: ignore[no-untyped-def]
    token, _ = st.mint(SECRET, "CA1", now=1000, ttl_s=60)
    with pytest.raises(st.StreamTokenError) as exc:
        st.verify(SECRET, mutate(token), call, now=now)
    assert exc.value.reason == reason


def test_other_secret_is_refused() -> None:
    token, _ = st.mint(SECRET, "CA1", now=1000, ttl_s=60)
    with pytest.raises(st.StreamTokenError, match="bad_signature"):
        st.verify(b"other" * 8, token, "CA1", now=1000)


def test_nonces_are_unique() -> None:
    assert len({st.mint(SECRET, "CA1", 0, 60)[1].nonce for _ in range(200)}) == 200

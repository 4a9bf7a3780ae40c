"""Envelope encryption of tenant secrets at rest (Twilio auth tokens, webhook and tool signing secrets).

Each secret gets its own random data key (Fernet); the data key is sealed by the master key
from settings (``VOXRAY_SECRETS_KEY``), which never enters Redis. A sealed value reads
``vxsealed:1:<sealed data key>:<ciphertext>``. Rotation re-seals only the data key with the
new master key (``MultiFernet.rotate``): the old keys (``VOXRAY_SECRETS_OLD_KEYS``) still open
what they sealed until ``voxray rotate-secrets`` has re-sealed every record.

Values without the prefix are legacy cleartext: they are read as they are and sealed at the
next write or rotation.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from voxray.settings import Settings

PREFIX = "vxsealed:1:"
KEY_FILE = "secrets.key"


class SealingError(RuntimeError):
    """A sealed value cannot be opened (wrong or missing master key, or tampered with)."""


class SealingUnavailable(SealingError):
    """No master key is configured in this process."""


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def new_master_key() -> str:
    return Fernet.generate_key().decode()


OPENED_CACHE_SIZE = 4096


class Sealer:
    """Seals and opens secrets; the first key seals, every key opens."""

    def __init__(self, primary: str | bytes, old: Sequence[str | bytes] = ()) -> None:
        try:
            self._keys = [Fernet(primary), *(Fernet(k) for k in old)]
        except (ValueError, TypeError) as exc:
            raise ValueError("a secrets key must be 32 url-safe base64-encoded bytes (`voxray keygen`)") from exc
        self._master = MultiFernet(self._keys)
        # Opened values by sealed text: every webhook reads its tenant, and two Fernet decrypts per
        # secret cost ~30 us each. Bounded; a sealed text never changes meaning, so no invalidation.
        self._opened: dict[str, str] = {}

    def seal(self, plaintext: str) -> str:
        data_key = Fernet.generate_key()
        ciphertext = Fernet(data_key).encrypt(plaintext.encode()).decode()
        return f"{PREFIX}{self._master.encrypt(data_key).decode()}:{ciphertext}"

    def open(self, value: str) -> str:
        """The plaintext of a sealed value; legacy cleartext is returned as it is."""
        if not is_sealed(value):
            return value
        opened = self._opened.get(value)
        if opened is not None:
            return opened
        wrapped, ciphertext = self._split(value)
        try:
            data_key = self._master.decrypt(wrapped.encode())
            opened = Fernet(data_key).decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise SealingError("a sealed secret cannot be opened with the configured keys") from None
        if len(self._opened) >= OPENED_CACHE_SIZE:
            self._opened.clear()
        self._opened[value] = opened
        return opened

    def reseal(self, value: str) -> str:
        """The same secret with its data key sealed by the primary key (cleartext gets sealed)."""
        if not is_sealed(value):
            return self.seal(value)
        wrapped, ciphertext = self._split(value)
        try:
            rewrapped = self._master.rotate(wrapped.encode()).decode()
        except InvalidToken:
            raise SealingError("a sealed secret cannot be opened with the configured keys") from None
        return f"{PREFIX}{rewrapped}:{ciphertext}"

    def sealed_by_primary(self, value: str) -> bool:
        if not is_sealed(value):
            return False
        try:
            self._keys[0].decrypt(self._split(value)[0].encode())
            return True
        except InvalidToken:
            return False

    @staticmethod
    def _split(value: str) -> tuple[str, str]:
        wrapped, sep, ciphertext = value[len(PREFIX):].partition(":")
        if not sep:
            raise SealingError("a sealed secret is malformed")
        return wrapped, ciphertext

    @classmethod
    def from_settings(cls, settings: Settings) -> "Sealer":
        """The configured key; else the key file in ``data_dir`` (created for an embedded Redis only).

        With an external Redis and no key, several gateways would each invent their own key and
        could not read each other's records, so that is refused.
        """
        old = [k.get_secret_value() for k in settings.secrets_old_keys]
        if settings.secrets_key is not None:
            return cls(settings.secrets_key.get_secret_value(), old)
        path = Path(settings.data_dir) / KEY_FILE
        if path.exists():
            return cls(path.read_text().strip(), old)
        if settings.redis_url:
            raise SealingUnavailable("VOXRAY_SECRETS_KEY is required with an external Redis (VOXRAY_REDIS_URL)")
        return cls(create_key_file(path), old)


def create_key_file(path: Path) -> str:
    """Write a new master key to ``path`` (mode 0600, its directory 0700); returns the key."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = new_master_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key


# The process's sealer, set once at start-up (gateway lifespan, `voxray up`, tests) so records
# read anywhere in the process are opened with the same keys. Processes that never read
# secrets (session actors) need none.
_current: Sealer | None = None


def configure(sealer: Sealer) -> None:
    global _current
    _current = sealer


def current() -> Sealer:
    if _current is None:
        raise SealingUnavailable("no secrets key configured in this process (VOXRAY_SECRETS_KEY)")
    return _current

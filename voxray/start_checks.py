"""What every gateway process does first: refuse unsafe egress settings, load the secrets key."""

from __future__ import annotations

from voxray import sealing
from voxray.egress_policy import enforce_egress_policy
from voxray.sealing import Sealer
from voxray.settings import Settings


def secure_start(settings: Settings) -> Sealer:
    """Check the egress settings (raises UnsafeEgress), then build the sealer for tenant secrets
    and make it this process's (raises SealingUnavailable without a key where one is required)."""
    enforce_egress_policy(settings)
    enforce_media_link_policy(settings)
    sealer = Sealer.from_settings(settings)
    sealing.configure(sealer)
    return sealer


class UnsafeMediaLink(ValueError):
    pass


def enforce_media_link_policy(settings: Settings) -> None:
    """Caller audio leaves the host only encrypted: a non-loopback media bind needs the link key."""
    loopback = settings.media_bind_host in ("127.0.0.1", "::1", "localhost")
    if not loopback and settings.media_link_key is None:
        raise UnsafeMediaLink("VOXRAY_MEDIA_BIND_HOST is not loopback: set VOXRAY_MEDIA_LINK_KEY (32+ characters, "
                              "the same on every gateway and node) so the media link is TLS")

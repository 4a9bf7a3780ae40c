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
    sealer = Sealer.from_settings(settings)
    sealing.configure(sealer)
    return sealer

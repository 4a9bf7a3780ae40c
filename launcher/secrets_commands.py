"""``voxray keygen`` and ``voxray rotate-secrets``: the master key of tenant secrets at rest.

Rotation: set ``VOXRAY_SECRETS_KEY`` to a new key and ``VOXRAY_SECRETS_OLD_KEYS`` to a JSON list
holding the previous one, run ``voxray rotate-secrets`` (every tenant and webhook secret's data
key is re-sealed with the new key; gateways keep serving meanwhile), then drop the old key.
"""

from __future__ import annotations

import asyncio

import typer

from voxray.rotation import reseal_everything
from voxray.sealing import Sealer, new_master_key
from voxray.settings import Settings, load_settings
from voxray.store import Store


def register(app: typer.Typer) -> None:
    app.command("keygen")(keygen)
    app.command("rotate-secrets")(rotate_secrets)


def keygen() -> None:
    """Print a new secrets key (for VOXRAY_SECRETS_KEY)."""
    typer.echo(new_master_key())


def rotate_secrets() -> None:
    """Re-seal every tenant secret with VOXRAY_SECRETS_KEY (old keys in VOXRAY_SECRETS_OLD_KEYS)."""
    settings = load_settings()
    url = settings.redis_url or _embedded_url(settings)
    sealer = Sealer.from_settings(settings)

    async def run() -> tuple[int, int]:
        store = Store.from_url(url, settings.key_prefix, sealer)
        try:
            return await reseal_everything(store)
        finally:
            await store.close()

    tenants, endpoints = asyncio.run(run())
    typer.echo(f"re-sealed {tenants} tenant record(s) and {endpoints} webhook endpoint(s)")


def _embedded_url(settings: Settings) -> str:
    from launcher.cli import _read_runtime

    return str(_read_runtime(settings.data_dir)["redis_url"])

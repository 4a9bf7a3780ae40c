"""Re-seal every secret at rest with the primary key (``voxray rotate-secrets``).

Tenant records are rewritten through their revision check; webhook endpoints with a
compare-and-set on the exact stored bytes, so a concurrent API edit is never overwritten
(the record is simply re-read and re-sealed).
"""

from __future__ import annotations

import orjson

from voxray.sealing import Sealer
from voxray.store import Store

# KEYS[1]: the endpoints hash. ARGV: field, expected value, new value.
_SWAP = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""
_ENDPOINT_SECRETS = ("secret", "previous_secret")


def resealed(raw: bytes | str, sealer: Sealer, fields: tuple[str, ...]) -> bytes | None:
    """``raw`` JSON with ``fields`` re-sealed by the primary key, or None if nothing changes."""
    data = orjson.loads(raw)
    todo = [f for f in fields if isinstance(data.get(f), str) and not sealer.sealed_by_primary(data[f])]
    if not todo:
        return None
    for f in todo:
        data[f] = sealer.reseal(data[f])
    return orjson.dumps(data)


async def reseal_endpoints(store: Store) -> int:
    swap = store.redis.register_script(_SWAP)
    changed = 0
    async for key in store.redis.scan_iter(match=f"{store.p}:t:*:wh:ep", count=500):
        fields: dict[bytes | str, bytes | str] = await store.redis.hgetall(key)  # type: ignore[misc]
        for field, raw in fields.items():
            for _ in range(10):
                new = resealed(raw, store.sealer, _ENDPOINT_SECRETS)
                if new is None:
                    break
                if await swap(keys=[key], args=[field, raw, new]):
                    changed += 1
                    break
                current = await store.redis.hget(key, field)  # type: ignore[misc]
                if current is None:
                    break
                raw = current
    return changed


async def reseal_everything(store: Store) -> tuple[int, int]:
    """(tenant records, webhook endpoints) re-sealed."""
    return await store.reseal_tenants(), await reseal_endpoints(store)

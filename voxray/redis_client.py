"""Redis clients that ride out a restart of the server.

After redis-server restarts, every pooled connection is dead; without retries the first command
on each fails (``Connection closed by server``) although Redis is back. These clients retry a
command on a connection or timeout error with a short backoff (reconnecting each time), and
bound how long any socket operation may hang, so gateways and actors reconnect by themselves and a
hung Redis cannot hang a request forever. Idle connections are not PINGed before use: the retry
already covers a dead one (a command sent to a server that has gone was never run), and a PING
would add a round trip to the first command on every connection of a burst after a quiet spell.
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

RETRIES = 3  # 50, 100, 200 ms apart: a restart is ridden out, an outage surfaces within ~0.4 s
SOCKET_TIMEOUT_S = 10.0  # no command here blocks server-side, so this only bounds a hung Redis
CONNECT_TIMEOUT_S = 2.0
HEALTH_CHECK_S = 0  # see the module's docstring
# A bounded pool: a burst of webhooks (four concurrent commands each) used to open a connection
# per command in flight, each paying connect + AUTH round trips on a busy host; now commands
# queue briefly for one of these instead. Redis answers in well under a millisecond, so 64
# connections carry far more than a gateway's or an actor's load.
MAX_CONNECTIONS = 64
POOL_WAIT_S = 5.0


def resilient(url: str, *, max_connections: int = MAX_CONNECTIONS, **options: Any) -> aioredis.Redis:
    settings: dict[str, Any] = dict(
        decode_responses=False, retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), RETRIES),
        retry_on_error=[RedisConnectionError, RedisTimeoutError], socket_timeout=SOCKET_TIMEOUT_S,
        socket_connect_timeout=CONNECT_TIMEOUT_S, health_check_interval=HEALTH_CHECK_S)
    settings.update(options)
    pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=max_connections, timeout=POOL_WAIT_S,
                                                    **settings)
    return aioredis.Redis.from_pool(pool)


async def warm(redis: aioredis.Redis, connections: int) -> None:
    """Open ``connections`` pooled connections now, so the first burst of calls pays no handshakes."""
    await asyncio.gather(*(redis.ping() for _ in range(connections)))

"""F5: the gateway <-> actor media link is TLS pinned to the cluster key, bounded before HELLO."""

from __future__ import annotations

import asyncio
import secrets

import pytest
import ray

from actors import link, link_mux, link_tls
from actors.session_actor import HELLO_TIMEOUT_S, PRE_HELLO_MAX_BYTES, SessionActor, SessionActorConfig
from voxray.settings import load_settings
from voxray.start_checks import UnsafeMediaLink, enforce_media_link_policy

KEY = secrets.token_urlsafe(32)


async def echo_server(key: str) -> tuple[asyncio.AbstractServer, int]:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.readexactly(5))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0, ssl=link_tls.server_context(key))
    return server, server.sockets[0].getsockname()[1]


async def test_link_is_tls_and_only_the_cluster_key_is_trusted() -> None:
    server, port = await echo_server(KEY)
    async with server:
        reader, writer = await link.dial("127.0.0.1", port, KEY, 5)
        assert writer.get_extra_info("ssl_object").version() == "TLSv1.3"
        writer.write(b"hello")
        assert await reader.readexactly(5) == b"hello"
        writer.close()
        with pytest.raises(link_tls.LinkPeerRejected):  # an actor impersonator with another key
            await link.dial("127.0.0.1", port, secrets.token_urlsafe(32), 5)
        # A plain-text peer gets nothing from a TLS actor.
        r, w = await asyncio.open_connection("127.0.0.1", port)
        w.write(link.encode_json(link.Kind.HELLO, {"call_sid": "CA", "link_key": "x"}))
        assert await asyncio.wait_for(r.read(), 6) == b""
        w.close()


async def test_actor_drops_unauthenticated_links_early(live) -> None:  # type: ignore[no-untyped-def]
    cfg = SessionActorConfig(name=f"f5-{secrets.token_hex(3)}", kind="shared", capacity=1, bind_host="127.0.0.1",
                             redis_url=live.redis_url, prefix="vxf5", media_link_key=KEY)
    actor = ray.remote(SessionActor).options(num_cpus=0.01).remote(cfg)
    try:
        host, port, _ = await actor.ready.remote()
        reader, writer = await link.dial(host, port, KEY, 5)
        # A frame header announcing more than a HELLO can be: closed before a byte of it is read.
        writer.write(link.HEADER.pack(link.Kind.HELLO, PRE_HELLO_MAX_BYTES + 1))
        assert await asyncio.wait_for(reader.read(), 5) == b""
        reader, writer = await link.dial(host, port, KEY, 5)
        writer.write(link.encode_json(link.Kind.HELLO, {"call_sid": "CA" + "0" * 32, "link_key": "guess"}))
        assert await asyncio.wait_for(reader.read(), 5) == b""  # no such call / wrong key: closed
        # A connection carrying many calls' links (VOXRAY_MEDIA_LINK_MUX) is held to the same rules
        # per channel, and is cut if none of its channels proves a link key by the HELLO deadline.
        reader, writer = await link.dial(host, port, KEY, 5)
        writer.write(link_mux.PREFACE + link_mux.ENVELOPE.pack(1, link_mux.Op.OPEN, 0)
                     + link_mux.ENVELOPE.pack(1, link_mux.Op.DATA, link.HEADER.size)
                     + link.HEADER.pack(link.Kind.HELLO, PRE_HELLO_MAX_BYTES + 1))
        reply = await asyncio.wait_for(reader.readexactly(link_mux.ENVELOPE.size), 5)
        assert link_mux.ENVELOPE.unpack(reply) == (1, link_mux.Op.CLOSE, 0)
        assert await asyncio.wait_for(reader.read(), HELLO_TIMEOUT_S + 5) == b""
    finally:
        ray.kill(actor)


def test_gateway_refuses_to_start_with_media_leaving_the_host_in_clear() -> None:
    with pytest.raises(UnsafeMediaLink):
        enforce_media_link_policy(load_settings(media_bind_host="10.0.0.5"))
    enforce_media_link_policy(load_settings(media_bind_host="10.0.0.5", media_link_key=KEY))
    enforce_media_link_policy(load_settings())

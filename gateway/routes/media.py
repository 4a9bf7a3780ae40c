"""``WS /api/v1/media-stream``: Twilio Media Streams in, relayed to the call's session actor.

The gateway reads ``connected``/``start`` itself, checks the stream token (signature, expiry,
call binding, single use), then relays frames verbatim over the actor's direct media link.
"""

from __future__ import annotations

import asyncio
import time

import orjson
import structlog
from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from actors import link, link_tls
from voxray.live_calls import LiveEntry as LiveCall
from gateway.anon_quotas import media_connect_allowed
from gateway.runtime import Runtime, ws_runtime
from gateway.twilio_rest import CarrierError
from pipelines import twilio_media as tm
from voxray import stream_token
from voxray.logging import bind_call

router = APIRouter(prefix="/api/v1")
log = structlog.get_logger("voxray.media")

POLICY_VIOLATION = 1008
START_TIMEOUT_S = 10.0
LINK_DIAL_TIMEOUT_S = 5.0


class StreamRefused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


async def _receive_text(ws: WebSocket) -> str:
    msg = await ws.receive()
    if msg["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(msg.get("code", 1000))
    if msg.get("text") is None:
        raise StreamRefused(1003, "binary frames are not Media Streams messages")
    return str(msg["text"])


async def _await_start(ws: WebSocket) -> tuple[tm.Start, str]:
    """Read up to ``start``; only ``connected`` may come before it."""
    while True:
        raw = await _receive_text(ws)
        try:
            msg = tm.parse_inbound(raw)
        except tm.MalformedMessage as exc:
            log.warning("malformed_before_start", reason=exc.reason[:200])
            raise StreamRefused(1007, "malformed message before start") from None
        if isinstance(msg, tm.Start):
            return msg, raw
        if not isinstance(msg, tm.Connected):
            raise StreamRefused(POLICY_VIOLATION, f"{msg.event} before start")


async def _authorize(rt: Runtime, start: tm.Start) -> LiveCall:
    if start.start.mediaFormat.encoding != "audio/x-mulaw" or start.start.mediaFormat.sampleRate != 8000:
        raise StreamRefused(POLICY_VIOLATION, "only audio/x-mulaw at 8000 Hz is supported")
    token = start.start.customParameters.get("token")
    if not token:
        raise StreamRefused(POLICY_VIOLATION, "stream token missing")
    try:
        claims = stream_token.verify(rt.stream_secret, token, start.start.callSid, time.time())
    except stream_token.StreamTokenError as exc:
        raise StreamRefused(POLICY_VIOLATION, f"stream token {exc.reason}") from None
    if await rt.store.consume_stream_nonce(claims.nonce) != start.start.callSid:
        raise StreamRefused(POLICY_VIOLATION, "stream token replayed")
    call = await rt.registry.get(start.start.callSid)
    if call is None:
        raise StreamRefused(POLICY_VIOLATION, "call is not active")
    return call


async def _to_actor(ws: WebSocket, writer: link.LinkWriter) -> None:
    while True:
        msg = await ws.receive()
        if msg["type"] == "websocket.disconnect":
            return
        data = msg.get("text")
        payload = data.encode() if data is not None else (msg.get("bytes") or b"")
        writer.write(link.encode(link.Kind.TWILIO, payload))
        await writer.drain()


async def _redirect(rt: Runtime, call: LiveCall, twiml: str, writer: link.LinkWriter) -> None:
    """Carry out a transfer the session asked for, and tell it how the carrier answered."""
    error: str | None = None
    tenant = await rt.store.get_tenant(call.tenant_id)
    if tenant is None:
        error = "tenant_gone"
    else:
        try:
            await rt.twilio.redirect(tenant, call.call_sid, twiml)
        except CarrierError as exc:
            error = f"carrier_error {exc.status} {exc.code}"
    log.info("call_redirected", call_sid=call.call_sid, ok=error is None, error=error)
    try:
        writer.write(link.encode_json(link.Kind.REDIRECTED, {"ok": error is None, "error": error}))
        await writer.drain()
    except ConnectionError:
        pass


async def _to_twilio(ws: WebSocket, reader: link.LinkReader, rt: Runtime, call: LiveCall,
                     writer: link.LinkWriter, tasks: set[asyncio.Task[None]]) -> tuple[int, str]:
    while True:
        try:
            kind, body = await link.read_frame(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            # The actor (or its node) is gone without a CLOSE: closing the socket makes Twilio
            # run the <Say> after </Connect>; the supervisor records why the call ended.
            log.error("session_link_lost", call_sid=call.call_sid, actor=call.actor)
            return 1011, "session lost"
        if kind == link.Kind.TWILIO:
            await ws.send_text(body.decode())
        elif kind == link.Kind.CLOSE:
            info = orjson.loads(body)
            return int(info["code"]), str(info["reason"])[:120]
        elif kind == link.Kind.REDIRECT:
            task = asyncio.create_task(_redirect(rt, call, str(orjson.loads(body)["twiml"]), writer))
            tasks.add(task)
            task.add_done_callback(tasks.discard)


async def _close(ws: WebSocket, code: int, reason: str) -> None:
    if ws.application_state == WebSocketState.CONNECTED and ws.client_state == WebSocketState.CONNECTED:
        try:  # a close reason may hold at most 123 bytes (RFC 6455 §5.5)
            await ws.close(code, reason.encode()[:123].decode(errors="ignore"))
        except Exception:  # the peer is already gone; nothing left to tell it
            pass


@router.websocket("/media-stream")
async def media_stream(ws: WebSocket) -> None:
    rt = ws_runtime(ws)
    verdict = await media_connect_allowed(rt.limiter, rt.settings, ws)
    if not verdict.allowed:  # per address and overall: an unauthenticated surface
        await ws.close(code=1013)
        return
    await ws.accept()
    try:
        start, start_raw = await asyncio.wait_for(_await_start(ws), START_TIMEOUT_S)
        call = await _authorize(rt, start)
        bind_call(call.call_sid, call.tenant_id)
    except StreamRefused as exc:
        log.warning("media_stream_refused", code=exc.code, reason=exc.reason)
        await _close(ws, exc.code, exc.reason)
        return
    except asyncio.TimeoutError:
        await _close(ws, POLICY_VIOLATION, "no start message")
        return
    except WebSocketDisconnect:
        return
    try:
        reader, writer = await (rt.links.channel if rt.links else link.dial)(
            call.host, call.port, rt.media_link_key, LINK_DIAL_TIMEOUT_S)
    except (OSError, asyncio.TimeoutError, link_tls.LinkPeerRejected):
        log.error("actor_unreachable", call_sid=call.call_sid)
        await _close(ws, 1011, "session unavailable")
        return
    writer.write(link.encode_json(link.Kind.HELLO, {"call_sid": call.call_sid, "link_key": call.link_key})
                 + link.encode(link.Kind.TWILIO, start_raw.encode()))
    redirects: set[asyncio.Task[None]] = set()
    rt.media_streams += 1
    up = asyncio.create_task(_to_actor(ws, writer))
    down = asyncio.create_task(_to_twilio(ws, reader, rt, call, writer, redirects))
    try:
        finished, _ = await asyncio.wait({up, down}, return_when=asyncio.FIRST_COMPLETED)
        if down in finished and not down.cancelled() and down.exception() is None:
            await _close(ws, *down.result())
        elif up in finished:
            writer.write(link.encode_json(link.Kind.BYE, {"reason": "websocket closed"}))
    finally:
        for task in (up, down):
            task.cancel()
        await asyncio.gather(up, down, return_exceptions=True)
        # A transfer in flight finishes even though the stream is gone (Twilio ends it first).
        await asyncio.gather(*redirects, return_exceptions=True)
        writer.close()
        rt.media_streams -= 1

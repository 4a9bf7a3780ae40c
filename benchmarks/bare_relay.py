"""The floor for the latency benchmark: a bare Twilio <-> Realtime relay, nothing else.

No signature check, no actors, no VAD, no records, no Redis. ``POST /api/v1/incoming-call``
answers ``<Connect><Stream>``; the media websocket opens the model with the same ``openai`` SDK
and the same ``session.update`` as voxray on ``start``, forwards each caller ``media.payload``
verbatim as ``input_audio_buffer.append`` and each ``response.output_audio.delta`` verbatim as
one Twilio ``media`` plus a ``mark``. ``GET /sessions`` maps callSid -> model session id.

    python -m benchmarks.bare_relay --port 8100 --model-url ws://127.0.0.1:8765/v1
"""

from __future__ import annotations

import argparse
import asyncio

import orjson
import uvicorn
from fastapi import FastAPI, Request, Response, WebSocket, WebSocketDisconnect
from openai import AsyncOpenAI

from actors.setup import session_config
from voxray.records import AgentConfig

AGENT = AgentConfig()
SESSION_UPDATE = orjson.dumps({"type": "session.update", "session": session_config(AGENT)}).decode()
DELTA = b'"response.output_audio.delta"'


def create_app(model_url: str, api_key: str = "sk-local", model: str = AGENT.model) -> FastAPI:
    app = FastAPI()
    client = AsyncOpenAI(api_key=api_key, websocket_base_url=model_url, max_retries=0)
    sessions: dict[str, str | None] = {}

    @app.get("/sessions")
    async def list_sessions() -> dict[str, str | None]:
        return sessions

    @app.post("/api/v1/incoming-call")
    async def incoming_call(request: Request) -> Response:
        twiml = (f'<?xml version="1.0" encoding="UTF-8"?><Response><Connect>'
                 f'<Stream url="ws://{request.headers["host"]}/media-stream" /></Connect></Response>')
        return Response(twiml, media_type="application/xml")

    @app.websocket("/media-stream")
    async def media_stream(ws: WebSocket) -> None:
        await ws.accept()
        early: list[str] = []
        conn = None
        pump: asyncio.Task[None] | None = None

        async def model_to_twilio(sid: str, call_sid: str) -> None:
            nonlocal conn
            async with client.realtime.connect(model=model) as c:
                await c.send_raw(SESSION_UPDATE)
                while early:
                    await c.send_raw('{"type":"input_audio_buffer.append","audio":"' + early.pop(0) + '"}')
                conn = c
                while True:
                    raw = await c.recv_bytes()
                    if DELTA not in raw[:100] and b"session.created" not in raw[:100]:
                        continue
                    event = orjson.loads(raw)
                    if event["type"] == "session.created":
                        sessions[call_sid] = event["session"]["id"]
                        continue
                    await ws.send_text('{"event":"media","streamSid":"%s","media":{"payload":"%s"}}'
                                       % (sid, event["delta"]))
                    await ws.send_text('{"event":"mark","streamSid":"%s","mark":{"name":"%s"}}'
                                       % (sid, event["item_id"]))

        try:
            while True:
                msg = orjson.loads(await ws.receive_text())
                kind = msg["event"]
                if kind == "media":
                    payload = msg["media"]["payload"]
                    if conn is None:
                        early.append(payload)
                    else:
                        await conn.send_raw('{"type":"input_audio_buffer.append","audio":"' + payload + '"}')
                elif kind == "start":
                    sessions[msg["start"]["callSid"]] = None
                    pump = asyncio.create_task(model_to_twilio(msg["start"]["streamSid"], msg["start"]["callSid"]))
                elif kind == "stop":
                    break
        except WebSocketDisconnect:
            pass
        finally:
            if pump is not None:
                pump.cancel()
                await asyncio.gather(pump, return_exceptions=True)
            try:
                await ws.close()
            except (RuntimeError, WebSocketDisconnect):
                pass

    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bare_relay", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--model-url", required=True, help="websocket_base_url, e.g. ws://127.0.0.1:8765/v1")
    args = parser.parse_args()
    # Same server stack as the voxray gateway (uvicorn, websockets-sansio, 64 KiB messages).
    config = uvicorn.Config(create_app(args.model_url), host=args.host, port=args.port, ws="websockets-sansio",
                            ws_max_size=64 * 1024, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)

    async def run() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                return
            await asyncio.sleep(0.02)
        print(f"listening http://{args.host}:{args.port}", flush=True)
        await task

    asyncio.run(run())


if __name__ == "__main__":
    main()

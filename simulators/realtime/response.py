"""One model response in flight: the GA event sequence for a spoken reply or a tool call, paced.

A spoken reply (PROTOCOLS.md §D.3, "typical order"): ``response.created`` at once; after the
think time and once the audio is synthesized, ``response.output_item.added`` ->
``conversation.item.added`` -> ``response.content_part.added`` -> 100 ms
``response.output_audio.delta`` chunks interleaved with ``response.output_audio_transcript.delta``,
released ``pace`` times faster than real time -> ``response.output_audio.done`` ->
``response.output_audio_transcript.done`` -> ``response.content_part.done`` ->
``response.output_item.done`` -> ``conversation.item.done`` -> ``response.done``.
A tool call emits its function_call item and argument events in one go after the think time.
"""

from __future__ import annotations

import base64
import copy
import json
import math
from dataclasses import dataclass
from typing import Any

from pipelines.realtime_events import (
    FunctionCallArgumentsDone,
    ItemAdded,
    ItemDone,
    OutputAudioDelta,
    OutputAudioDone,
    OutputItemAdded,
    OutputItemDone,
    OutputTranscriptDelta,
    OutputTranscriptDone,
    ResponseCreated,
    ResponseDone,
)

from .agent import CallTool, Say
from .conversation import Conversation
from .events import local, new_id, stamp
from .formats import AudioFormat
from .voice import CHUNK_MS, chunk, split_text

Event = Any  # a pydantic event with .dump()


@dataclass(frozen=True)
class ResponseRequest:
    """How to render one response (session defaults, overridden by ``response.create``)."""

    output_format: AudioFormat
    voice: Any
    text_only: bool = False
    in_conversation: bool = True
    metadata: dict[str, Any] | None = None
    input_text_tokens: int = 0
    input_audio_tokens: int = 0


class ResponseRun:
    def __init__(self, action: Say | CallTool, request: ResponseRequest, conversation: Conversation,
                 now: float, think_s: float, pace: float) -> None:
        self.id = new_id("resp")
        self.item_id = new_id("item")
        self.action = action
        self.call_id = new_id("call") if isinstance(action, CallTool) else None
        self.done = False
        self.audio_ms_sent = 0.0
        self._request = request
        self._conversation = conversation
        self._ready_at = now + think_s
        self._pace = pace
        self._chunks: list[bytes] | None = None
        self._pieces: list[str] = []
        self._sent = 0
        self._t0 = 0.0
        self._begun = False
        self._transcript = ""
        self.item = self._new_item()
        if isinstance(action, Say) and request.text_only:
            self._pieces = split_text(action.text, len(action.text.split()))

    @property
    def needs_audio(self) -> bool:
        return isinstance(self.action, Say) and not self._request.text_only and self._chunks is None

    def supply_audio(self, audio: bytes) -> None:
        assert isinstance(self.action, Say)
        self._chunks = chunk(audio, self._request.output_format) or [b""]
        self._pieces = split_text(self.action.text, len(self._chunks))

    def created(self) -> Event:
        return stamp(ResponseCreated, response=self._response("in_progress", None, []))

    def deadline(self) -> float | None:
        if self.done or (not self._begun and self.needs_audio):
            return None
        if not self._begun:
            return self._ready_at
        return self._t0 + self._sent * CHUNK_MS / 1000 / self._pace

    def advance(self, now: float) -> list[Event]:
        if self.done or self.needs_audio or now < self._ready_at:
            return []
        events: list[Event] = []
        if not self._begun:
            self._begun, self._t0 = True, now
            events += self._begin()
            if isinstance(self.action, CallTool):
                return events + self._finish_tool()
        if self._request.text_only:
            return events + self._text_body() + self._finish_message()
        assert self._chunks is not None
        due = min(len(self._chunks), int((now - self._t0) * self._pace * 1000 / CHUNK_MS) + 1)
        while self._sent < due:
            events += self._audio_chunk(self._sent)
            self._sent += 1
        if self._sent == len(self._chunks):
            events += self._finish_message()
        return events

    def cancel(self, reason: str) -> list[Event]:
        """Stop now: close what was begun, as incomplete, and report ``cancelled``."""
        self.done = True
        details = {"type": "cancelled", "reason": reason}
        if not self._begun:
            return [stamp(ResponseDone, response=self._response("cancelled", details, []))]
        return self._close_message("incomplete") + [
            stamp(ResponseDone, response=self._response("cancelled", details, [self._snapshot()]))]

    def fail(self, code: str, message: str) -> list[Event]:
        self.done = True
        details = {"type": "failed", "error": {"type": "server_error", "code": code, "message": message}}
        return [stamp(ResponseDone, response=self._response("failed", details, []))]

    # ---- building blocks ---------------------------------------------------------------

    def _ids(self) -> dict[str, Any]:
        return {"response_id": self.id, "item_id": self.item_id, "output_index": 0}

    def _new_item(self) -> dict[str, Any]:
        base = {"id": self.item_id, "object": "realtime.item", "status": "in_progress"}
        if isinstance(self.action, CallTool):
            return {**base, "type": "function_call", "call_id": self.call_id, "name": self.action.name,
                    "arguments": ""}
        return {**base, "type": "message", "role": "assistant", "content": []}

    def _snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(self.item)

    def _part(self) -> dict[str, Any]:
        if self._request.text_only:
            return {"type": "text", "text": self._transcript}
        return {"type": "audio", "transcript": self._transcript}

    def _begin(self) -> list[Event]:
        events: list[Event] = [stamp(OutputItemAdded, response_id=self.id, output_index=0, item=self._snapshot())]
        if self._request.in_conversation:
            previous = self._conversation.add(self.item)
            events.append(stamp(ItemAdded, item=self._snapshot(), previous_item_id=previous))
            if not self._request.text_only and isinstance(self.action, Say):
                self._conversation.set_audio_ms(self.item_id, 0.0)
        if isinstance(self.action, Say):
            events.append(local("response.content_part.added", **self._ids(), content_index=0, part=self._part()))
        return events

    def _audio_chunk(self, index: int) -> list[Event]:
        assert self._chunks is not None
        events: list[Event] = []
        piece = self._pieces[index]
        if piece:
            self._transcript += piece
            events.append(stamp(OutputTranscriptDelta, **self._ids(), content_index=0, delta=piece))
        data = self._chunks[index]
        if data:
            events.append(stamp(OutputAudioDelta, **self._ids(), content_index=0,
                                delta=base64.b64encode(data).decode()))
        self.audio_ms_sent += self._request.output_format.ms(len(data))
        if self._request.in_conversation:
            self._conversation.set_audio_ms(self.item_id, self.audio_ms_sent)
        return events

    def _text_body(self) -> list[Event]:
        events: list[Event] = []
        for piece in self._pieces:
            self._transcript += piece
            events.append(local("response.output_text.delta", **self._ids(), content_index=0, delta=piece))
        return events

    def _close_message(self, status: str) -> list[Event]:
        ids = {**self._ids(), "content_index": 0}
        body: list[Event]
        if self._request.text_only:
            body = [local("response.output_text.done", **ids, text=self._transcript)]
            content = {"type": "output_text", "text": self._transcript}
        else:
            body = [stamp(OutputAudioDone, **ids), stamp(OutputTranscriptDone, **ids, transcript=self._transcript)]
            content = {"type": "output_audio", "transcript": self._transcript}
        self.item["status"] = status
        self.item["content"] = [content]
        body.append(local("response.content_part.done", **ids, part=self._part()))
        return body + self._item_done()

    def _item_done(self) -> list[Event]:
        events: list[Event] = [stamp(OutputItemDone, response_id=self.id, output_index=0, item=self._snapshot())]
        if self._request.in_conversation:
            events.append(stamp(ItemDone, item=self._snapshot()))
        return events

    def _finish_message(self) -> list[Event]:
        self.done = True
        return self._close_message("completed") + [
            stamp(ResponseDone, response=self._response("completed", None, [self._snapshot()]))]

    def _finish_tool(self) -> list[Event]:
        assert isinstance(self.action, CallTool) and self.call_id is not None
        arguments = json.dumps(self.action.arguments)
        self.done = True
        self.item.update(arguments=arguments, status="completed")
        self._transcript = arguments
        return [
            local("response.function_call_arguments.delta", **self._ids(), call_id=self.call_id, delta=arguments),
            stamp(FunctionCallArgumentsDone, **self._ids(), call_id=self.call_id, name=self.action.name,
                  arguments=arguments),
            *self._item_done(),
            stamp(ResponseDone, response=self._response("completed", None, [self._snapshot()])),
        ]

    def _response(self, status: str, details: dict[str, Any] | None, output: list[dict[str, Any]]) -> dict[str, Any]:
        request = self._request
        return {
            "object": "realtime.response", "id": self.id, "status": status, "status_details": details,
            "output": output,
            "conversation_id": self._conversation.id if request.in_conversation else None,
            "output_modalities": ["text"] if request.text_only else ["audio"],
            "max_output_tokens": "inf",
            "audio": {"output": {"format": request.output_format.as_dict(), "voice": request.voice}},
            "usage": None if status == "in_progress" else self._usage(),
            "metadata": request.metadata,
        }

    def _usage(self) -> dict[str, Any]:
        request = self._request
        out_text = math.ceil(len(self._transcript) / 4)
        out_audio = math.ceil(self.audio_ms_sent / 50)
        in_text, in_audio = request.input_text_tokens, request.input_audio_tokens
        return {
            "total_tokens": in_text + in_audio + out_text + out_audio,
            "input_tokens": in_text + in_audio,
            "output_tokens": out_text + out_audio,
            "input_token_details": {
                "text_tokens": in_text, "audio_tokens": in_audio, "image_tokens": 0, "cached_tokens": 0,
                "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 0, "image_tokens": 0},
            },
            "output_token_details": {"text_tokens": out_text, "audio_tokens": out_audio},
        }

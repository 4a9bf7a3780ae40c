from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.live_agent import LiveAgent





T = TypeVar("T", bound="LiveSession")



@_attrs_define
class LiveSession:
    """ A session actor's view of one live call (extra counters may appear).

        Attributes:
            agent (LiveAgent):
            barge_ins (int):
            buffered_ms (float):
            call_sid (str):
            duration_s (float):
            frames_in (int):
            frames_out (int):
            lost (int):
            malformed (int):
            model_latency_ms (float | None):
            model_session_id (None | str):
            node (None | str):
            pid (int):
            state (str):
            tenant_id (str):
            turn_index (int):
            turn_state (str):
            vad_speaking (bool):
     """

    agent: LiveAgent
    barge_ins: int
    buffered_ms: float
    call_sid: str
    duration_s: float
    frames_in: int
    frames_out: int
    lost: int
    malformed: int
    model_latency_ms: float | None
    model_session_id: None | str
    node: None | str
    pid: int
    state: str
    tenant_id: str
    turn_index: int
    turn_state: str
    vad_speaking: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.live_agent import LiveAgent # noqa: PLC0415
        agent = self.agent.to_dict()

        barge_ins = self.barge_ins

        buffered_ms = self.buffered_ms

        call_sid = self.call_sid

        duration_s = self.duration_s

        frames_in = self.frames_in

        frames_out = self.frames_out

        lost = self.lost

        malformed = self.malformed

        model_latency_ms: float | None
        model_latency_ms = self.model_latency_ms

        model_session_id: None | str
        model_session_id = self.model_session_id

        node: None | str
        node = self.node

        pid = self.pid

        state = self.state

        tenant_id = self.tenant_id

        turn_index = self.turn_index

        turn_state = self.turn_state

        vad_speaking = self.vad_speaking


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "agent": agent,
            "barge_ins": barge_ins,
            "buffered_ms": buffered_ms,
            "call_sid": call_sid,
            "duration_s": duration_s,
            "frames_in": frames_in,
            "frames_out": frames_out,
            "lost": lost,
            "malformed": malformed,
            "model_latency_ms": model_latency_ms,
            "model_session_id": model_session_id,
            "node": node,
            "pid": pid,
            "state": state,
            "tenant_id": tenant_id,
            "turn_index": turn_index,
            "turn_state": turn_state,
            "vad_speaking": vad_speaking,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.live_agent import LiveAgent # noqa: PLC0415
        d = dict(src_dict)
        agent = LiveAgent.from_dict(d.pop("agent"))




        barge_ins = d.pop("barge_ins")

        buffered_ms = d.pop("buffered_ms")

        call_sid = d.pop("call_sid")

        duration_s = d.pop("duration_s")

        frames_in = d.pop("frames_in")

        frames_out = d.pop("frames_out")

        lost = d.pop("lost")

        malformed = d.pop("malformed")

        def _parse_model_latency_ms(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        model_latency_ms = _parse_model_latency_ms(d.pop("model_latency_ms"))


        def _parse_model_session_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        model_session_id = _parse_model_session_id(d.pop("model_session_id"))


        def _parse_node(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        node = _parse_node(d.pop("node"))


        pid = d.pop("pid")

        state = d.pop("state")

        tenant_id = d.pop("tenant_id")

        turn_index = d.pop("turn_index")

        turn_state = d.pop("turn_state")

        vad_speaking = d.pop("vad_speaking")

        live_session = cls(
            agent=agent,
            barge_ins=barge_ins,
            buffered_ms=buffered_ms,
            call_sid=call_sid,
            duration_s=duration_s,
            frames_in=frames_in,
            frames_out=frames_out,
            lost=lost,
            malformed=malformed,
            model_latency_ms=model_latency_ms,
            model_session_id=model_session_id,
            node=node,
            pid=pid,
            state=state,
            tenant_id=tenant_id,
            turn_index=turn_index,
            turn_state=turn_state,
            vad_speaking=vad_speaking,
        )


        live_session.additional_properties = d
        return live_session

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

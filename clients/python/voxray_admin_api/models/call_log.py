from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.call_log_direction import CallLogDirection
from ..models.call_status import CallStatus
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.agent_ref import AgentRef
  from ..models.escalation_out import EscalationOut





T = TypeVar("T", bound="CallLog")



@_attrs_define
class CallLog:
    """ 
        Attributes:
            agent (AgentRef):
            created_at (datetime.datetime):
            direction (CallLogDirection):
            duration_s (float | None):
            end_reason (None | str):
            ended_at (datetime.datetime | None):
            escalation (EscalationOut):
            from_number (str):
            id (str): The Twilio CallSid
            started_at (datetime.datetime | None):
            status (CallStatus): Twilio's call statuses (PROTOCOLS C.4), ``initiated`` included.
            summary (None | str):
            to_number (str):
            turns (int):
     """

    agent: AgentRef
    created_at: datetime.datetime
    direction: CallLogDirection
    duration_s: float | None
    end_reason: None | str
    ended_at: datetime.datetime | None
    escalation: EscalationOut
    from_number: str
    id: str
    started_at: datetime.datetime | None
    status: CallStatus
    summary: None | str
    to_number: str
    turns: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.agent_ref import AgentRef # noqa: PLC0415
        from ..models.escalation_out import EscalationOut # noqa: PLC0415
        agent = self.agent.to_dict()

        created_at = self.created_at.isoformat()

        direction = self.direction.value

        duration_s: float | None
        duration_s = self.duration_s

        end_reason: None | str
        end_reason = self.end_reason

        ended_at: None | str
        if isinstance(self.ended_at, datetime.datetime):
            ended_at = self.ended_at.isoformat()
        else:
            ended_at = self.ended_at

        escalation = self.escalation.to_dict()

        from_number = self.from_number

        id = self.id

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        status = self.status.value

        summary: None | str
        summary = self.summary

        to_number = self.to_number

        turns = self.turns


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "agent": agent,
            "created_at": created_at,
            "direction": direction,
            "duration_s": duration_s,
            "end_reason": end_reason,
            "ended_at": ended_at,
            "escalation": escalation,
            "from_number": from_number,
            "id": id,
            "started_at": started_at,
            "status": status,
            "summary": summary,
            "to_number": to_number,
            "turns": turns,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agent_ref import AgentRef # noqa: PLC0415
        from ..models.escalation_out import EscalationOut # noqa: PLC0415
        d = dict(src_dict)
        agent = AgentRef.from_dict(d.pop("agent"))




        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        direction = CallLogDirection(d.pop("direction"))




        def _parse_duration_s(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        duration_s = _parse_duration_s(d.pop("duration_s"))


        def _parse_end_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        end_reason = _parse_end_reason(d.pop("end_reason"))


        def _parse_ended_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ended_at_type_0 = datetime.datetime.fromisoformat(data)



                return ended_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        ended_at = _parse_ended_at(d.pop("ended_at"))


        escalation = EscalationOut.from_dict(d.pop("escalation"))




        from_number = d.pop("from_number")

        id = d.pop("id")

        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)



                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("started_at"))


        status = CallStatus(d.pop("status"))




        def _parse_summary(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        summary = _parse_summary(d.pop("summary"))


        to_number = d.pop("to_number")

        turns = d.pop("turns")

        call_log = cls(
            agent=agent,
            created_at=created_at,
            direction=direction,
            duration_s=duration_s,
            end_reason=end_reason,
            ended_at=ended_at,
            escalation=escalation,
            from_number=from_number,
            id=id,
            started_at=started_at,
            status=status,
            summary=summary,
            to_number=to_number,
            turns=turns,
        )


        call_log.additional_properties = d
        return call_log

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

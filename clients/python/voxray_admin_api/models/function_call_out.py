from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.function_call_out_status import FunctionCallOutStatus
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="FunctionCallOut")



@_attrs_define
class FunctionCallOut:
    """ 
        Attributes:
            arguments (Any): The arguments as JSON (a string if the model sent invalid JSON)
            at_ms (int):
            call_id (str):
            latency_ms (float | None):
            name (str):
            status (FunctionCallOutStatus):
            result (Any | Unset):
     """

    arguments: Any
    at_ms: int
    call_id: str
    latency_ms: float | None
    name: str
    status: FunctionCallOutStatus
    result: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        arguments = self.arguments

        at_ms = self.at_ms

        call_id = self.call_id

        latency_ms: float | None
        latency_ms = self.latency_ms

        name = self.name

        status = self.status.value

        result = self.result


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "arguments": arguments,
            "at_ms": at_ms,
            "call_id": call_id,
            "latency_ms": latency_ms,
            "name": name,
            "status": status,
        })
        if result is not UNSET:
            field_dict["result"] = result

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        arguments = d.pop("arguments")

        at_ms = d.pop("at_ms")

        call_id = d.pop("call_id")

        def _parse_latency_ms(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        latency_ms = _parse_latency_ms(d.pop("latency_ms"))


        name = d.pop("name")

        status = FunctionCallOutStatus(d.pop("status"))




        result = d.pop("result", UNSET)

        function_call_out = cls(
            arguments=arguments,
            at_ms=at_ms,
            call_id=call_id,
            latency_ms=latency_ms,
            name=name,
            status=status,
            result=result,
        )


        function_call_out.additional_properties = d
        return function_call_out

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

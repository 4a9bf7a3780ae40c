from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.tool_spec_parameters import ToolSpecParameters





T = TypeVar("T", bound="ToolSpec")



@_attrs_define
class ToolSpec:
    """ A tenant workflow tool: the model calls it; the session POSTs the arguments to ``endpoint``.

        Attributes:
            description (str):
            endpoint (str):
            name (str):
            filler_after_ms (int | Unset):  Default: 1500.
            filler_text (str | Unset):  Default: 'One moment while I look that up.'.
            parameters (ToolSpecParameters | Unset):
            retries (int | Unset):  Default: 1.
            retry_backoff_s (float | Unset):  Default: 0.3.
            speak_while_running (bool | Unset):  Default: True.
            timeout_s (float | Unset):  Default: 5.0.
     """

    description: str
    endpoint: str
    name: str
    filler_after_ms: int | Unset = 1500
    filler_text: str | Unset = 'One moment while I look that up.'
    parameters: ToolSpecParameters | Unset = UNSET
    retries: int | Unset = 1
    retry_backoff_s: float | Unset = 0.3
    speak_while_running: bool | Unset = True
    timeout_s: float | Unset = 5.0





    def to_dict(self) -> dict[str, Any]:
        from ..models.tool_spec_parameters import ToolSpecParameters # noqa: PLC0415
        description = self.description

        endpoint = self.endpoint

        name = self.name

        filler_after_ms = self.filler_after_ms

        filler_text = self.filler_text

        parameters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = self.parameters.to_dict()

        retries = self.retries

        retry_backoff_s = self.retry_backoff_s

        speak_while_running = self.speak_while_running

        timeout_s = self.timeout_s


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "description": description,
            "endpoint": endpoint,
            "name": name,
        })
        if filler_after_ms is not UNSET:
            field_dict["filler_after_ms"] = filler_after_ms
        if filler_text is not UNSET:
            field_dict["filler_text"] = filler_text
        if parameters is not UNSET:
            field_dict["parameters"] = parameters
        if retries is not UNSET:
            field_dict["retries"] = retries
        if retry_backoff_s is not UNSET:
            field_dict["retry_backoff_s"] = retry_backoff_s
        if speak_while_running is not UNSET:
            field_dict["speak_while_running"] = speak_while_running
        if timeout_s is not UNSET:
            field_dict["timeout_s"] = timeout_s

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tool_spec_parameters import ToolSpecParameters # noqa: PLC0415
        d = dict(src_dict)
        description = d.pop("description")

        endpoint = d.pop("endpoint")

        name = d.pop("name")

        filler_after_ms = d.pop("filler_after_ms", UNSET)

        filler_text = d.pop("filler_text", UNSET)

        _parameters = d.pop("parameters", UNSET)
        parameters: ToolSpecParameters | Unset
        if isinstance(_parameters,  Unset):
            parameters = UNSET
        else:
            parameters = ToolSpecParameters.from_dict(_parameters)




        retries = d.pop("retries", UNSET)

        retry_backoff_s = d.pop("retry_backoff_s", UNSET)

        speak_while_running = d.pop("speak_while_running", UNSET)

        timeout_s = d.pop("timeout_s", UNSET)

        tool_spec = cls(
            description=description,
            endpoint=endpoint,
            name=name,
            filler_after_ms=filler_after_ms,
            filler_text=filler_text,
            parameters=parameters,
            retries=retries,
            retry_backoff_s=retry_backoff_s,
            speak_while_running=speak_while_running,
            timeout_s=timeout_s,
        )

        return tool_spec


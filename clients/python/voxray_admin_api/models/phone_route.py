from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.canary import Canary
  from ..models.kill_switch import KillSwitch





T = TypeVar("T", bound="PhoneRoute")



@_attrs_define
class PhoneRoute:
    """ 
        Attributes:
            agent (str):
            number (str):
            stable_version (int):
            tenant_id (str):
            canary (Canary | None | Unset):
            kill_switch (KillSwitch | None | Unset):
            last_rollout (Canary | None | Unset):
     """

    agent: str
    number: str
    stable_version: int
    tenant_id: str
    canary: Canary | None | Unset = UNSET
    kill_switch: KillSwitch | None | Unset = UNSET
    last_rollout: Canary | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.canary import Canary # noqa: PLC0415
        from ..models.kill_switch import KillSwitch # noqa: PLC0415
        agent = self.agent

        number = self.number

        stable_version = self.stable_version

        tenant_id = self.tenant_id

        canary: dict[str, Any] | None | Unset
        if isinstance(self.canary, Unset):
            canary = UNSET
        elif isinstance(self.canary, Canary):
            canary = self.canary.to_dict()
        else:
            canary = self.canary

        kill_switch: dict[str, Any] | None | Unset
        if isinstance(self.kill_switch, Unset):
            kill_switch = UNSET
        elif isinstance(self.kill_switch, KillSwitch):
            kill_switch = self.kill_switch.to_dict()
        else:
            kill_switch = self.kill_switch

        last_rollout: dict[str, Any] | None | Unset
        if isinstance(self.last_rollout, Unset):
            last_rollout = UNSET
        elif isinstance(self.last_rollout, Canary):
            last_rollout = self.last_rollout.to_dict()
        else:
            last_rollout = self.last_rollout


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "agent": agent,
            "number": number,
            "stable_version": stable_version,
            "tenant_id": tenant_id,
        })
        if canary is not UNSET:
            field_dict["canary"] = canary
        if kill_switch is not UNSET:
            field_dict["kill_switch"] = kill_switch
        if last_rollout is not UNSET:
            field_dict["last_rollout"] = last_rollout

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.canary import Canary # noqa: PLC0415
        from ..models.kill_switch import KillSwitch # noqa: PLC0415
        d = dict(src_dict)
        agent = d.pop("agent")

        number = d.pop("number")

        stable_version = d.pop("stable_version")

        tenant_id = d.pop("tenant_id")

        def _parse_canary(data: object) -> Canary | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                canary_type_0 = Canary.from_dict(data)



                return canary_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Canary | None | Unset, data)

        canary = _parse_canary(d.pop("canary", UNSET))


        def _parse_kill_switch(data: object) -> KillSwitch | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                kill_switch_type_0 = KillSwitch.from_dict(data)



                return kill_switch_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(KillSwitch | None | Unset, data)

        kill_switch = _parse_kill_switch(d.pop("kill_switch", UNSET))


        def _parse_last_rollout(data: object) -> Canary | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                last_rollout_type_0 = Canary.from_dict(data)



                return last_rollout_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Canary | None | Unset, data)

        last_rollout = _parse_last_rollout(d.pop("last_rollout", UNSET))


        phone_route = cls(
            agent=agent,
            number=number,
            stable_version=stable_version,
            tenant_id=tenant_id,
            canary=canary,
            kill_switch=kill_switch,
            last_rollout=last_rollout,
        )

        return phone_route


from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.runtime_config import RuntimeConfig





T = TypeVar("T", bound="ConfigVersion")



@_attrs_define
class ConfigVersion:
    """ 
        Attributes:
            changed_at (datetime.datetime):
            changed_by (str):
            config (RuntimeConfig): What new calls of a tenant run with. Changes apply to calls set up after them.
            version (int):
     """

    changed_at: datetime.datetime
    changed_by: str
    config: RuntimeConfig
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.runtime_config import RuntimeConfig # noqa: PLC0415
        changed_at = self.changed_at.isoformat()

        changed_by = self.changed_by

        config = self.config.to_dict()

        version = self.version


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "changed_at": changed_at,
            "changed_by": changed_by,
            "config": config,
            "version": version,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.runtime_config import RuntimeConfig # noqa: PLC0415
        d = dict(src_dict)
        changed_at = datetime.datetime.fromisoformat(d.pop("changed_at"))




        changed_by = d.pop("changed_by")

        config = RuntimeConfig.from_dict(d.pop("config"))




        version = d.pop("version")

        config_version = cls(
            changed_at=changed_at,
            changed_by=changed_by,
            config=config,
            version=version,
        )


        config_version.additional_properties = d
        return config_version

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

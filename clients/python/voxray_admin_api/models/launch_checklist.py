from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.checklist_item import ChecklistItem





T = TypeVar("T", bound="LaunchChecklist")



@_attrs_define
class LaunchChecklist:
    """ What must be true before a version may be approved; one per version.

        Attributes:
            agent (str):
            items (list[ChecklistItem]):
            tenant_id (str):
            version (int):
     """

    agent: str
    items: list[ChecklistItem]
    tenant_id: str
    version: int





    def to_dict(self) -> dict[str, Any]:
        from ..models.checklist_item import ChecklistItem # noqa: PLC0415
        agent = self.agent

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)



        tenant_id = self.tenant_id

        version = self.version


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "agent": agent,
            "items": items,
            "tenant_id": tenant_id,
            "version": version,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.checklist_item import ChecklistItem # noqa: PLC0415
        d = dict(src_dict)
        agent = d.pop("agent")

        items = []
        _items = d.pop("items")
        for items_item_data in (_items):
            items_item = ChecklistItem.from_dict(items_item_data)



            items.append(items_item)


        tenant_id = d.pop("tenant_id")

        version = d.pop("version")

        launch_checklist = cls(
            agent=agent,
            items=items,
            tenant_id=tenant_id,
            version=version,
        )

        return launch_checklist


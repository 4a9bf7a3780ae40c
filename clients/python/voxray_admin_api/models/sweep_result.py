from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.sweep_report import SweepReport





T = TypeVar("T", bound="SweepResult")



@_attrs_define
class SweepResult:
    """ 
        Attributes:
            at (datetime.datetime):
            dry_run (bool):
            reports (list[SweepReport]): One per active rollout: the decision (with any breached guards) and the route after
                it (as it would be, on a dry run)
     """

    at: datetime.datetime
    dry_run: bool
    reports: list[SweepReport]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.sweep_report import SweepReport # noqa: PLC0415
        at = self.at.isoformat()

        dry_run = self.dry_run

        reports = []
        for reports_item_data in self.reports:
            reports_item = reports_item_data.to_dict()
            reports.append(reports_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "at": at,
            "dry_run": dry_run,
            "reports": reports,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sweep_report import SweepReport # noqa: PLC0415
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))




        dry_run = d.pop("dry_run")

        reports = []
        _reports = d.pop("reports")
        for reports_item_data in (_reports):
            reports_item = SweepReport.from_dict(reports_item_data)



            reports.append(reports_item)


        sweep_result = cls(
            at=at,
            dry_run=dry_run,
            reports=reports,
        )


        sweep_result.additional_properties = d
        return sweep_result

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

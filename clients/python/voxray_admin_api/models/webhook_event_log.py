from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.webhook_attempt import WebhookAttempt
  from ..models.webhook_delivery import WebhookDelivery
  from ..models.webhook_event_log_payload import WebhookEventLogPayload





T = TypeVar("T", bound="WebhookEventLog")



@_attrs_define
class WebhookEventLog:
    """ 
        Attributes:
            attempts (list[WebhookAttempt]):
            created_at (datetime.datetime):
            deliveries (list[WebhookDelivery]):
            event_id (str):
            event_type (str):
            payload (WebhookEventLogPayload): The body exactly as sent
     """

    attempts: list[WebhookAttempt]
    created_at: datetime.datetime
    deliveries: list[WebhookDelivery]
    event_id: str
    event_type: str
    payload: WebhookEventLogPayload
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.webhook_attempt import WebhookAttempt # noqa: PLC0415
        from ..models.webhook_delivery import WebhookDelivery # noqa: PLC0415
        from ..models.webhook_event_log_payload import WebhookEventLogPayload # noqa: PLC0415
        attempts = []
        for attempts_item_data in self.attempts:
            attempts_item = attempts_item_data.to_dict()
            attempts.append(attempts_item)



        created_at = self.created_at.isoformat()

        deliveries = []
        for deliveries_item_data in self.deliveries:
            deliveries_item = deliveries_item_data.to_dict()
            deliveries.append(deliveries_item)



        event_id = self.event_id

        event_type = self.event_type

        payload = self.payload.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "attempts": attempts,
            "created_at": created_at,
            "deliveries": deliveries,
            "event_id": event_id,
            "event_type": event_type,
            "payload": payload,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.webhook_attempt import WebhookAttempt # noqa: PLC0415
        from ..models.webhook_delivery import WebhookDelivery # noqa: PLC0415
        from ..models.webhook_event_log_payload import WebhookEventLogPayload # noqa: PLC0415
        d = dict(src_dict)
        attempts = []
        _attempts = d.pop("attempts")
        for attempts_item_data in (_attempts):
            attempts_item = WebhookAttempt.from_dict(attempts_item_data)



            attempts.append(attempts_item)


        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        deliveries = []
        _deliveries = d.pop("deliveries")
        for deliveries_item_data in (_deliveries):
            deliveries_item = WebhookDelivery.from_dict(deliveries_item_data)



            deliveries.append(deliveries_item)


        event_id = d.pop("event_id")

        event_type = d.pop("event_type")

        payload = WebhookEventLogPayload.from_dict(d.pop("payload"))




        webhook_event_log = cls(
            attempts=attempts,
            created_at=created_at,
            deliveries=deliveries,
            event_id=event_id,
            event_type=event_type,
            payload=payload,
        )


        webhook_event_log.additional_properties = d
        return webhook_event_log

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

from enum import StrEnum

class DeliveryState(StrEnum):
    DEAD = "dead"
    DELIVERED = "delivered"
    FAILED = "failed"
    PENDING = "pending"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum

class SweepAction(StrEnum):
    COMPLETE = "complete"
    HOLD = "hold"
    PROMOTE = "promote"
    ROLLBACK = "rollback"

    def __str__(self) -> str:
        return str(self.value)

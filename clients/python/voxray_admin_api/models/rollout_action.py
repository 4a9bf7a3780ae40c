from enum import StrEnum

class RolloutAction(StrEnum):
    ABORT = "abort"
    COMPLETE = "complete"
    PAUSE = "pause"
    PROMOTE = "promote"
    RESUME = "resume"
    ROLLBACK = "rollback"
    START = "start"

    def __str__(self) -> str:
        return str(self.value)

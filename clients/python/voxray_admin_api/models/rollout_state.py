from enum import StrEnum

class RolloutState(StrEnum):
    ABORTED = "aborted"
    COMPLETED = "completed"
    PAUSED = "paused"
    ROLLED_BACK = "rolled_back"
    RUNNING = "running"

    def __str__(self) -> str:
        return str(self.value)

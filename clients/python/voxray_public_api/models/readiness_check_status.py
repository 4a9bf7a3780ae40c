from enum import StrEnum

class ReadinessCheckStatus(StrEnum):
    FAILING = "failing"
    OK = "ok"
    WARNING = "warning"

    def __str__(self) -> str:
        return str(self.value)

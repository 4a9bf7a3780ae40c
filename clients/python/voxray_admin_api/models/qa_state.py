from enum import StrEnum

class QaState(StrEnum):
    FAILED = "failed"
    PASSED = "passed"
    UNREVIEWED = "unreviewed"

    def __str__(self) -> str:
        return str(self.value)

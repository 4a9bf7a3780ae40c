from enum import StrEnum

class VersionAction(StrEnum):
    APPROVE = "approve"
    CREATE = "create"
    EDIT = "edit"
    GO_LIVE = "go_live"
    REJECT = "reject"
    RETIRE = "retire"
    STAGE = "stage"
    WITHDRAW = "withdraw"

    def __str__(self) -> str:
        return str(self.value)

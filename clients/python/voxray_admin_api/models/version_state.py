from enum import StrEnum

class VersionState(StrEnum):
    APPROVED = "approved"
    DRAFT = "draft"
    LIVE = "live"
    REJECTED = "rejected"
    RETIRED = "retired"
    STAGED = "staged"

    def __str__(self) -> str:
        return str(self.value)

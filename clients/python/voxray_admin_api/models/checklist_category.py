from enum import StrEnum

class ChecklistCategory(StrEnum):
    BUSINESS = "business"
    MONITORING = "monitoring"
    OPERATIONS = "operations"
    RUNTIME = "runtime"
    SECURITY = "security"

    def __str__(self) -> str:
        return str(self.value)

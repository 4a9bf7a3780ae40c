from enum import StrEnum

class TenantPatchIsolationType0(StrEnum):
    DEDICATED = "dedicated"
    SHARED = "shared"

    def __str__(self) -> str:
        return str(self.value)

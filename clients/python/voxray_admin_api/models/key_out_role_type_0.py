from enum import StrEnum

class KeyOutRoleType0(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum

class AdminKeyCreateRole(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"

    def __str__(self) -> str:
        return str(self.value)

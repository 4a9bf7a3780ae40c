from enum import StrEnum

class NewKeyRoleType0(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"

    def __str__(self) -> str:
        return str(self.value)

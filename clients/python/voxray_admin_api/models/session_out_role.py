from enum import StrEnum

class SessionOutRole(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum

class EscalationOutByType0(StrEnum):
    OPERATOR = "operator"
    RULE = "rule"
    TOOL = "tool"

    def __str__(self) -> str:
        return str(self.value)

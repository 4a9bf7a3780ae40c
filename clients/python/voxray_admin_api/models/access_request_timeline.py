from enum import StrEnum

class AccessRequestTimeline(StrEnum):
    LATER = "later"
    NOW = "now"
    VALUE_1 = "1-3 months"
    VALUE_2 = "3-6 months"

    def __str__(self) -> str:
        return str(self.value)

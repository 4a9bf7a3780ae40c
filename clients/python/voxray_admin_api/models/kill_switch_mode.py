from enum import StrEnum

class KillSwitchMode(StrEnum):
    FALLBACK = "fallback"
    STABLE = "stable"

    def __str__(self) -> str:
        return str(self.value)

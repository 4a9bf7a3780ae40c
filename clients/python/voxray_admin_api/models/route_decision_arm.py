from enum import StrEnum

class RouteDecisionArm(StrEnum):
    CANARY = "canary"
    FALLBACK = "fallback"
    STABLE = "stable"

    def __str__(self) -> str:
        return str(self.value)

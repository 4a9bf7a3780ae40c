from enum import StrEnum

class BreachKind(StrEnum):
    ABSOLUTE_DELTA = "absolute_delta"
    ABSOLUTE_MAX = "absolute_max"
    RATIO_VS_STABLE = "ratio_vs_stable"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum

class KeyKind(StrEnum):
    VXA = "vxa"
    VXK = "vxk"

    def __str__(self) -> str:
        return str(self.value)

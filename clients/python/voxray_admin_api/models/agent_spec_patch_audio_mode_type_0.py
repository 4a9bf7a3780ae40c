from enum import StrEnum

class AgentSpecPatchAudioModeType0(StrEnum):
    PCM16 = "pcm16"
    PCMU = "pcmu"

    def __str__(self) -> str:
        return str(self.value)

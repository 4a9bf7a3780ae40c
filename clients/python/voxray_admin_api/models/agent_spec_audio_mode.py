from enum import StrEnum

class AgentSpecAudioMode(StrEnum):
    PCM16 = "pcm16"
    PCMU = "pcmu"

    def __str__(self) -> str:
        return str(self.value)

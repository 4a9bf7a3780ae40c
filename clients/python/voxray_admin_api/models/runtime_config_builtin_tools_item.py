from enum import StrEnum

class RuntimeConfigBuiltinToolsItem(StrEnum):
    COLLECT_DTMF = "collect_dtmf"
    END_CALL = "end_call"
    SEND_DTMF = "send_dtmf"
    TRANSFER_TO_OPERATOR = "transfer_to_operator"

    def __str__(self) -> str:
        return str(self.value)

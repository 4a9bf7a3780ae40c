from enum import StrEnum

class ReadinessCheckName(StrEnum):
    AGENT_CONFIG = "agent_config"
    KILL_SWITCH = "kill_switch"
    LIMITS = "limits"
    PHONE_NUMBERS = "phone_numbers"
    TOOLS = "tools"
    TWILIO_CREDENTIALS = "twilio_credentials"
    WEBHOOKS = "webhooks"

    def __str__(self) -> str:
        return str(self.value)

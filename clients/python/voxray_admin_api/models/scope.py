from enum import StrEnum

class Scope(StrEnum):
    CALLSREAD = "calls:read"
    CALLSWRITE = "calls:write"
    LOGSREAD = "logs:read"
    SESSIONSREAD = "sessions:read"
    SESSIONSWRITE = "sessions:write"
    WEBHOOKSREAD = "webhooks:read"
    WEBHOOKSWRITE = "webhooks:write"

    def __str__(self) -> str:
        return str(self.value)

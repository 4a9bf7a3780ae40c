from enum import StrEnum

class GuardMetric(StrEnum):
    ESCALATION_RATE = "escalation_rate"
    FAILURE_RATE = "failure_rate"
    QA_FAILURE_RATE = "qa_failure_rate"
    TOOL_ERROR_RATE = "tool_error_rate"
    TURN_LATENCY_P95_MS = "turn_latency_p95_ms"

    def __str__(self) -> str:
        return str(self.value)

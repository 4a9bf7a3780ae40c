from enum import StrEnum

class EventType(StrEnum):
    CALL_ANSWERED = "call.answered"
    CALL_COMPLETED = "call.completed"
    CALL_FAILED = "call.failed"
    CALL_INITIATED = "call.initiated"
    CALL_RINGING = "call.ringing"
    HANDOFF_REQUESTED = "handoff.requested"
    ROLLOUT_HELD = "rollout.held"
    ROLLOUT_PROMOTED = "rollout.promoted"
    ROLLOUT_ROLLED_BACK = "rollout.rolled_back"
    SESSION_COMPLETED = "session.completed"
    SESSION_STARTED = "session.started"
    TOOL_CALLED = "tool.called"
    TRANSCRIPT_READY = "transcript.ready"
    WEBHOOK_TEST = "webhook.test"

    def __str__(self) -> str:
        return str(self.value)

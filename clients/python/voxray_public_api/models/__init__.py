""" Contains all the data models used in inputs/outputs """

from .access_request import AccessRequest
from .access_request_in import AccessRequestIn
from .access_request_in_timeline import AccessRequestInTimeline
from .access_request_timeline import AccessRequestTimeline
from .access_state import AccessState
from .agent_ref import AgentRef
from .call_log import CallLog
from .call_log_direction import CallLogDirection
from .call_status import CallStatus
from .delivery_state import DeliveryState
from .escalation_out import EscalationOut
from .escalation_out_by_type_0 import EscalationOutByType0
from .event_type import EventType
from .function_call_out import FunctionCallOut
from .function_call_out_status import FunctionCallOutStatus
from .list_call_logs_direction_type_0 import ListCallLogsDirectionType0
from .list_voice_sessions_direction_type_0 import ListVoiceSessionsDirectionType0
from .make_call import MakeCall
from .page_call_log import PageCallLog
from .page_voice_session_brief import PageVoiceSessionBrief
from .page_webhook_delivery import PageWebhookDelivery
from .placed_call_out import PlacedCallOut
from .problem import Problem
from .problem_errors_item import ProblemErrorsItem
from .qa_patch import QaPatch
from .qa_state import QaState
from .readiness import Readiness
from .readiness_check import ReadinessCheck
from .readiness_check_name import ReadinessCheckName
from .readiness_check_status import ReadinessCheckStatus
from .readiness_missing_item import ReadinessMissingItem
from .session_patch import SessionPatch
from .session_review_qa import SessionReviewQa
from .speaker import Speaker
from .transcript_line import TranscriptLine
from .twilio_voice_request import TwilioVoiceRequest
from .voice_session import VoiceSession
from .voice_session_brief import VoiceSessionBrief
from .webhook_attempt import WebhookAttempt
from .webhook_delivery import WebhookDelivery
from .webhook_endpoint import WebhookEndpoint
from .webhook_endpoint_in import WebhookEndpointIn
from .webhook_endpoint_with_secret import WebhookEndpointWithSecret
from .webhook_event_log import WebhookEventLog
from .webhook_event_log_payload import WebhookEventLogPayload
from .webhook_event_sent import WebhookEventSent
from .webhook_event_type import WebhookEventType

__all__ = (
    "AccessRequest",
    "AccessRequestIn",
    "AccessRequestInTimeline",
    "AccessRequestTimeline",
    "AccessState",
    "AgentRef",
    "CallLog",
    "CallLogDirection",
    "CallStatus",
    "DeliveryState",
    "EscalationOut",
    "EscalationOutByType0",
    "EventType",
    "FunctionCallOut",
    "FunctionCallOutStatus",
    "ListCallLogsDirectionType0",
    "ListVoiceSessionsDirectionType0",
    "MakeCall",
    "PageCallLog",
    "PageVoiceSessionBrief",
    "PageWebhookDelivery",
    "PlacedCallOut",
    "Problem",
    "ProblemErrorsItem",
    "QaPatch",
    "QaState",
    "Readiness",
    "ReadinessCheck",
    "ReadinessCheckName",
    "ReadinessCheckStatus",
    "ReadinessMissingItem",
    "SessionPatch",
    "SessionReviewQa",
    "Speaker",
    "TranscriptLine",
    "TwilioVoiceRequest",
    "VoiceSession",
    "VoiceSessionBrief",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEndpointIn",
    "WebhookEndpointWithSecret",
    "WebhookEventLog",
    "WebhookEventLogPayload",
    "WebhookEventSent",
    "WebhookEventType",
)

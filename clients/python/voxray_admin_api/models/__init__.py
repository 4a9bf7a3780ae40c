""" Contains all the data models used in inputs/outputs """

from .access_request import AccessRequest
from .access_request_list import AccessRequestList
from .access_request_timeline import AccessRequestTimeline
from .access_state import AccessState
from .admin_drain_node_response_admin_drain_node import AdminDrainNodeResponseAdminDrainNode
from .admin_key_create import AdminKeyCreate
from .admin_key_create_role import AdminKeyCreateRole
from .admin_list_call_logs_direction_type_0 import AdminListCallLogsDirectionType0
from .agent_ref import AgentRef
from .agent_spec import AgentSpec
from .agent_spec_audio_mode import AgentSpecAudioMode
from .agent_spec_patch import AgentSpecPatch
from .agent_spec_patch_audio_mode_type_0 import AgentSpecPatchAudioModeType0
from .agent_spec_patch_tools_type_0_item import AgentSpecPatchToolsType0Item
from .agent_spec_tools_item import AgentSpecToolsItem
from .agent_version import AgentVersion
from .approval import Approval
from .approval_isolation import ApprovalIsolation
from .approved import Approved
from .audit_entry import AuditEntry
from .audit_entry_details import AuditEntryDetails
from .breach import Breach
from .breach_kind import BreachKind
from .call_log import CallLog
from .call_log_direction import CallLogDirection
from .call_status import CallStatus
from .canary import Canary
from .checklist_category import ChecklistCategory
from .checklist_item import ChecklistItem
from .checklist_note import ChecklistNote
from .config_history import ConfigHistory
from .config_version import ConfigVersion
from .delivery_state import DeliveryState
from .ending_call import EndingCall
from .escalation_out import EscalationOut
from .escalation_out_by_type_0 import EscalationOutByType0
from .event_type import EventType
from .function_call_out import FunctionCallOut
from .function_call_out_status import FunctionCallOutStatus
from .guard import Guard
from .guard_metric import GuardMetric
from .handoff_rules import HandoffRules
from .handoff_rules_transfer_mode import HandoffRulesTransferMode
from .key_create import KeyCreate
from .key_kind import KeyKind
from .key_out import KeyOut
from .key_out_role_type_0 import KeyOutRoleType0
from .kill_switch import KillSwitch
from .kill_switch_in import KillSwitchIn
from .kill_switch_in_mode import KillSwitchInMode
from .kill_switch_mode import KillSwitchMode
from .launch_checklist import LaunchChecklist
from .lifecycle_event import LifecycleEvent
from .live_agent import LiveAgent
from .live_session import LiveSession
from .login import Login
from .named_policy import NamedPolicy
from .new_key import NewKey
from .new_key_role_type_0 import NewKeyRoleType0
from .optional_reason import OptionalReason
from .page_audit_entry import PageAuditEntry
from .page_call_log import PageCallLog
from .page_webhook_delivery import PageWebhookDelivery
from .phone_route import PhoneRoute
from .pool_status import PoolStatus
from .pool_status_actors_item import PoolStatusActorsItem
from .problem import Problem
from .problem_errors_item import ProblemErrorsItem
from .qa_state import QaState
from .rate_limits import RateLimits
from .reason import Reason
from .rejection import Rejection
from .rollout_action import RolloutAction
from .rollout_event import RolloutEvent
from .rollout_policy import RolloutPolicy
from .rollout_start import RolloutStart
from .rollout_state import RolloutState
from .route_decision import RouteDecision
from .route_decision_arm import RouteDecisionArm
from .route_preview import RoutePreview
from .route_put import RoutePut
from .runtime_config import RuntimeConfig
from .runtime_config_audio_mode import RuntimeConfigAudioMode
from .runtime_config_builtin_tools_item import RuntimeConfigBuiltinToolsItem
from .scope import Scope
from .session_out import SessionOut
from .session_out_role import SessionOutRole
from .session_review_qa import SessionReviewQa
from .signing_secret import SigningSecret
from .speaker import Speaker
from .sweep_action import SweepAction
from .sweep_decision import SweepDecision
from .sweep_report import SweepReport
from .sweep_request import SweepRequest
from .sweep_result import SweepResult
from .telephony_config import TelephonyConfig
from .tenant_create import TenantCreate
from .tenant_create_isolation import TenantCreateIsolation
from .tenant_out import TenantOut
from .tenant_patch import TenantPatch
from .tenant_patch_isolation_type_0 import TenantPatchIsolationType0
from .tool_spec import ToolSpec
from .tool_spec_parameters import ToolSpecParameters
from .transcript_line import TranscriptLine
from .vad_config import VadConfig
from .version_action import VersionAction
from .version_state import VersionState
from .voice_session import VoiceSession
from .webhook_attempt import WebhookAttempt
from .webhook_delivery import WebhookDelivery
from .webhook_event_log import WebhookEventLog
from .webhook_event_log_payload import WebhookEventLogPayload
from .window_metrics import WindowMetrics

__all__ = (
    "AccessRequest",
    "AccessRequestList",
    "AccessRequestTimeline",
    "AccessState",
    "AdminDrainNodeResponseAdminDrainNode",
    "AdminKeyCreate",
    "AdminKeyCreateRole",
    "AdminListCallLogsDirectionType0",
    "AgentRef",
    "AgentSpec",
    "AgentSpecAudioMode",
    "AgentSpecPatch",
    "AgentSpecPatchAudioModeType0",
    "AgentSpecPatchToolsType0Item",
    "AgentSpecToolsItem",
    "AgentVersion",
    "Approval",
    "ApprovalIsolation",
    "Approved",
    "AuditEntry",
    "AuditEntryDetails",
    "Breach",
    "BreachKind",
    "CallLog",
    "CallLogDirection",
    "CallStatus",
    "Canary",
    "ChecklistCategory",
    "ChecklistItem",
    "ChecklistNote",
    "ConfigHistory",
    "ConfigVersion",
    "DeliveryState",
    "EndingCall",
    "EscalationOut",
    "EscalationOutByType0",
    "EventType",
    "FunctionCallOut",
    "FunctionCallOutStatus",
    "Guard",
    "GuardMetric",
    "HandoffRules",
    "HandoffRulesTransferMode",
    "KeyCreate",
    "KeyKind",
    "KeyOut",
    "KeyOutRoleType0",
    "KillSwitch",
    "KillSwitchIn",
    "KillSwitchInMode",
    "KillSwitchMode",
    "LaunchChecklist",
    "LifecycleEvent",
    "LiveAgent",
    "LiveSession",
    "Login",
    "NamedPolicy",
    "NewKey",
    "NewKeyRoleType0",
    "OptionalReason",
    "PageAuditEntry",
    "PageCallLog",
    "PageWebhookDelivery",
    "PhoneRoute",
    "PoolStatus",
    "PoolStatusActorsItem",
    "Problem",
    "ProblemErrorsItem",
    "QaState",
    "RateLimits",
    "Reason",
    "Rejection",
    "RolloutAction",
    "RolloutEvent",
    "RolloutPolicy",
    "RolloutStart",
    "RolloutState",
    "RouteDecision",
    "RouteDecisionArm",
    "RoutePreview",
    "RoutePut",
    "RuntimeConfig",
    "RuntimeConfigAudioMode",
    "RuntimeConfigBuiltinToolsItem",
    "Scope",
    "SessionOut",
    "SessionOutRole",
    "SessionReviewQa",
    "SigningSecret",
    "Speaker",
    "SweepAction",
    "SweepDecision",
    "SweepReport",
    "SweepRequest",
    "SweepResult",
    "TelephonyConfig",
    "TenantCreate",
    "TenantCreateIsolation",
    "TenantOut",
    "TenantPatch",
    "TenantPatchIsolationType0",
    "ToolSpec",
    "ToolSpecParameters",
    "TranscriptLine",
    "VadConfig",
    "VersionAction",
    "VersionState",
    "VoiceSession",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEventLog",
    "WebhookEventLogPayload",
    "WindowMetrics",
)

""" Contains all the data models used in inputs/outputs """

from .access_request import AccessRequest
from .access_request_list import AccessRequestList
from .access_request_timeline import AccessRequestTimeline
from .access_state import AccessState
from .admin_key_create import AdminKeyCreate
from .admin_key_create_role import AdminKeyCreateRole
from .agent_spec import AgentSpec
from .agent_spec_audio_mode import AgentSpecAudioMode
from .agent_spec_patch import AgentSpecPatch
from .agent_spec_patch_audio_mode_type_0 import AgentSpecPatchAudioModeType0
from .agent_spec_patch_tools_type_0_item import AgentSpecPatchToolsType0Item
from .agent_spec_tools_item import AgentSpecToolsItem
from .agent_version import AgentVersion
from .approval import Approval
from .approved import Approved
from .audit_entry import AuditEntry
from .audit_entry_details import AuditEntryDetails
from .breach import Breach
from .breach_kind import BreachKind
from .canary import Canary
from .checklist_category import ChecklistCategory
from .checklist_item import ChecklistItem
from .checklist_note import ChecklistNote
from .config_history import ConfigHistory
from .config_version import ConfigVersion
from .ending_call import EndingCall
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
from .phone_route import PhoneRoute
from .problem import Problem
from .problem_errors_item import ProblemErrorsItem
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
from .signing_secret import SigningSecret
from .sweep_action import SweepAction
from .sweep_decision import SweepDecision
from .sweep_report import SweepReport
from .sweep_request import SweepRequest
from .sweep_result import SweepResult
from .telephony_config import TelephonyConfig
from .tenant_create import TenantCreate
from .tenant_out import TenantOut
from .tenant_patch import TenantPatch
from .tool_spec import ToolSpec
from .tool_spec_parameters import ToolSpecParameters
from .vad_config import VadConfig
from .version_action import VersionAction
from .version_state import VersionState
from .window_metrics import WindowMetrics

__all__ = (
    "AccessRequest",
    "AccessRequestList",
    "AccessRequestTimeline",
    "AccessState",
    "AdminKeyCreate",
    "AdminKeyCreateRole",
    "AgentSpec",
    "AgentSpecAudioMode",
    "AgentSpecPatch",
    "AgentSpecPatchAudioModeType0",
    "AgentSpecPatchToolsType0Item",
    "AgentSpecToolsItem",
    "AgentVersion",
    "Approval",
    "Approved",
    "AuditEntry",
    "AuditEntryDetails",
    "Breach",
    "BreachKind",
    "Canary",
    "ChecklistCategory",
    "ChecklistItem",
    "ChecklistNote",
    "ConfigHistory",
    "ConfigVersion",
    "EndingCall",
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
    "PhoneRoute",
    "Problem",
    "ProblemErrorsItem",
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
    "SigningSecret",
    "SweepAction",
    "SweepDecision",
    "SweepReport",
    "SweepRequest",
    "SweepResult",
    "TelephonyConfig",
    "TenantCreate",
    "TenantOut",
    "TenantPatch",
    "ToolSpec",
    "ToolSpecParameters",
    "VadConfig",
    "VersionAction",
    "VersionState",
    "WindowMetrics",
)

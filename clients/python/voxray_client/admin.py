"""The admin API client (``vxa_…`` keys): the generated ``voxray_admin_api`` with the same
retries, request ids and typed errors, and the steps of the governed launch path."""

from __future__ import annotations

import time
from typing import Any, Callable

import httpx

from voxray_admin_api import AuthenticatedClient
from voxray_admin_api.api.admin import admin_create_api_key, admin_create_tenant, admin_put_runtime_config
from voxray_admin_api.api.admin_governance import (admin_approve_agent_version, admin_complete_checklist_item,
                                                   admin_create_agent_version, admin_get_launch_checklist,
                                                   admin_rollout_sweep, admin_stage_agent_version)
from voxray_admin_api.models import (AgentSpec, AgentVersion, NewKey, ChecklistNote, ConfigVersion, KeyCreate,
                                     RuntimeConfig, SweepRequest, SweepResult, TenantCreate, TenantOut)
from voxray_client.base import BaseClient, httpx_args, timeout
from voxray_client.transport import RetryPolicy


class AdminClient(BaseClient):
    def __init__(self, base_url: str, admin_key: str, *, timeout_s: float = 30.0,
                 retry: RetryPolicy = RetryPolicy(), transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._generated = AuthenticatedClient(base_url=base_url, token=admin_key, timeout=timeout(timeout_s),
                                              httpx_args=httpx_args(retry, transport, sleep))

    def create_tenant(self, **fields: Any) -> TenantOut:
        result: TenantOut = self.call(admin_create_tenant.sync_detailed, body=TenantCreate.from_dict(fields))
        return result

    def create_api_key(self, tenant_id: str, name: str, scopes: list[str] | None = None) -> NewKey:
        body = KeyCreate.from_dict({"name": name, **({"scopes": scopes} if scopes is not None else {})})
        result: NewKey = self.call(admin_create_api_key.sync_detailed, tenant_id, body=body)
        return result

    def put_runtime_config(self, tenant_id: str, **config: Any) -> ConfigVersion:
        result: ConfigVersion = self.call(admin_put_runtime_config.sync_detailed, tenant_id,
                                          body=RuntimeConfig.from_dict(config))
        return result

    def create_agent_version(self, tenant_id: str, agent: str, **spec: Any) -> AgentVersion:
        result: AgentVersion = self.call(admin_create_agent_version.sync_detailed, tenant_id, agent,
                                         body=AgentSpec.from_dict(spec))
        return result

    def complete_checklist(self, tenant_id: str, agent: str, number: int, note: str) -> int:
        """Complete every item of the version's launch checklist; returns how many there were."""
        checklist = self.call(admin_get_launch_checklist.sync_detailed, tenant_id, agent, number)
        for item in checklist.items:
            self.call(admin_complete_checklist_item.sync_detailed, tenant_id, agent, number, item.key,
                      body=ChecklistNote(note=note))
        return len(checklist.items)

    def stage(self, tenant_id: str, agent: str, number: int) -> AgentVersion:
        result: AgentVersion = self.call(admin_stage_agent_version.sync_detailed, tenant_id, agent, number)
        return result

    def approve(self, tenant_id: str, agent: str, number: int) -> AgentVersion:
        result: AgentVersion = self.call(admin_approve_agent_version.sync_detailed, tenant_id, agent, number)
        return result

    def sweep(self, *, dry_run: bool, tenant_id: str | None = None) -> SweepResult:
        body = SweepRequest.from_dict({"dry_run": dry_run, **({"tenant_id": tenant_id} if tenant_id else {})})
        result: SweepResult = self.call(admin_rollout_sweep.sync_detailed, body=body)
        return result

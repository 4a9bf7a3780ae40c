"""The admin path: create a tenant, issue its API key, set its runtime config, then take an agent
version through governance (draft, checklist, staged, approved by a second admin) and run a
rollout sweep as a dry run.

    VOXRAY_ADMIN_KEY=vxa_… VOXRAY_APPROVER_KEY=vxa_… TWILIO_ACCOUNT_SID=AC… TWILIO_AUTH_TOKEN=… \\
      python admin_path.py TENANT_ID +15550100001

Optional: TOOL_URL (adds the lookup_order tool and prints its signing secret), LOCAL_MODEL_SCRIPT.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from _env import base_url, env
from voxray_admin_api.api.admin import admin_rotate_tool_signing_secret
from voxray_client import AdminClient, ApiProblem

AGENT = "support"


def runtime_config(number: str) -> dict[str, Any]:
    config: dict[str, Any] = {"instructions": "You answer calls for Acme Plumbing. Be brief.",
                              "telephony": {"caller_id": number}}
    if os.environ.get("LOCAL_MODEL_SCRIPT"):
        config["local_model_script"] = os.environ["LOCAL_MODEL_SCRIPT"]
    if os.environ.get("TOOL_URL"):
        config["tools"] = [{"name": "lookup_order", "description": "Look up an order's status by its id.",
                            "endpoint": os.environ["TOOL_URL"],
                            "parameters": {"type": "object", "required": ["order_id"],
                                           "properties": {"order_id": {"type": "string"}}}}]
    return config


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit("usage: admin_path.py TENANT_ID PHONE_NUMBER")
    tenant, number = sys.argv[1], sys.argv[2]
    with AdminClient(base_url(), env("VOXRAY_ADMIN_KEY")) as admin, \
            AdminClient(base_url(), env("VOXRAY_APPROVER_KEY")) as approver:
        admin.create_tenant(id=tenant, name="Acme Plumbing", phone_numbers=[number],
                            twilio_account_sid=env("TWILIO_ACCOUNT_SID"), twilio_auth_token=env("TWILIO_AUTH_TOKEN"))
        print(f"tenant {tenant} created (numbers: {number})")
        key = admin.create_api_key(tenant, "integration")
        print(f"api key {key.id} for {tenant}: VOXRAY_API_KEY={key.key}")
        config = admin.put_runtime_config(tenant, **runtime_config(number))
        print(f"runtime config version {config.version}")
        if os.environ.get("TOOL_URL"):
            secret = admin.call(admin_rotate_tool_signing_secret.sync_detailed, tenant)
            print(f"tool signing secret: TOOL_SECRET={secret.tool_signing_secret}")
        version = admin.create_agent_version(tenant, AGENT, prompt_key="support-v1", model="gpt-realtime",
                                             prompt_text="You answer calls for Acme Plumbing. Be brief.",
                                             voice="marin")
        print(f"agent version {AGENT} v{version.number} {version.state.value}")
        checklist_items = admin.complete_checklist(tenant, AGENT, version.number, "checked by the launch team")
        print(f"checklist: {checklist_items} item(s) complete")
        staged = admin.stage(tenant, AGENT, version.number)
        print(f"agent version {AGENT} v{staged.number} {staged.state.value}")
        # The two-person rule: the author may not approve; a second admin (another person) does.
        approved = approver.approve(tenant, AGENT, version.number)
        print(f"agent version {AGENT} v{approved.number} {approved.state.value}")
        sweep = admin.sweep(dry_run=True, tenant_id=tenant)
        print(f"sweep (dry run={str(sweep.dry_run).lower()}): {len(sweep.reports)} report(s)")


if __name__ == "__main__":
    try:
        main()
    except ApiProblem as problem:
        sys.exit(f"error: {problem}")

#!/usr/bin/env bash
# The admin path: create a tenant, issue its API key, set its runtime config, then take an agent
# version through governance (draft, checklist, staged, approved by a second admin) and run a
# rollout sweep as a dry run.
#   VOXRAY_ADMIN_KEY=vxa_… VOXRAY_APPROVER_KEY=vxa_… TWILIO_ACCOUNT_SID=AC… TWILIO_AUTH_TOKEN=… \
#     ./admin-path.sh TENANT_ID +15550100001
# Optional: TOOL_URL (adds the lookup_order tool and prints its signing secret), LOCAL_MODEL_SCRIPT.
. "$(dirname "$0")/common.sh"
tenant=${1:?usage: admin-path.sh TENANT_ID PHONE_NUMBER} number=${2:?}
agent=support
A=/api/v1/admin T=/api/v1/admin/tenants/$tenant
api "$VOXRAY_ADMIN_KEY" POST $A/tenants "$(jq -nc --arg id "$tenant" --arg n "$number" \
  --arg sid "$TWILIO_ACCOUNT_SID" --arg tok "$TWILIO_AUTH_TOKEN" \
  '{id: $id, name: "Acme Plumbing", phone_numbers: [$n], twilio_account_sid: $sid, twilio_auth_token: $tok}')" >/dev/null
echo "tenant $tenant created (numbers: $number)"
api "$VOXRAY_ADMIN_KEY" POST "$T/api-keys" '{"name": "integration"}' |
  jq -r --arg t "$tenant" '"api key \(.id) for \($t): VOXRAY_API_KEY=\(.key)"'
config=$(jq -nc --arg n "$number" --arg script "${LOCAL_MODEL_SCRIPT:-}" --arg tool "${TOOL_URL:-}" '
  {instructions: "You answer calls for Acme Plumbing. Be brief.", telephony: {caller_id: $n}}
  + (if $script != "" then {local_model_script: $script} else {} end)
  + (if $tool != "" then {tools: [{name: "lookup_order", description: "Look up an order'"'"'s status by its id.",
       endpoint: $tool, parameters: {type: "object", required: ["order_id"],
                                     properties: {order_id: {type: "string"}}}}]} else {} end)')
api "$VOXRAY_ADMIN_KEY" PUT "$T/runtime-config" "$config" | jq -r '"runtime config version \(.version)"'
if [ -n "${TOOL_URL:-}" ]; then
  api "$VOXRAY_ADMIN_KEY" POST "$T/tool-signing-secret/rotate" | jq -r '"tool signing secret: TOOL_SECRET=\(.tool_signing_secret)"'
fi
V=$T/agents/$agent/versions
n=$(api "$VOXRAY_ADMIN_KEY" POST "$V" '{"prompt_key": "support-v1", "prompt_text": "You answer calls for Acme Plumbing. Be brief.",
  "model": "gpt-realtime", "voice": "marin"}' | jq -r .number)
echo "agent version $agent v$n draft"
items=$(api "$VOXRAY_ADMIN_KEY" GET "$V/$n/checklist" | jq -r '.items[].key')
for item in $items; do
  api "$VOXRAY_ADMIN_KEY" PUT "$V/$n/checklist/$item" '{"note": "checked by the launch team"}' >/dev/null
done
echo "checklist: $(echo "$items" | grep -c .) item(s) complete"
api "$VOXRAY_ADMIN_KEY" POST "$V/$n/stage" | jq -r --arg a "$agent" '"agent version \($a) v\(.number) \(.state)"'
# The two-person rule: the author may not approve; a second admin (another person) does.
api "$VOXRAY_APPROVER_KEY" POST "$V/$n/approve" | jq -r --arg a "$agent" '"agent version \($a) v\(.number) \(.state)"'
api "$VOXRAY_ADMIN_KEY" POST $A/rollout-governance/sweep "$(jq -nc --arg t "$tenant" '{dry_run: true, tenant_id: $t}')" |
  jq -r '"sweep (dry run=\(.dry_run)): \(.reports | length) report(s)"'

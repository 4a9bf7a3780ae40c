// The admin path: create a tenant, issue its API key, set its runtime config, then take an agent
// version through governance (draft, checklist, staged, approved by a second admin) and run a
// rollout sweep as a dry run.
//   VOXRAY_ADMIN_KEY=vxa_… VOXRAY_APPROVER_KEY=vxa_… TWILIO_ACCOUNT_SID=AC… TWILIO_AUTH_TOKEN=… \
//     node admin-path.mjs TENANT_ID +15550100001
// Optional: TOOL_URL (adds the lookup_order tool and prints its signing secret), LOCAL_MODEL_SCRIPT.
import { AdminClient, baseUrl, env, fail } from "./env.mjs";

const AGENT = "support";
const [tenant, number] = process.argv.slice(2);
if (!tenant || !number) { console.error("usage: admin-path.mjs TENANT_ID PHONE_NUMBER"); process.exit(2); }
const admin = new AdminClient({ baseUrl: baseUrl(), apiKey: env("VOXRAY_ADMIN_KEY") });
const approver = new AdminClient({ baseUrl: baseUrl(), apiKey: env("VOXRAY_APPROVER_KEY") });

try {
  await admin.createTenant({ id: tenant, name: "Acme Plumbing", phone_numbers: [number],
                             twilio_account_sid: env("TWILIO_ACCOUNT_SID"), twilio_auth_token: env("TWILIO_AUTH_TOKEN") });
  console.log(`tenant ${tenant} created (numbers: ${number})`);
  const key = await admin.createApiKey(tenant, { name: "integration" });
  console.log(`api key ${key.id} for ${tenant}: VOXRAY_API_KEY=${key.key}`);
  const config = { instructions: "You answer calls for Acme Plumbing. Be brief.", telephony: { caller_id: number } };
  if (process.env.LOCAL_MODEL_SCRIPT) config.local_model_script = process.env.LOCAL_MODEL_SCRIPT;
  if (process.env.TOOL_URL) {
    config.tools = [{ name: "lookup_order", description: "Look up an order's status by its id.", endpoint: process.env.TOOL_URL,
                      parameters: { type: "object", required: ["order_id"], properties: { order_id: { type: "string" } } } }];
  }
  const version = await admin.putRuntimeConfig(tenant, config);
  console.log(`runtime config version ${version.version}`);
  if (process.env.TOOL_URL) {
    const secret = await admin.http.request("POST", `/api/v1/admin/tenants/${tenant}/tool-signing-secret/rotate`);
    console.log(`tool signing secret: TOOL_SECRET=${secret.tool_signing_secret}`);
  }
  const draft = await admin.createAgentVersion(tenant, AGENT, {
    prompt_key: "support-v1", prompt_text: "You answer calls for Acme Plumbing. Be brief.", model: "gpt-realtime", voice: "marin" });
  console.log(`agent version ${AGENT} v${draft.number} ${draft.state}`);
  const items = await admin.completeChecklist(tenant, AGENT, draft.number, "checked by the launch team");
  console.log(`checklist: ${items} item(s) complete`);
  const staged = await admin.stage(tenant, AGENT, draft.number);
  console.log(`agent version ${AGENT} v${staged.number} ${staged.state}`);
  // The two-person rule: the author may not approve; a second admin (another person) does.
  const approved = await approver.approve(tenant, AGENT, draft.number);
  console.log(`agent version ${AGENT} v${approved.number} ${approved.state}`);
  const sweep = await admin.sweep({ dry_run: true, tenant_id: tenant });
  console.log(`sweep (dry run=${sweep.dry_run}): ${sweep.reports.length} report(s)`);
} catch (error) { fail(error); }

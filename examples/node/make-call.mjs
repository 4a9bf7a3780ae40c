// Place an outbound call with an Idempotency-Key, then repeat it with the same key: the answer is
// replayed and no second call is placed.
//   VOXRAY_API_KEY=vxk_… node make-call.mjs +15551230000 [idempotency-key]
import { randomUUID } from "node:crypto";
import { VoxrayClient, baseUrl, env, fail } from "./env.mjs";

const [to, key = `mc_${randomUUID().replaceAll("-", "")}`] = process.argv.slice(2);
if (!to) { console.error("usage: make-call.mjs TO [IDEMPOTENCY_KEY]"); process.exit(2); }
const client = new VoxrayClient({ baseUrl: baseUrl(), apiKey: env("VOXRAY_API_KEY") });
try {
  const first = await client.makeCall({ to }, { idempotencyKey: key });
  console.log(`placed call ${first.id} status=${first.status} from=${first.from_number} to=${first.to_number} idempotency-key=${key}`);
  const again = await client.makeCall({ to }, { idempotencyKey: key }); // e.g. after a timeout: safe to repeat
  console.log(`retried with the same key: call ${again.id} Idempotent-Replayed=${client.http.lastHeaders?.get("idempotent-replayed") ?? "false"}`);
} catch (error) { fail(error); }

// Receive voxray webhook events: verify the Standard Webhooks signature, drop duplicates by
// webhook-id (deliveries are at least once), answer 2xx quickly.
//   WEBHOOK_SECRET=whsec_… PORT=8080 node webhook-receiver.mjs
import { env } from "./env.mjs";
import { serve, verify } from "./signatures.mjs";

const secret = env("WEBHOOK_SECRET");
const seen = new Set();
serve(env("PORT"), (headers, body) => {
  let event;
  try { event = verify(secret, headers, body); } catch (error) {
    console.log(`rejected: ${error.message}`);
    return [401, { error: "bad signature" }];
  }
  const id = headers["webhook-id"];
  if (seen.has(id)) { console.log(`duplicate ${id}`); return [204, undefined]; }
  seen.add(id);
  console.log(`verified ${event.type} ${id}`);
  return [204, undefined];
});

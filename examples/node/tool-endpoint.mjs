// A tool endpoint for the agent's lookup_order tool: verify the signed request (Standard Webhooks,
// with the tenant's tool signing secret), then answer JSON the agent speaks from.
//   TOOL_SECRET=whsec_… PORT=8081 node tool-endpoint.mjs
import { env } from "./env.mjs";
import { serve, verify } from "./signatures.mjs";

const secret = env("TOOL_SECRET");
serve(env("PORT"), (headers, body) => {
  let request;
  try { request = verify(secret, headers, body); } catch (error) {
    console.log(`rejected: ${error.message}`);
    return [401, { error: "bad signature" }];
  }
  const orderId = request.arguments?.order_id;
  if (!orderId) return [422, { error: "order_id is required" }];
  console.log(`tool ${request.tool} order_id=${orderId} for call ${request.call_sid}`);
  return [200, { order_id: orderId, status: "shipped" }];
});

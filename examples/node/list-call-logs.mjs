// List the tenant's call logs newest first, page by page (the client follows next_cursor).
//   VOXRAY_API_KEY=vxk_… node list-call-logs.mjs [page-size]
import { VoxrayClient, baseUrl, env, fail } from "./env.mjs";

const limit = Number(process.argv[2] ?? 20);
const client = new VoxrayClient({ baseUrl: baseUrl(), apiKey: env("VOXRAY_API_KEY") });
let total = 0, pages = 0;
try {
  for await (const page of client.callLogPages({ limit })) {
    pages += 1;
    console.log(`page ${pages}: ${page.length} call(s)`);
    for (const call of page) {
      console.log(`  ${call.id} ${call.status} ${call.direction} ${call.from_number} -> ${call.to_number}`);
    }
    total += page.length;
  }
} catch (error) { fail(error); }
console.log(`total: ${total} call(s) in ${pages} page(s)`);

// Read one voice session: its transcript and the tool calls the agent made.
//   VOXRAY_API_KEY=vxk_… node voice-session.mjs CA…
import { VoxrayClient, baseUrl, env, fail } from "./env.mjs";

const id = process.argv[2];
if (!id) { console.error("usage: voice-session.mjs SESSION_ID"); process.exit(2); }
const client = new VoxrayClient({ baseUrl: baseUrl(), apiKey: env("VOXRAY_API_KEY") });
try {
  const session = await client.voiceSession(id);
  console.log(`session ${session.call.id} status=${session.call.status}`);
  console.log("transcript:");
  for (const line of session.transcript) console.log(`  [${line.speaker}] ${line.text ?? "(not transcribed)"}`);
  console.log("tool calls:");
  for (const fc of session.function_calls) {
    console.log(`  ${fc.name} ${JSON.stringify(fc.arguments)} -> ${fc.status} ${JSON.stringify(fc.result ?? null)}`);
  }
} catch (error) { fail(error); }

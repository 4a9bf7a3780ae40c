// Where the examples find the gateway and their keys: environment variables, nothing else.
// The client is the TypeScript one in clients/typescript (npm ci && npm run build there first).
export { VoxrayClient, AdminClient, ApiProblem } from "../../clients/typescript/dist/index.js";

export function env(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (!value) {
    console.error(`set ${name}`);
    process.exit(2);
  }
  return value;
}

export const baseUrl = () => env("VOXRAY_URL", "http://127.0.0.1:8000");

export function fail(error) {
  console.error(`error: ${error.message}`); // an ApiProblem's message has its code and request id
  process.exit(1);
}

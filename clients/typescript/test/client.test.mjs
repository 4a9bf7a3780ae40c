// The TypeScript client's fetch wrapper against a scripted fetch: retries, request ids,
// idempotency, typed problems, pagination. Run: npm run build && node --test test/
import { test } from "node:test";
import assert from "node:assert/strict";
import { AdminClient, ApiProblem, VoxrayClient } from "../dist/index.js";

const PLACED = { id: "CA" + "1".repeat(32), status: "queued", direction: "outbound", from_number: "+15550000001",
                 to_number: "+15550000002", created_at: "2026-01-01T00:00:00Z" };
const json = (status, body, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const problem = (status, code, extra = {}) =>
  json(status, { type: "about:blank", title: code, status, code, request_id: "req_server", ...extra },
       { "content-type": "application/problem+json" });

function server(...answers) {
  const s = { requests: [], sleeps: [] };
  s.fetch = async (url, init) => { s.requests.push({ url: new URL(url), ...init }); return answers.shift()(init); };
  s.options = { baseUrl: "http://voxray.test", apiKey: "vxk_test", fetch: s.fetch, sleep: async (ms) => { s.sleeps.push(ms); } };
  return s;
}

test("a 429 waits Retry-After; retries keep one request id and one idempotency key", async () => {
  const s2 = server(() => json(429, { type: "t", title: "t", status: 429, code: "rate_limited" }, { "retry-after": "2" }),
                    () => new Response("bad gateway", { status: 502 }), () => json(201, PLACED));
  const placed = await new VoxrayClient(s2.options).makeCall({ to: "+15550000002" });
  assert.equal(placed.id, PLACED.id);
  assert.deepEqual(s2.sleeps, [2000, 500]);
  const keys = new Set(s2.requests.map((r) => r.headers["Idempotency-Key"]));
  const ids = new Set(s2.requests.map((r) => r.headers["x-request-id"]));
  assert.equal(keys.size, 1); assert.match([...keys][0], /^mc_[0-9a-f]{32}$/);
  assert.equal(ids.size, 1); assert.match([...ids][0], /^req_[0-9a-f]{32}$/);
  assert.deepEqual(JSON.parse(s2.requests[0].body), { to: "+15550000002" });
});

test("5xx is retried for GET but never for a POST without an idempotency key", async () => {
  const get = server(() => new Response("", { status: 503 }), () => json(200, { data: [], has_more: false }));
  for await (const page of new VoxrayClient(get.options).callLogPages()) assert.deepEqual(page, []);
  assert.equal(get.requests.length, 2);
  const post = server(() => problem(503, "unavailable"));
  await assert.rejects(new AdminClient({ ...post.options, apiKey: "vxa_test" }).sweep({ dry_run: true }),
                       (e) => e instanceof ApiProblem && e.status === 503);
  assert.equal(post.requests.length, 1);
  assert.deepEqual(post.sleeps, []);
});

test("problems are typed with code, request id and field errors; other bodies still give a status", async () => {
  const s = server((init) => problem(422, "validation_failed", { request_id: init.headers["x-request-id"], detail: "1 field",
                                                                 errors: [{ field: "body.to", message: "bad number" }] }));
  const err = await new VoxrayClient(s.options).makeCall({ to: "x" }).catch((e) => e);
  assert.ok(err instanceof ApiProblem);
  assert.equal(err.code, "validation_failed"); assert.equal(err.status, 422);
  assert.equal(err.requestId, s.requests[0].headers["x-request-id"]);
  assert.deepEqual(err.errors, [{ field: "body.to", message: "bad number" }]);
  const bare = server(() => new Response("<html>", { status: 404, headers: { "x-request-id": "req_abc12345" } }));
  const e2 = await new VoxrayClient(bare.options).callLog("CA1").catch((e) => e);
  assert.equal(e2.code, "http_404"); assert.equal(e2.requestId, "req_abc12345");
  const late = server(() => json(429, { type: "t", title: "t", status: 429, code: "rate_limited" }, { "retry-after": "3600" }));
  const e3 = await new VoxrayClient(late.options).readiness().catch((e) => e);
  assert.equal(e3.retryAfterS, 3600); assert.deepEqual(late.sleeps, []);
});

test("pagination follows next_cursor until has_more is false", async () => {
  const pages = [{ data: [1, 2], has_more: true, next_cursor: "c1" }, { data: [3], has_more: true, next_cursor: "c2" },
                 { data: [4], has_more: false, next_cursor: null }];
  const s = server(...pages.map((p) => () => json(200, p)));
  const seen = [];
  for await (const item of new VoxrayClient(s.options).callLogs({ limit: 2, status: "completed" })) seen.push(item);
  assert.deepEqual(seen, [1, 2, 3, 4]);
  assert.deepEqual(s.requests.map((r) => r.url.searchParams.get("cursor")), [null, "c1", "c2"]);
  assert.ok(s.requests.every((r) => r.url.searchParams.get("limit") === "2"));
});

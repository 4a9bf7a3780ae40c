// voxray API clients for TypeScript: types generated from /api-docs/public.json and admin.json
// (openapi-typescript), and small classes over one fetch wrapper (./http.ts).
import type { components as PublicComponents } from "./generated/public.js";
import type { components as AdminComponents } from "./generated/admin.js";
import { HttpCore, type ClientOptions } from "./http.js";

export { ApiProblem, HttpCore, newRequestId, type ClientOptions, type FieldError, type RequestOptions } from "./http.js";
export type { paths as PublicPaths, components as PublicComponents } from "./generated/public.js";
export type { paths as AdminPaths, components as AdminComponents } from "./generated/admin.js";

type P = PublicComponents["schemas"];
type A = AdminComponents["schemas"];
export type CallLog = P["CallLog"];
export type VoiceSession = P["VoiceSession"];
export type PlacedCall = P["PlacedCallOut"];
export type Readiness = P["Readiness"];
export type CallLogFilters = { limit?: number; status?: P["CallStatus"]; direction?: "inbound" | "outbound";
                              escalated?: boolean; since?: string; until?: string; phone_number?: string };

interface Page<T> { data: T[]; has_more: boolean; next_cursor?: string | null }

/** Any list operation, page by page, following `next_cursor` until `has_more` is false. */
export async function* pages<T>(core: HttpCore, path: string,
                                query: Record<string, string | number | boolean | undefined> = {}): AsyncGenerator<T[]> {
  let cursor: string | undefined;
  for (;;) {
    const page = await core.request<Page<T>>("GET", path, { query: { ...query, cursor } });
    yield page.data;
    if (!page.has_more || !page.next_cursor) return;
    cursor = page.next_cursor;
  }
}

/** The tenant API (`vxk_…` keys). */
export class VoxrayClient {
  readonly http: HttpCore;
  constructor(options: ClientOptions) { this.http = new HttpCore(options); }

  /** Always sent with an Idempotency-Key (a new one unless given): a retry never places a second call. */
  makeCall(body: P["MakeCall"], options: { idempotencyKey?: string } = {}): Promise<PlacedCall> {
    const key = options.idempotencyKey ?? `mc_${crypto.randomUUID().replaceAll("-", "")}`;
    return this.http.request("POST", "/api/v1/make-call", { body, headers: { "Idempotency-Key": key } });
  }
  readiness(): Promise<Readiness> { return this.http.request("GET", "/api/v1/readiness"); }
  callLog(id: string): Promise<CallLog> { return this.http.request("GET", `/api/v1/call-logs/${encodeURIComponent(id)}`); }
  voiceSession(id: string): Promise<VoiceSession> {
    return this.http.request("GET", `/api/v1/voice-sessions/${encodeURIComponent(id)}`);
  }
  callLogPages(filters: CallLogFilters = {}): AsyncGenerator<CallLog[]> { return pages(this.http, "/api/v1/call-logs", filters); }
  async *callLogs(filters: CallLogFilters = {}): AsyncGenerator<CallLog> {
    for await (const page of this.callLogPages(filters)) yield* page;
  }
  putWebhookEndpoint(body: P["WebhookEndpointIn"]): Promise<P["WebhookEndpointWithSecret"]> {
    return this.http.request("PUT", "/api/v1/webhook-endpoint", { body });
  }
  testWebhook(): Promise<P["WebhookEventSent"]> { return this.http.request("POST", "/api/v1/webhook-endpoint/test"); }
  webhookDeliveryPages(limit = 50): AsyncGenerator<P["WebhookDelivery"][]> {
    return pages(this.http, "/api/v1/webhook-deliveries", { limit });
  }
}

/** The admin API (`vxa_…` keys). */
export class AdminClient {
  readonly http: HttpCore;
  constructor(options: ClientOptions) { this.http = new HttpCore(options); }

  private versions(tenant: string, agent: string): string {
    return `/api/v1/admin/tenants/${encodeURIComponent(tenant)}/agents/${encodeURIComponent(agent)}/versions`;
  }
  createTenant(body: A["TenantCreate"]): Promise<A["TenantOut"]> {
    return this.http.request("POST", "/api/v1/admin/tenants", { body });
  }
  createApiKey(tenant: string, body: A["KeyCreate"]): Promise<A["NewKey"]> {
    return this.http.request("POST", `/api/v1/admin/tenants/${encodeURIComponent(tenant)}/api-keys`, { body });
  }
  putRuntimeConfig(tenant: string, body: A["RuntimeConfig"]): Promise<A["ConfigVersion"]> {
    return this.http.request("PUT", `/api/v1/admin/tenants/${encodeURIComponent(tenant)}/runtime-config`, { body });
  }
  createAgentVersion(tenant: string, agent: string, body: A["AgentSpec"]): Promise<A["AgentVersion"]> {
    return this.http.request("POST", this.versions(tenant, agent), { body });
  }
  /** Completes every item of the version's launch checklist; resolves to how many there were. */
  async completeChecklist(tenant: string, agent: string, version: number, note: string): Promise<number> {
    const url = `${this.versions(tenant, agent)}/${version}/checklist`;
    const checklist = await this.http.request<A["LaunchChecklist"]>("GET", url);
    for (const item of checklist.items) await this.http.request("PUT", `${url}/${item.key}`, { body: { note } });
    return checklist.items.length;
  }
  stage(tenant: string, agent: string, version: number): Promise<A["AgentVersion"]> {
    return this.http.request("POST", `${this.versions(tenant, agent)}/${version}/stage`);
  }
  approve(tenant: string, agent: string, version: number): Promise<A["AgentVersion"]> {
    return this.http.request("POST", `${this.versions(tenant, agent)}/${version}/approve`);
  }
  sweep(body: A["SweepRequest"]): Promise<A["SweepResult"]> {
    return this.http.request("POST", "/api/v1/admin/rollout-governance/sweep", { body });
  }
}

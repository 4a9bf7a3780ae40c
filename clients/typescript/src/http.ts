// The fetch wrapper both clients use: timeouts, retries, request ids, typed problem+json errors.
//
// - X-Request-Id on every request (kept across the retries of one logical request).
// - 429: waits Retry-After (capped) and retries, whatever the method: the server did nothing.
// - 5xx and network errors: retried only for idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE,
//   or any request carrying an Idempotency-Key), with exponential backoff.

export interface FieldError { field: string; message: string }

/** An RFC 9457 problem answer. Switch on `code` (stable); quote `requestId` to support. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string | undefined,
    readonly requestId: string | undefined,
    readonly errors: FieldError[],
    readonly retryAfterS: number | undefined,
  ) {
    super(`${status} ${code}: ${title}${detail ? ` (${detail})` : ""}${requestId ? ` [request ${requestId}]` : ""}`);
    this.name = "ApiProblem";
  }

  static async fromResponse(response: Response): Promise<ApiProblem> {
    const text = await response.text();
    const requestId = response.headers.get("x-request-id") ?? undefined;
    const retryAfter = retryAfterSeconds(response.headers.get("retry-after"));
    let body: unknown;
    try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
    if (typeof body !== "object" || body === null || !("code" in body)) {
      return new ApiProblem(response.status, `http_${response.status}`, text.slice(0, 200) || "Error", undefined,
                            requestId, [], retryAfter);
    }
    const b = body as Record<string, unknown>;
    const errors = Array.isArray(b.errors)
      ? b.errors.map((e: Record<string, unknown>) => ({ field: String(e.field ?? ""), message: String(e.message ?? "") }))
      : [];
    return new ApiProblem(response.status, String(b.code), String(b.title ?? ""),
                          typeof b.detail === "string" ? b.detail : undefined,
                          typeof b.request_id === "string" ? b.request_id : requestId, errors, retryAfter);
  }
}

export function retryAfterSeconds(value: string | null): number | undefined {
  if (value === null) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? Math.max(0, n) : undefined;
}

export interface ClientOptions {
  baseUrl: string;
  /** `vxk_…` for the tenant API, `vxa_…` for the admin API. */
  apiKey: string;
  timeoutMs?: number;
  maxAttempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  maxRetryAfterS?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  headers?: Record<string, string>;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

export function newRequestId(): string {
  return `req_${crypto.randomUUID().replaceAll("-", "")}`;
}

export class HttpCore {
  /** The headers of the last 2xx answer (e.g. Idempotent-Replayed). */
  lastHeaders: Headers | undefined;
  private readonly o: Required<Omit<ClientOptions, "fetch" | "sleep">> &
    Pick<ClientOptions, "fetch" | "sleep">;

  constructor(options: ClientOptions) {
    this.o = { timeoutMs: 30_000, maxAttempts: 4, backoffMs: 250, maxBackoffMs: 8_000, maxRetryAfterS: 30, ...options };
  }

  /** Milliseconds to wait before the next attempt, or undefined to stop retrying. */
  delayMs(attempt: number, response: Response | undefined): number | undefined {
    if (attempt >= this.o.maxAttempts) return undefined;
    const backoff = Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** (attempt - 1));
    if (response?.status === 429) {
      const wait = retryAfterSeconds(response.headers.get("retry-after"));
      if (wait === undefined) return backoff;
      return wait <= this.o.maxRetryAfterS ? wait * 1000 : undefined;
    }
    return backoff;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(path, this.o.baseUrl);
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.o.apiKey}`, accept: "application/json", "x-request-id": newRequestId(),
      ...options.headers,
    };
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }
    const idempotent = IDEMPOTENT.has(method) || Object.keys(headers).some((h) => h.toLowerCase() === "idempotency-key");
    const doFetch = this.o.fetch ?? fetch;
    const sleep = this.o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await doFetch(url, { method, headers, body: payload, signal: AbortSignal.timeout(this.o.timeoutMs) });
      } catch (error) {
        const wait = idempotent ? this.delayMs(attempt, undefined) : undefined;
        if (wait === undefined) throw error;
        await sleep(wait);
        continue;
      }
      const retryable = response.status === 429 || (response.status >= 500 && idempotent);
      const wait = retryable ? this.delayMs(attempt, response) : undefined;
      if (wait !== undefined) {
        await response.body?.cancel();
        await sleep(wait);
        continue;
      }
      if (response.status >= 400) throw await ApiProblem.fromResponse(response);
      this.lastHeaders = response.headers;
      if (response.status === 204) return undefined as T;
      return (await response.json()) as T;
    }
  }
}

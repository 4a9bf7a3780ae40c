// The operator console: a cookie session (HttpOnly, SameSite=Strict) plus the CSRF token the
// login returned, which every unsafe request echoes in X-CSRF-Token. Everything it shows comes
// from the admin API; text is always set with textContent, never parsed as HTML.
let csrf = null;
let view = "live";
let liveTimer = null;
const $ = (id) => document.getElementById(id);
const enc = encodeURIComponent;

function fail(text) { $("error").textContent = text; }

async function api(method, path, body) {
  const headers = {};
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, credentials: "same-origin",
                                body: body === undefined ? undefined : JSON.stringify(body) });
  if (r.status === 401) { showLogin(); }
  if (!r.ok && r.status !== 204) { const p = await r.json(); throw new Error(`${p.code}: ${p.title}`); }
  return r.status === 204 ? null : r.json();
}

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "" : String(text);
  if (cls) td.className = cls;
  return td;
}

function button(label, onclick) {
  const b = document.createElement("button");
  b.textContent = label;
  b.onclick = () => Promise.resolve().then(onclick).catch((e) => fail(e.message));
  return b;
}

function row(values, actions = []) {
  const tr = document.createElement("tr");
  values.forEach((v) => tr.append(Array.isArray(v) ? cell(v[0], v[1]) : cell(v)));
  const td = document.createElement("td");
  actions.forEach((a) => td.append(a, " "));
  tr.append(td);
  return tr;
}

const when = (t) => (t ? new Date(t).toLocaleString() : "");

// ---- live calls ---------------------------------------------------------------------------

async function refreshLive() {
  const sessions = await api("GET", "/api/v1/admin/live-sessions");
  const body = $("live-calls");
  body.replaceChildren(...sessions.map((s) => {
    const tr = row([s.call_sid, s.tenant_id, `${s.agent.name} v${s.agent.version}`, s.state, s.turn_state,
                    s.turn_index, Math.round(s.buffered_ms), s.duration_s, s.barge_ins, s.model_latency_ms ?? ""],
                   [button("End", () => endCall(s.call_sid))]);
    tr.dataset.callSid = s.call_sid;
    return tr;
  }));
  $("live-empty").classList.toggle("hidden", sessions.length > 0);
  $("live-updated").textContent = `Last update ${new Date().toLocaleTimeString()}.`;
}

async function endCall(callSid) {
  await api("POST", `/api/v1/admin/live-sessions/${enc(callSid)}/end`);
  await refreshLive();
}

function pollLive() {
  clearTimeout(liveTimer);
  if (view !== "live" || csrf === null) return;
  refreshLive().then(() => fail(""), (e) => fail(e.message))
    .finally(() => { liveTimer = setTimeout(pollLive, 1000); });
}

// ---- tenants (for the per-tenant views) --------------------------------------------------

async function loadTenants() {
  const tenants = await api("GET", "/api/v1/admin/tenants");
  for (const id of ["calls-tenant", "wh-tenant", "ks-tenant"]) {
    const select = $(id);
    const keep = select.value;
    select.replaceChildren(...tenants.map((t) => {
      const o = document.createElement("option");
      o.value = t.id; o.textContent = `${t.name} (${t.id})`;
      return o;
    }));
    if (keep) select.value = keep;
  }
}

// ---- call logs and transcripts -----------------------------------------------------------

async function loadCalls() {
  const tenant = $("calls-tenant").value;
  if (!tenant) return;
  const q = new URLSearchParams({ limit: "50" });
  for (const [param, id] of [["status", "calls-status"], ["direction", "calls-direction"], ["phone_number", "calls-number"]]) {
    if ($(id).value.trim()) q.set(param, $(id).value.trim());
  }
  const page = await api("GET", `/api/v1/admin/tenants/${enc(tenant)}/call-logs?${q}`);
  $("calls-rows").replaceChildren(...page.data.map((c) => {
    const tr = row([c.id, when(c.created_at), c.direction, c.from_number, c.to_number, [c.status, `state-${c.status}`],
                    c.turns, c.duration_s ?? "", c.end_reason ?? ""],
                   [button("Transcript", () => showTranscript(tenant, c.id))]);
    tr.dataset.callSid = c.id;
    return tr;
  }));
}

async function showTranscript(tenant, callSid) {
  const s = await api("GET", `/api/v1/admin/tenants/${enc(tenant)}/voice-sessions/${enc(callSid)}`);
  const box = $("transcript");
  const head = document.createElement("h3");
  head.textContent = `Transcript of ${callSid}`;
  const lines = s.transcript.map((t) => {
    const p = document.createElement("p");
    const who = document.createElement("span");
    who.className = "speaker"; who.textContent = t.speaker;
    const text = document.createElement("span");
    text.textContent = t.text ?? "(words not transcribed)";
    if (t.interrupted) text.className = "interrupted";
    p.append(who, `${(t.start_ms / 1000).toFixed(1)} s  `, text, t.interrupted ? "  [interrupted]" : "");
    return p;
  });
  const tools = s.function_calls.map((f) => {
    const p = document.createElement("p");
    p.textContent = `tool ${f.name}: ${f.status} (${f.latency_ms} ms)`;
    return p;
  });
  box.replaceChildren(head, ...(lines.length ? lines : [document.createTextNode("No transcript.")]), ...tools);
  box.classList.remove("hidden");
}

// ---- rollouts, sweep decisions, kill switches --------------------------------------------

function lastDecision(route) {
  const rollout = route.canary ?? route.last_rollout;
  if (!rollout) return "";
  const last = rollout.history[rollout.history.length - 1];
  return `${last.action} by ${last.actor} ${when(last.at)}${last.note ? ": " + last.note : ""}`;
}

async function loadRollouts() {
  const routes = await api("GET", "/api/v1/admin/phone-routes");
  $("routes-rows").replaceChildren(...routes.map((r) => {
    const c = r.canary;
    const actions = [];
    if (c && c.state === "running") actions.push(button("Pause", () => rolloutAction(r.number, "pause")));
    if (c && c.state === "paused") actions.push(button("Resume", () => rolloutAction(r.number, "resume")));
    if (c) actions.push(button("Abort", () => rolloutAction(r.number, "abort", { reason: "aborted from the operator console" })));
    actions.push(r.kill_switch ? button("Release kill switch", () => routeKill(r.number, false))
                               : button("Kill switch", () => routeKill(r.number, true)));
    return row([r.number, r.tenant_id, r.agent, r.stable_version, c ? c.version : "", c ? `${c.weight_pct}%` : "",
                c ? c.state : (r.last_rollout ? `${r.last_rollout.state} (last)` : ""), lastDecision(r),
                r.kill_switch ? [`${r.kill_switch.mode}: ${r.kill_switch.reason}`, "state-failed"] : ""], actions);
  }));
  await showTenantKillSwitch();
}

async function rolloutAction(number, action, body) {
  await api("POST", `/api/v1/admin/phone-routes/${enc(number)}/rollout/${action}`, body);
  await loadRollouts();
}

async function routeKill(number, engage) {
  if (engage) await api("PUT", `/api/v1/admin/phone-routes/${enc(number)}/kill-switch`,
                        { mode: "stable", reason: "engaged from the operator console" });
  else await api("DELETE", `/api/v1/admin/phone-routes/${enc(number)}/kill-switch`);
  await loadRollouts();
}

async function showTenantKillSwitch() {
  const tenant = $("ks-tenant").value;
  if (!tenant) return;
  try {
    const ks = await api("GET", `/api/v1/admin/tenants/${enc(tenant)}/kill-switch`);
    $("ks-state").textContent = `engaged (${ks.mode}) by ${ks.by}: ${ks.reason}`;
  } catch (e) {
    if (!e.message.startsWith("kill_switch_not_engaged")) throw e;
    $("ks-state").textContent = "not engaged";
  }
}

async function tenantKill(engage) {
  const tenant = enc($("ks-tenant").value);
  if (engage) await api("PUT", `/api/v1/admin/tenants/${tenant}/kill-switch`,
                        { mode: "stable", reason: "engaged from the operator console" });
  else await api("DELETE", `/api/v1/admin/tenants/${tenant}/kill-switch`);
  await showTenantKillSwitch();
}

async function sweepDryRun() {
  const result = await api("POST", "/api/v1/admin/rollout-governance/sweep", { dry_run: true });
  $("sweep-rows").replaceChildren(...result.reports.map(({ decision: d }) =>
    row([d.number, d.rollout_id, d.action, `${d.from_weight}% → ${d.to_weight}%`, d.reasons.join("; ")])));
}

// ---- webhook deliveries ------------------------------------------------------------------

async function loadWebhooks() {
  const tenant = $("wh-tenant").value;
  if (!tenant) return;
  const q = new URLSearchParams({ limit: "50" });
  if ($("wh-state").value) q.set("status", $("wh-state").value);
  const page = await api("GET", `/api/v1/admin/tenants/${enc(tenant)}/webhook-deliveries?${q}`);
  $("wh-rows").replaceChildren(...page.data.map((d) => {
    const actions = d.state === "dead" || d.state === "failed"
      ? [button("Redeliver", async () => {
          await api("POST", `/api/v1/admin/tenants/${enc(tenant)}/webhook-deliveries/${enc(d.event_id)}/redeliver`);
          await loadWebhooks();
        })] : [];
    const tr = row([d.event_id, d.event_type, [d.state, `state-${d.state}`], d.attempts, d.last_status_code ?? "",
                    d.last_error ?? "", when(d.created_at)], actions);
    tr.dataset.eventId = d.event_id;
    return tr;
  }));
}

// ---- navigation and session --------------------------------------------------------------

const loaders = { live: pollLive, calls: loadCalls, rollouts: loadRollouts, webhooks: loadWebhooks };

function show(name) {
  view = name;
  for (const b of document.querySelectorAll("nav button")) b.setAttribute("aria-selected", String(b.dataset.view === name));
  for (const v of Object.keys(loaders)) $(`view-${v}`).classList.toggle("hidden", v !== name);
  Promise.resolve().then(loaders[name]).catch((e) => fail(e.message));
}

function showLogin() {
  csrf = null;
  clearTimeout(liveTimer);
  $("console").classList.add("hidden");
  $("login").classList.remove("hidden");
}

$("login").onsubmit = async (event) => {
  event.preventDefault();
  try {
    const session = await api("POST", "/api/v1/auth/login", { api_key: $("key").value });
    csrf = session.csrf_token;
    $("key").value = "";
    $("role").textContent = session.role;
    $("login").classList.add("hidden");
    $("console").classList.remove("hidden");
    fail("");
    await loadTenants();
    show("live");
  } catch (e) { fail(e.message); }
};
for (const b of document.querySelectorAll("nav button")) b.onclick = () => show(b.dataset.view);
$("calls-load").onclick = () => loadCalls().catch((e) => fail(e.message));
$("wh-load").onclick = () => loadWebhooks().catch((e) => fail(e.message));
$("rollouts-load").onclick = () => loadRollouts().catch((e) => fail(e.message));
$("sweep-dry").onclick = () => sweepDryRun().catch((e) => fail(e.message));
$("ks-tenant").onchange = () => showTenantKillSwitch().catch((e) => fail(e.message));
$("ks-engage").onclick = () => tenantKill(true).catch((e) => fail(e.message));
$("ks-release").onclick = () => tenantKill(false).catch((e) => fail(e.message));
$("logout").onclick = () => api("POST", "/api/v1/auth/logout").then(() => location.reload()).catch((e) => fail(e.message));

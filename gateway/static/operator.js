// The operator console: a cookie session (HttpOnly, SameSite=Strict) plus the CSRF token the
// login returned, which every unsafe request echoes in X-CSRF-Token.
let csrf = null;
const $ = (id) => document.getElementById(id);

function fail(text) { $("error").textContent = text; }

async function api(method, path, body) {
  const headers = {};
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, credentials: "same-origin",
                                body: body === undefined ? undefined : JSON.stringify(body) });
  if (r.status === 401) { $("console").classList.add("hidden"); $("login").classList.remove("hidden"); }
  if (!r.ok && r.status !== 204) { const p = await r.json(); throw new Error(`${p.code}: ${p.title}`); }
  return r.status === 204 ? null : r.json();
}

function cell(text) { const td = document.createElement("td"); td.textContent = String(text); return td; }

async function refresh() {
  const rows = await api("GET", "/api/v1/admin/live-sessions");
  const body = $("calls");
  body.replaceChildren();
  for (const s of rows) {
    const tr = document.createElement("tr");
    [s.call_sid, s.tenant_id, s.state, s.turn_state, s.duration_s, s.barge_ins].forEach((v) => tr.append(cell(v)));
    const end = document.createElement("button");
    end.textContent = "End call";
    end.onclick = () => api("POST", `/api/v1/admin/live-sessions/${encodeURIComponent(s.call_sid)}/end`)
      .then(refresh).catch((e) => fail(e.message));
    const td = document.createElement("td"); td.append(end); tr.append(td);
    body.append(tr);
  }
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
    await refresh();
  } catch (e) { fail(e.message); }
};
$("refresh").onclick = () => refresh().catch((e) => fail(e.message));
$("logout").onclick = () => api("POST", "/api/v1/auth/logout").then(() => location.reload()).catch((e) => fail(e.message));

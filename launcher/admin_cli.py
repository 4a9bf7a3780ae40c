"""Commands for people running voxray: live sessions, calls, tenants, keys and rollouts as tables.

Each talks to a gateway's admin API (the URL and admin key of ``voxray up`` from
``var/runtime.json``, or ``--url`` and ``VOXRAY_ADMIN_KEY``) and prints a rich table, or the
API's JSON with ``--json`` for scripts. ``voxray sessions --watch`` redraws in place.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterable

import httpx
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.live import Live
from rich.table import Table

from voxray.settings import load_settings

console = Console()
Url = typer.Option(None, "--url", help="Gateway URL (default: the running `voxray up`).")
AsJson = typer.Option(False, "--json", help="Print the API's JSON instead of a table.")


class Admin:
    """A small admin API client; errors become one readable line and exit code 1."""

    def __init__(self, url: str | None) -> None:
        info = _runtime_info()
        self.url = (url or info.get("gateway_url") or "").rstrip("/")
        key = os.environ.get("VOXRAY_ADMIN_KEY") or info.get("admin_key")
        if not self.url or not key:
            raise typer.BadParameter("no gateway: pass --url and set VOXRAY_ADMIN_KEY, or run `voxray up`")
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path: str, **params: Any) -> Any:
        try:
            r = httpx.get(f"{self.url}{path}", headers=self.headers, timeout=10,
                          params={k: v for k, v in params.items() if v is not None})
        except httpx.HTTPError as exc:
            console.print(f"[red]cannot reach {self.url}: {exc}[/red]")
            raise typer.Exit(1) from None
        if r.status_code >= 400:
            problem = r.json() if r.headers.get("content-type", "").endswith("json") else {}
            console.print(f"[red]{r.status_code} {problem.get('code', '')}: {problem.get('title', r.text[:200])}[/red]")
            raise typer.Exit(1)
        return r.json()


def _runtime_info() -> dict[str, Any]:
    try:
        path = Path(load_settings().data_dir) / "runtime.json"
    except ValidationError as exc:
        console.print(f"[red]bad settings: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}[/red]")
        raise typer.Exit(2) from None
    try:
        return json.loads(path.read_text())  # type: ignore[no-any-return]
    except (OSError, ValueError):
        return {}


def table(title: str, columns: list[str], rows: Iterable[list[Any]]) -> Table:
    t = Table(title=title, title_justify="left", header_style="bold")
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*("" if v is None else str(v) for v in r))
    return t


def sessions_table(sessions: list[dict[str, Any]]) -> Table:
    return table(f"Live sessions ({len(sessions)})",
                 ["Call", "Tenant", "Agent", "State", "Turn", "#", "Buffered ms", "Duration s", "Barge-ins",
                  "Latency ms", "Node"],
                 ([s["call_sid"], s["tenant_id"], f"{s['agent']['name']} v{s['agent']['version']}", s["state"],
                   s["turn_state"], s["turn_index"], round(s["buffered_ms"]), s["duration_s"], s["barge_ins"],
                   s.get("model_latency_ms"), s.get("node")] for s in sessions))


def calls_table(tenant: str, calls: list[dict[str, Any]]) -> Table:
    return table(f"Calls of {tenant} ({len(calls)})",
                 ["Call", "Created", "Direction", "From", "To", "Status", "Turns", "Duration s", "End reason"],
                 ([c["id"], c["created_at"][:19], c["direction"], c["from_number"], c["to_number"], c["status"],
                   c["turns"], c["duration_s"], c["end_reason"]] for c in calls))


def tenants_table(tenants: list[dict[str, Any]]) -> Table:
    return table(f"Tenants ({len(tenants)})", ["Id", "Name", "Numbers", "Max calls", "Isolation"],
                 ([t["id"], t["name"], ", ".join(t["phone_numbers"]), t["max_concurrent_calls"], t["isolation"]]
                  for t in tenants))


def keys_table(title: str, keys: list[dict[str, Any]]) -> Table:
    return table(title, ["Id", "Name", "Role/scopes", "Owner", "Created", "Last used", "Revoked"],
                 ([k.get("id"), k.get("name"), k.get("role") or ", ".join(k.get("scopes") or []), k.get("owner"),
                   str(k.get("created_at") or "")[:19], str(k.get("last_used_at") or "")[:19],
                   str(k.get("revoked_at") or "")[:19]] for k in keys))


def rollouts_table(routes: list[dict[str, Any]]) -> Table:
    def last(route: dict[str, Any]) -> str:
        rollout = route.get("canary") or route.get("last_rollout")
        if not rollout:
            return ""
        event = rollout["history"][-1]
        return f"{event['action']} ({event['actor']})" + (f": {event['note']}" if event.get("note") else "")

    return table(f"Phone routes ({len(routes)})",
                 ["Number", "Tenant", "Agent", "Stable", "Canary", "Weight", "Rollout", "Last decision", "Kill switch"],
                 ([r["number"], r["tenant_id"], r["agent"], r["stable_version"],
                   (r.get("canary") or {}).get("version"),
                   f"{r['canary']['weight_pct']}%" if r.get("canary") else None,
                   (r.get("canary") or {}).get("state") or ((r.get("last_rollout") or {}).get("state")),
                   last(r), (r.get("kill_switch") or {}).get("mode")] for r in routes))


def _show(data: Any, as_json: bool, render: Callable[[Any], Table]) -> None:
    if as_json:
        typer.echo(json.dumps(data, indent=2))
    else:
        console.print(render(data))


def sessions(url: str | None = Url, as_json: bool = AsJson,
             watch: bool = typer.Option(False, "--watch", help="Redraw every --interval seconds until Ctrl-C."),
             interval: float = typer.Option(1.0, min=0.2, help="Seconds between redraws with --watch."),
             times: int = typer.Option(0, hidden=True, help="Stop --watch after this many redraws (tests).")) -> None:
    """Live state of every session actor."""
    admin = Admin(url)
    if not watch or as_json:
        _show(admin.get("/api/v1/admin/live-sessions"), as_json, sessions_table)
        return
    drawn = 0
    with Live(sessions_table(admin.get("/api/v1/admin/live-sessions")), console=console, auto_refresh=False) as live:
        try:
            while True:
                drawn += 1
                if times and drawn >= times:
                    break
                time.sleep(interval)
                live.update(sessions_table(admin.get("/api/v1/admin/live-sessions")), refresh=True)
        except KeyboardInterrupt:
            pass


def calls(tenant: str = typer.Argument(..., help="Tenant id"), url: str | None = Url, as_json: bool = AsJson,
          status: str | None = typer.Option(None, help="completed, failed, in-progress, ..."),
          limit: int = typer.Option(20, min=1, max=100)) -> None:
    """A tenant's recent calls, newest first."""
    page = Admin(url).get(f"/api/v1/admin/tenants/{tenant}/call-logs", status=status, limit=limit)
    _show(page["data"], as_json, lambda rows: calls_table(tenant, rows))


def tenants(url: str | None = Url, as_json: bool = AsJson) -> None:
    """Every tenant with its numbers and limits."""
    _show(Admin(url).get("/api/v1/admin/tenants"), as_json, tenants_table)


def keys(tenant: str | None = typer.Argument(None, help="A tenant's API keys; without it, admin keys"),
         url: str | None = Url, as_json: bool = AsJson) -> None:
    """API keys of a tenant, or the admin and operator keys (never the secrets: they are shown once)."""
    admin = Admin(url)
    if tenant:
        _show(admin.get(f"/api/v1/admin/tenants/{tenant}/api-keys"), as_json, lambda k: keys_table(f"Keys of {tenant}", k))
    else:
        _show(admin.get("/api/v1/admin/admin-keys"), as_json, lambda k: keys_table("Admin and operator keys", k))


def rollouts(url: str | None = Url, as_json: bool = AsJson,
             tenant: str | None = typer.Option(None, help="Only this tenant's routes")) -> None:
    """Phone routes with their rollouts, last decisions and kill switches."""
    _show(Admin(url).get("/api/v1/admin/phone-routes", tenant_id=tenant), as_json, rollouts_table)


def register(app: typer.Typer) -> None:
    for command in (sessions, calls, tenants, keys, rollouts):
        app.command()(command)

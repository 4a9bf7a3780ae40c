"""``voxray`` command line: up, simulate, sessions, bench."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import typer
from pydantic import SecretStr

from voxray.logging import configure_logging
from voxray.settings import load_settings
from launcher.redis_server import private_dir, redacted_url
from launcher.secrets_commands import register as register_secrets_commands
from launcher.gateway_server import DrainingServer
from launcher import admin_cli
from launcher.stack import DEMO_NUMBER, Stack
from voxray.start_checks import secure_start

app = typer.Typer(help="voxray: production voice agents on phone lines.", no_args_is_help=True)


def _runtime_file(data_dir: Path) -> Path:
    return Path(data_dir) / "runtime.json"


def _write_runtime(path: Path, info: dict[str, Any]) -> None:
    """Where things listen plus the demo credentials, readable by this user only."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(info, f, indent=2)


def _read_runtime(data_dir: Path) -> dict[str, Any]:
    path = _runtime_file(data_dir)
    if not path.exists():
        raise typer.BadParameter(f"{path} not found: is `voxray up` running with the same data dir?")
    return json.loads(path.read_text())  # type: ignore[no-any-return]


@app.command()
def up(demo_calls: int = typer.Option(0, help="Place this many simulated calls once up, then keep serving."),
       exit_after_demo: bool = typer.Option(False, help="Shut down after the demo calls (non-zero if any failed).")) -> None:
    """Start Redis (if none configured), Ray, the local model server and the gateway."""
    settings = load_settings()
    configure_logging(settings.log_level)
    if settings.admin_key is None:
        settings = settings.model_copy(update={"admin_key": SecretStr(secrets.token_urlsafe(24))})
    # Egress to plain http or private hosts only by its own settings (VOXRAY_WEBHOOK_ALLOW_*), never
    # derived from another one; unsafe combinations refuse to start. The secrets key is loaded
    # (or created for the embedded Redis) before anything writes a tenant.
    secure_start(settings)
    stack = Stack(settings).start_backends()
    auth_token = secrets.token_hex(16)
    exit_code = 0
    try:
        tenant = asyncio.run(stack.seed_demo(auth_token))
        config = stack.uvicorn_config()
        server = DrainingServer(config, settings.drain_timeout_s)
        info = {
            "gateway_url": f"http://{settings.host}:{settings.port}",
            "public_base_url": settings.effective_public_base_url,
            "redis_url": stack.redis_url, "model_url": stack.model_url,
            "demo_number": DEMO_NUMBER,
            "twilio_auth_token": tenant.twilio_auth_token.get_secret_value() if tenant else None,
            "account_sid": tenant.twilio_account_sid if tenant else None,
            "admin_key": settings.admin_key.get_secret_value() if settings.admin_key else None,
        }
        _write_runtime(_runtime_file(settings.data_dir), info)

        async def main() -> int:
            serve = asyncio.create_task(server.serve())
            while not server.started:
                if serve.done():
                    return 1
                await asyncio.sleep(0.05)
            stack.gateway_started(str(info["gateway_url"]))
            typer.echo(f"gateway   {info['gateway_url']}  (public {info['public_base_url']}, docs /swagger-ui)")
            typer.echo(f"twilio    {stack.twilio_api_url}  (REST API{' stand-in' if stack.carrier else ''})")
            typer.echo(f"redis     {redacted_url(stack.redis_url)}")
            typer.echo(f"model     {stack.model_url}")
            typer.echo(f"demo line {DEMO_NUMBER}  (runtime info in {_runtime_file(settings.data_dir)})")
            code = 0
            if demo_calls:
                code = await _simulate(info, demo_calls, settings.data_dir / "calls")
                if exit_after_demo:
                    server.should_exit = True
            typer.echo("serving; Ctrl-C to stop" if not server.should_exit else "shutting down")
            await serve
            return code

        # The loop uvicorn would pick itself (uvloop when installed), as `voxray gateway` runs:
        # asyncio.run's default selector loop cost the relay of every audio frame more CPU.
        with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
            exit_code = runner.run(main())
    finally:
        stack.stop()
    raise typer.Exit(exit_code)


@app.command()
def gateway() -> None:
    """Run one gateway against an existing Redis and Ray cluster; start as many as you like.

    Needs VOXRAY_REDIS_URL, VOXRAY_RAY_ADDRESS and VOXRAY_STREAM_TOKEN_SECRET (the same for every
    gateway); the model and Twilio are the real ones unless VOXRAY_OPENAI_WEBSOCKET_BASE_URL /
    VOXRAY_TWILIO_API_BASE_URL say otherwise. SIGTERM drains (see VOXRAY_DRAIN_TIMEOUT_S).
    """
    settings = load_settings()
    configure_logging(settings.log_level)
    secure_start(settings)
    try:
        stack = Stack(settings).attach()
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    try:
        server = DrainingServer(stack.uvicorn_config(), settings.drain_timeout_s)
        server.run()
    finally:
        stack.stop()


def demo_script() -> list[Any]:
    """A caller who asks two things, waiting for the agent's answer after each."""
    from simulators.carrier.script import Hangup, Say, Silence, WaitForAgent

    return [Silence(500), Say("Hello, I would like to check the status of my order."), WaitForAgent(20),
            Say("Thank you. Can you also tell me your opening hours?"), WaitForAgent(20), Hangup()]


async def _simulate(info: dict[str, Any], calls: int, save_dir: Path, as_json: bool = False) -> int:
    """Place calls through the carrier simulator: a progress bar and a results table (or JSON rows)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from simulators.carrier.runner import run_calls, summarize

    if not info.get("twilio_auth_token"):
        typer.echo("the demo tenant was not seeded (the store has other tenants)", err=True)
        return 2
    console = Console(stderr=as_json)
    with Progress(TextColumn("calls"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[failed]} failed"),
                  TimeElapsedColumn(), console=console, transient=as_json) as progress:
        task = progress.add_task("calls", total=calls, failed=0)
        failed = 0

        def done(result: Any) -> None:
            nonlocal failed
            failed += not result.ok
            progress.update(task, advance=1, failed=failed)

        results = await run_calls(calls, gateway_url=info["gateway_url"], public_base_url=info["public_base_url"],
                                  auth_token=info["twilio_auth_token"], to_number=info["demo_number"],
                                  script=demo_script(), save_dir=str(save_dir), account_sid=info["account_sid"],
                                  on_done=done)
    rows = summarize(results)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
    elif rows:
        table = Table(title=f"{sum(r.ok for r in results)} of {len(results)} calls ok")
        for header in rows[0]:
            table.add_column(header, justify="right" if header.endswith(("_ms", "_s", "gaps", "call")) else "left")
        for row in rows:
            table.add_row(*(str(v) for v in row.values()), style=None if row["status"] == "ok" else "red")
        console.print(table)
        console.print(f"recordings in {save_dir}/<call>/caller.wav, agent.wav")
    return 0 if all(r.ok for r in results) else 1


@app.command()
def simulate(calls: int = typer.Option(1, min=1, max=1000, help="Concurrent inbound calls to place."),
             as_json: bool = typer.Option(False, "--json", help="Print the results as JSON rows (for scripts).")) -> None:
    """Place inbound calls through the carrier simulator against a running `voxray up`."""
    settings = load_settings()
    info = _read_runtime(settings.data_dir)
    raise typer.Exit(asyncio.run(_simulate(info, calls, settings.data_dir / "calls", as_json)))


admin_cli.register(app)  # sessions, calls, tenants, keys, rollouts


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def bench(ctx: typer.Context) -> None:
    """Run the latency benchmark (benchmarks/latency.py; run from the repository root)."""
    raise typer.Exit(subprocess.call([sys.executable, "-m", "benchmarks.latency", *ctx.args]))


register_secrets_commands(app)


if __name__ == "__main__":
    app()

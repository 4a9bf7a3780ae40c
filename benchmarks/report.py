"""Tables, plot and the README blocks of a benchmark run (pure rendering of the results JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

README = Path(__file__).resolve().parent / "README.md"


def added(bare: dict[str, Any], vox: dict[str, Any]) -> dict[str, Any]:
    def diff(key: str, q: str) -> float | None:
        a, b = bare.get(key, {}).get(q), vox.get(key, {}).get(q)
        return None if a is None or b is None else round(b - a, 2)

    out = {f"{k}_{q}": diff(k, q) for k in ("inbound_ms", "outbound_ms", "turn_ms", "turn_minus_think_ms", "setup_ms")
           for q in ("p50", "p99")}
    for key in ("steady_per_call_s", "whole_per_call_s"):
        b = bare.get("cpu", {}).get(key, {}).get("hot_path")
        v = vox.get("cpu", {}).get(key, {})
        if b:
            out[f"cpu_ratio_{key.split('_')[0]}"] = round(v.get("hot_path", 0) / b, 2) if v else None
            out[f"cpu_ratio_{key.split('_')[0]}_with_infra"] = round(v.get("hot_path_plus_infra", 0) / b, 2) if v else None
    return out


def fmt(v: Any, digits: int = 1) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def table(runs: list[dict[str, Any]]) -> str:
    head = ["N", "system", "ok", "in p50/p99 ms", "out p50/p99 ms", "turn p50/p99 ms", "turn-think p50/p99 ms",
            "setup p50/p99 ms", "gaps (calls)", "CPU ms/call-s steady", "CPU ms/call-s whole",
            "mem MB/call", "send lag max ms", "host busy %"]
    rows = []
    for run in runs:
        for system in ("bare", "voxray"):
            r = run.get(system)
            if r is None:
                continue
            if "error" in r:
                rows.append([str(run["n"]), system, "BROKE", r["error"][:60]] + [""] * (len(head) - 4))
                continue
            cpu = r["cpu"]
            steady = cpu.get("steady_per_call_s", {})
            whole = cpu.get("whole_per_call_s", {})

            def ms(x: float | None) -> str:
                return "-" if x is None else f"{x * 1000:.2f}"

            cpu_s = ms(steady.get("hot_path"))
            cpu_w = ms(whole.get("hot_path"))
            if system == "voxray":
                def extra(d: dict[str, Any]) -> str:
                    infra = (d.get("hot_path_plus_infra") or 0) - (d.get("hot_path") or 0)
                    return f" +{ms(infra)} infra +{ms(d.get('refill_workers') or 0)} refill"
                cpu_s += extra(steady) if steady else ""
                cpu_w += extra(whole)
            mem = r["memory"]
            mem_s = fmt(mem.get("server_rss_delta_per_call_mb"), 2)
            if system == "voxray":
                mem_s = f"{fmt(mem.get('actor_rss_per_call_mb'))} actor + {mem_s} gw"
            al = r["alignment"]
            bad = al["mark_errors"] or al["outbound_negative"] or al["inbound_negative"] or al["frame_count_mismatch"]
            rows.append([
                str(run["n"]), system, f"{r['calls_ok']}/{r['calls']}",
                f"{fmt(r['inbound_ms']['p50'], 2)} / {fmt(r['inbound_ms']['p99'], 2)}",
                f"{fmt(r['outbound_ms']['p50'], 2)} / {fmt(r['outbound_ms']['p99'], 2)}" + (" (misaligned)" if bad else ""),
                f"{fmt(r['turn_ms']['p50'], 0)} / {fmt(r['turn_ms']['p99'], 0)}",
                f"{fmt(r['turn_minus_think_ms']['p50'], 1)} / {fmt(r['turn_minus_think_ms']['p99'], 1)}",
                f"{fmt(r['setup_ms']['p50'], 1)} / {fmt(r['setup_ms']['p99'], 1)}",
                f"{r['gaps']['underruns']} ({r['gaps']['calls_with_gaps']})",
                cpu_s, cpu_w, mem_s, fmt(r["max_send_lag_ms"]["max"], 1), fmt(cpu.get("host_busy_pct"), 0),
            ])
        add = run.get("added")
        if add:
            rows.append([str(run["n"]), "voxray-bare",
                         "", f"{fmt(add['inbound_ms_p50'], 2)} / {fmt(add['inbound_ms_p99'], 2)}",
                         f"{fmt(add['outbound_ms_p50'], 2)} / {fmt(add['outbound_ms_p99'], 2)}",
                         f"{fmt(add['turn_ms_p50'], 0)} / {fmt(add['turn_ms_p99'], 0)}",
                         f"{fmt(add['turn_minus_think_ms_p50'], 1)} / {fmt(add['turn_minus_think_ms_p99'], 1)}",
                         f"{fmt(add['setup_ms_p50'], 1)} / {fmt(add['setup_ms_p99'], 1)}", "",
                         f"x{fmt(add.get('cpu_ratio_steady'), 2)} (x{fmt(add.get('cpu_ratio_steady_with_infra'), 2)})",
                         f"x{fmt(add.get('cpu_ratio_whole'), 2)} (x{fmt(add.get('cpu_ratio_whole_with_infra'), 2)})",
                         "", "", ""])
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    return "\n".join(lines)


def plot(runs: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = [r for r in runs if all("error" not in r.get(s, {"error": 1}) for s in ("bare", "voxray"))]
    fig, axes = plt.subplots(2, 2, figsize=(13, 9.5))
    colors = {"bare": "tab:gray", "voxray": "tab:blue"}
    ns = [r["n"] for r in ok]
    x = np.arange(len(ns))

    def bars(ax: Any, key: str, title: str, ylabel: str) -> None:
        width = 0.2
        for i, system in enumerate(("bare", "voxray")):
            for j, q in enumerate(("p50", "p99")):
                vals = [r[system][key][q] or 0 for r in ok]
                off = (i * 2 + j - 1.5) * width
                b = ax.bar(x + off, vals, width, color=colors[system], alpha=1.0 if q == "p50" else 0.5,
                           label=f"{system} {q}")
                ax.bar_label(b, labels=[f"{v:.2f}" if v < 10 else f"{v:,.0f}" for v in vals], fontsize=7, padding=1)
        ax.set_yscale("log")
        ax.set_ylim(0.1, max(10.0, max((r[s][key]["p99"] or 0) for r in ok for s in ("bare", "voxray")) * 4))
        ax.set_xticks(x, xlabels)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", which="major", alpha=0.3)
        ax.legend(fontsize=7, loc="upper left", ncol=2)

    def busy(r: dict[str, Any]) -> str:
        b = r["cpu"].get("host_busy_pct")
        return "-" if b is None else f"{b:.0f}%"

    xlabels = [f"N={r['n']}" + (f"\nhost busy {busy(r['bare'])} / {busy(r['voxray'])}"
                                if r["bare"]["cpu"].get("host_busy_pct") is not None else "") for r in ok]

    bars(axes[0][0], "inbound_ms", "Inbound per frame: carrier send -> model receive", "ms (log)")
    bars(axes[0][1], "outbound_ms", "Outbound per delta: model send -> carrier receive", "ms (log)")
    bars(axes[1][0], "turn_minus_think_ms", "Turn latency minus the model's think time", "ms (log)")
    ax = axes[1][1]
    width = 0.35
    bare_cpu = [(r["bare"]["cpu"].get("steady_per_call_s", {}).get("hot_path") or 0) * 1000 for r in ok]
    ax.bar(x - width / 2, bare_cpu, width, color=colors["bare"], label="bare relay")
    bottom = np.zeros(len(ok))
    parts = [("server", "gateway", "tab:blue"), ("session_actors", "session actors", "tab:cyan"),
             ("raylet", "raylet", "tab:orange"), ("gcs", "GCS", "tab:red"), ("redis", "redis", "tab:purple"),
             ("ray_other", "other ray", "tab:brown"), ("refill_workers", "pool refill (new workers)", "white")]
    for key, label, color in parts:
        vals = np.array([(r["voxray"]["cpu"].get("steady_per_call_s", {}).get(key) or 0) * 1000 for r in ok])
        ax.bar(x + width / 2, vals, width, bottom=bottom, color=color, label=f"voxray {label}",
               edgecolor="tab:blue" if key == "refill_workers" else None, hatch="//" if key == "refill_workers" else None)
        bottom += vals
    for i, r in enumerate(ok):
        ratio = r["added"].get("cpu_ratio_steady")
        ax.text(x[i] + width / 2, bottom[i], f"hot path x{ratio}" if ratio else "", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, xlabels)
    ax.set_title("Server CPU per call-second, steady window (lower when the host is saturated)", fontsize=10)
    ax.set_ylabel("CPU ms per call-second")
    ax.set_ylim(0, max(float(bottom.max()) if len(bottom) else 1.0, max(bare_cpu or [1.0])) * 1.8)
    ax.legend(fontsize=7, loc="upper right", ncol=2)
    misaligned = [str(r["n"]) for r in ok if r["voxray"]["alignment"]["mark_errors"]]
    note = f" (voxray outbound at N={', '.join(misaligned)}: alignment failed under overload)" if misaligned else ""
    fig.suptitle("voxray vs bare relay, same local realtime model, same carrier load" + note, fontsize=12)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_readme(text: str, tag: str = "") -> None:
    """Replace the generated block of this tag (``<!-- results[:tag] -->`` .. ``<!-- end -->``)."""
    start, end = f"<!-- results{':' + tag if tag else ''} -->", f"<!-- end results{':' + tag if tag else ''} -->"
    current = README.read_text() if README.exists() else ""
    block = f"{start}\n{text}\n{end}"
    if start in current and end in current:
        head, rest = current.split(start, 1)
        README.write_text(head + block + rest.split(end, 1)[1])
    elif start in current:
        head, rest = current.split(start, 1)
        README.write_text(head + block + "\n" + rest)
    else:
        README.write_text(current.rstrip("\n") + "\n\n" + block + "\n")


def whole_call_added(bare: dict[str, Any], vox: dict[str, Any]) -> dict[str, Any]:
    """voxray minus the relay: setup and turn latency, setup CPU per call; streaming CPU as a ratio."""
    def diff(key: str, q: str) -> float | None:
        a, b = bare.get(key, {}).get(q), vox.get(key, {}).get(q)
        return None if a is None or b is None else round(b - a, 2)

    b, v = bare["whole_call"]["every_process"], vox["whole_call"]["every_process"]
    out: dict[str, Any] = {f"{k}_{q}": diff(k, q) for k, qs in (("setup_ms", ("p50", "p99")),
                                                              ("turn_ms", ("p50", "p95"))) for q in qs}
    if b["setup_teardown_ms_per_call"] is not None and v["setup_teardown_ms_per_call"] is not None:
        out["setup_teardown_ms_per_call"] = round(v["setup_teardown_ms_per_call"] - b["setup_teardown_ms_per_call"], 1)
    if b["stream_ms_per_call_s"] and v["stream_ms_per_call_s"] is not None:
        out["stream_ratio"] = round(v["stream_ms_per_call_s"] / b["stream_ms_per_call_s"], 2)
    out["idle_ms_per_s"] = round(v["idle_ms_per_s"] - b["idle_ms_per_s"], 1)
    return out


WHOLE_HEAD = ["N", "arrival", "shape", "system", "with audio", "refused", "failed", "setup p50/p99 ms",
              "busy answer p50/p99 ms",
              "turn p50/p95 ms", "setup+teardown CPU ms/call", "streaming CPU ms/call-s", "idle CPU ms/s",
              "host busy %"]


def whole_call_table(runs: list[dict[str, Any]]) -> str:
    """One row per system and load, then voxray-bare; CPU counts every process of the stack."""
    rows = []
    for run in runs:
        for system in ("bare", "voxray"):
            r = run.get(system)
            if r is None:
                continue
            lead = [str(run["n"]), run.get("arrival", "steady"), run.get("shape", "standard"), system]
            if "error" in r:
                rows.append(lead + ["BROKE", r["error"][:60]] + [""] * (len(WHOLE_HEAD) - 6))
                continue
            if "whole_call" not in r:  # a results file from before the whole-call accounting
                rows.append(lead + ["not measured"] + [""] * (len(WHOLE_HEAD) - 5))
                continue
            o, w, busy = r["outcomes"], r["whole_call"]["every_process"], r.get("refusal_ms", {})
            rows.append(lead + [
                f"{o['with_audio']}/{o['calls']}", str(o["refused"]), str(o["failed"]),
                f"{fmt(r['setup_ms']['p50'], 1)} / {fmt(r['setup_ms']['p99'], 1)}",
                f"{fmt(busy.get('p50'), 1)} / {fmt(busy.get('p99'), 1)}" if busy.get("n") else "-",
                f"{fmt(r['turn_ms']['p50'], 0)} / {fmt(r['turn_ms']['p95'], 0)}",
                fmt(w["setup_teardown_ms_per_call"], 1), fmt(w["stream_ms_per_call_s"], 2),
                fmt(w["idle_ms_per_s"], 1), fmt(r["cpu"].get("host_busy_pct"), 0)])
        add = run.get("whole_added")
        if add:
            rows.append([str(run["n"]), run.get("arrival", ""), run.get("shape", ""), "voxray-bare", "", "", "",
                         f"{signed(add['setup_ms_p50'], 1)} / {signed(add['setup_ms_p99'], 1)}", "",
                         f"{signed(add['turn_ms_p50'], 0)} / {signed(add['turn_ms_p95'], 0)}",
                         signed(add.get("setup_teardown_ms_per_call"), 1),
                         f"x{fmt(add.get('stream_ratio'), 2)}", signed(add.get("idle_ms_per_s"), 1), ""])
    return markdown(WHOLE_HEAD, rows)


def signed(v: float | None, digits: int) -> str:
    return "-" if v is None else f"{v:+.{digits}f}"


def markdown(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    return "\n".join(lines)

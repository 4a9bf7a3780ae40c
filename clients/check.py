"""``python -m clients.check``: the committed API snapshots and generated clients are in step.

Fails (exit 1, naming each problem) when
- a snapshot (``clients/snapshots/{public,admin}.json``) differs from what the gateway serves now;
- the current snapshot breaks a client built from the last released one (``snapshots/released/``);
- regenerating the Python packages or the TypeScript types from the snapshots gives other files
  than the committed ones.

``--update`` rewrites the snapshots and the generated code instead (review the diff, then commit);
``--release`` also records the current snapshots as the released ones (after a version bump).
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

from clients.breaking import Change, breaking_changes
from clients.documents import RELEASED, SCOPES, SNAPSHOTS, current_documents, dumps, load
from clients.generate import PY_DIR, TS_DIR, generate_python, generate_typescript

TS_GENERATED = TS_DIR / "src" / "generated"


def stale_snapshots(update: bool) -> list[str]:
    problems: list[str] = []
    for scope, doc in current_documents().items():
        path = SNAPSHOTS / f"{scope}.json"
        text = dumps(doc)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            if update:
                path.write_text(text, encoding="utf-8")
            else:
                problems.append(f"{path.relative_to(SNAPSHOTS.parent.parent)} differs from the served document")
    return problems


def breaking_since_release() -> dict[str, list[Change]]:
    return {scope: breaking_changes(load(RELEASED / f"{scope}.json"), load(SNAPSHOTS / f"{scope}.json"))
            for scope in SCOPES}


def tree_differences(expected: Path, actual: Path) -> list[str]:
    """Files that differ, are missing or are extra in ``actual`` (``__pycache__`` ignored)."""
    def files(root: Path) -> set[Path]:
        return {p.relative_to(root) for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}

    want, have = files(expected), files(actual) if actual.exists() else set()
    out = [f"missing {actual / p}" for p in sorted(want - have)] + [f"extra {actual / p}" for p in sorted(have - want)]
    out += [f"differs {actual / p}" for p in sorted(want & have)
            if not filecmp.cmp(expected / p, actual / p, shallow=False)]
    return out


def drifted_clients(update: bool) -> list[str]:
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="voxray-clients-") as tmp:
        fresh = Path(tmp)
        for scope, made in generate_python(SNAPSHOTS, fresh / "python").items():
            committed = PY_DIR / made.name
            diff = tree_differences(made, committed)
            if diff and update:
                shutil.rmtree(committed, ignore_errors=True)
                shutil.copytree(made, committed)
            elif diff:
                problems += [f"python client {scope}: {d}" for d in diff]
        ts_fresh = fresh / "ts"
        generate_typescript(SNAPSHOTS, ts_fresh)
        diff = tree_differences(ts_fresh, TS_GENERATED)
        if diff and update:
            shutil.rmtree(TS_GENERATED, ignore_errors=True)
            shutil.copytree(ts_fresh, TS_GENERATED)
        elif diff:
            problems += [f"typescript types: {d}" for d in diff]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clients.check", description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite snapshots and generated clients")
    parser.add_argument("--release", action="store_true", help="also record the snapshots as released")
    args = parser.parse_args(argv)
    update = args.update or args.release
    problems = stale_snapshots(update)
    if args.release:
        for scope in SCOPES:
            shutil.copyfile(SNAPSHOTS / f"{scope}.json", RELEASED / f"{scope}.json")
    for scope, changes in breaking_since_release().items():
        problems += [f"breaking change in {scope} since the last release: {c}" for c in changes]
    problems += drifted_clients(update)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"clients check: {len(problems)} problem(s)" + (" (files updated)" if update else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

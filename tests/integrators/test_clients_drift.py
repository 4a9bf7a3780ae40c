"""The committed snapshots match what the gateway serves, and the committed generated clients match
what the generators make from them (python -m clients.check, as CI runs it)."""

from __future__ import annotations

from pathlib import Path

from clients.check import drifted_clients, stale_snapshots, tree_differences


def test_snapshots_match_the_served_documents() -> None:
    problems = stale_snapshots(update=False)
    assert problems == [], "run `python -m clients.check --update` and commit:\n" + "\n".join(problems)


def test_generated_clients_match_a_fresh_generation(kit: object) -> None:
    problems = drifted_clients(update=False)
    assert problems == [], "run `python -m clients.check --update` and commit:\n" + "\n".join(problems)


def test_drift_is_detected_file_by_file(tmp_path: Path) -> None:
    fresh, committed = tmp_path / "fresh", tmp_path / "committed"
    for root in (fresh, committed):
        (root / "api").mkdir(parents=True)
        (root / "api" / "calls.py").write_text("def make_call(): ...\n")
    assert tree_differences(fresh, committed) == []
    (committed / "api" / "calls.py").write_text("def make_call(to): ...\n")
    (committed / "stale.py").write_text("")
    (fresh / "new.py").write_text("")
    assert tree_differences(fresh, committed) == [f"missing {committed / 'new.py'}", f"extra {committed / 'stale.py'}",
                                                 f"differs {committed / 'api' / 'calls.py'}"]

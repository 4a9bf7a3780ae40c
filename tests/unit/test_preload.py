"""The modules libraries import on first use are imported at start (voxray/preload.py)."""

import sys

from voxray.preload import ON_FIRST_USE, preload


def test_every_lazily_imported_module_exists_in_this_install() -> None:
    # A library upgrade that renames one would silently move the import back onto a call's path.
    assert preload() == []
    assert all(name in sys.modules for name in ON_FIRST_USE)


def test_a_missing_or_broken_module_is_reported_not_raised(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "voxray_broken_module.py").write_text("raise AttributeError('a version mismatch')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert preload(("json", "voxray_no_such_module", "voxray_broken_module")) == [
        "voxray_no_such_module", "voxray_broken_module"]

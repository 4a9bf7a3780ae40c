"""The modules libraries import on first use are imported at start (voxray/preload.py)."""

import sys

from voxray.preload import ON_FIRST_USE, preload


def test_every_lazily_imported_module_exists_in_this_install() -> None:
    # A library upgrade that renames one would silently move the import back onto a call's path.
    assert preload() == []
    assert all(name in sys.modules for name in ON_FIRST_USE)


def test_a_missing_module_is_reported_not_raised() -> None:
    assert preload(("json", "voxray_no_such_module")) == ["voxray_no_such_module"]

"""The architecture rules, checked on the source: pages → dashboard → models, streamlit only in
pages/ and dashboard/ui_cache.py, and small files."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT

PACKAGES = ("pages", "dashboard", "models")
FILES = sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def imported_roots(path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_arrows_point_down_only(path):
    layer = path.relative_to(ROOT).parts[0]
    below = PACKAGES[PACKAGES.index(layer) :]  # itself and the layers under it
    used = imported_roots(path) & set(PACKAGES)
    assert used <= set(below), f"{path.name} imports {used - set(below)} from above"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_streamlit_only_in_pages_and_ui_cache(path):
    rel = path.relative_to(ROOT).as_posix()
    if rel.startswith("pages/") or rel == "dashboard/ui_cache.py":
        return
    assert "streamlit" not in imported_roots(path), rel


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_files_stay_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300, path.name

"""The layering (docs/ARCHITECTURE.md): each layer imports only the ones below it; no module passes ~450 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"scratchnet": 1, "figures": 2, "ui": 3}  # app.py and pages/ are layer 4
THIRD_PARTY_FLOOR = {"plotly": 2, "streamlit": 3}  # the lowest layer that may import each
MAX_LINES = 450


def _modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("path", _modules(*LAYERS), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_upward_import(path):
    layer = LAYERS[path.relative_to(ROOT).parts[0]]
    upward = {m for m in _imports(path) if LAYERS.get(m, 0) > layer or THIRD_PARTY_FLOOR.get(m, 0) > layer}
    assert not upward, f"{path.relative_to(ROOT)} (layer {layer}) imports {sorted(upward)}"


def test_no_module_over_the_size_limit():
    files = [*_modules(*LAYERS, "pages"), *(ROOT / "ui" / "live_component").glob("*.js")]
    long = {str(p.relative_to(ROOT)): n for p in files if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, long


def test_pages_are_thin():
    for page in [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]:
        assert len(page.read_text().splitlines()) <= 15, page.name

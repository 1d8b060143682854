"""The layering (docs/ARCHITECTURE.md): each layer imports only the ones below it; no module passes ~450 lines."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# One namespace: the core is scratchnet/ itself, the figures and the Streamlit glue live beneath it.
# app.py and pages/ are layer 4.
LAYERS = {"scratchnet": 1, "scratchnet.figures": 2, "scratchnet.ui": 3}
THIRD_PARTY_FLOOR = {"plotly": 2, "streamlit": 3}  # the lowest layer that may import each
MAX_LINES = 450


def _modules() -> list[Path]:
    return sorted((ROOT / "scratchnet").rglob("*.py"))


def _layer_of_name(name: str) -> int:
    parts = name.split(".")
    if parts[0] != "scratchnet":
        return THIRD_PARTY_FLOOR.get(parts[0], 0)
    return LAYERS.get(".".join(parts[:2]), 1)


def _layer_of_path(path: Path) -> int:
    return _layer_of_name(".".join(path.relative_to(ROOT).with_suffix("").parts))


def _imports(path: Path) -> set[str]:
    """Absolute names imported, with `from scratchnet import figures` read as scratchnet.figures."""
    package = ".".join(path.relative_to(ROOT).parent.parts)
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            out.update(f"{base}.{a.name}" for a in node.names)
    return out


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_upward_import(path):
    layer = _layer_of_path(path)
    upward = {m for m in _imports(path) if _layer_of_name(m) > layer}
    assert not upward, f"{path.relative_to(ROOT)} (layer {layer}) imports {sorted(upward)}"


def test_the_core_imports_without_plotly_or_streamlit():
    code = "import sys, scratchnet, scratchnet.data; print(sorted({'plotly', 'streamlit'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_no_module_over_the_size_limit():
    files = [*_modules(), *(ROOT / "pages").glob("*.py"), *(ROOT / "scratchnet" / "ui" / "live_component").glob("*.js")]
    long = {str(p.relative_to(ROOT)): n for p in files if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, long


def test_pages_are_thin():
    for page in [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]:
        assert len(page.read_text().splitlines()) <= 15, page.name

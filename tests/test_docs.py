"""docs/ARCHITECTURE.md says what is true: each of its package sections names every module of that package, and
names no file that is gone."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ARCHITECTURE.md"
SOURCE = re.compile(r"[\w.-]+\.(?:py|js|css)\b")


def _sections() -> dict[Path, str]:
    """'### `scratchnet/figures/`' → that folder and the text under the heading."""
    parts = re.split(r"^### `([^`]+)`.*$", DOC.read_text(), flags=re.M)
    return {ROOT / folder: re.split(r"^## ", text, flags=re.M)[0]
            for folder, text in zip(parts[1::2], parts[2::2], strict=True)}


def _owner(path: Path, sections: dict[Path, str]) -> Path:
    """The deepest documented folder holding the file."""
    return max((folder for folder in sections if folder in path.parents), key=lambda f: len(f.parts))


def test_every_module_is_named_in_its_package_section():
    sections = _sections()
    assert set(sections) >= {ROOT / "scratchnet", ROOT / "scratchnet" / "figures", ROOT / "scratchnet" / "ui"}
    files = [p for p in (ROOT / "scratchnet").rglob("*") if p.suffix in {".py", ".js", ".css"}
             and p.name != "__init__.py" and "__pycache__" not in p.parts]
    missing = [str(p.relative_to(ROOT)) for p in files
               if f"`{p.name}`" not in sections[_owner(p, sections)]]
    assert not missing, f"not in docs/ARCHITECTURE.md: {missing}"


def test_every_file_the_page_names_exists_where_it_says():
    gone = [f"{folder.relative_to(ROOT)}: {name}" for folder, text in _sections().items()
            for name in sorted(set(SOURCE.findall(text))) if not any(folder.rglob(name))]
    assert not gone, f"docs/ARCHITECTURE.md names files that do not exist there: {gone}"

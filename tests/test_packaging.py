"""The core installs as a package: the wheel holds one namespace, and the README's notebook snippet runs from it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")  # built from a copy: the checkout gets no build/ or egg-info
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for name in ("scratchnet", "sample_data"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
                   check=True, capture_output=True, text=True)
    (whl,) = out.glob("scratchnet-*.whl")
    return whl


def test_the_wheel_holds_one_namespace_with_its_assets(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"scratchnet", next(t for t in tops if t.endswith(".dist-info"))}, tops
    packages = {str(p.parent.relative_to(ROOT / "scratchnet")) for p in (ROOT / "scratchnet").rglob("__init__.py")}
    for package in packages:  # every subpackage of the checkout is in the wheel (pyproject lists them by hand)
        assert f"scratchnet/{package}/__init__.py".replace("/./", "/") in names, package
    assets = {f"scratchnet/{p.relative_to(ROOT / 'scratchnet').as_posix()}" for pattern in ("*.js", "*.css")
              for p in (ROOT / "scratchnet").rglob(pattern)}  # the app reads them at import: pyproject lists them
    assert "scratchnet/ui/live_component/live.js" in assets and not assets - set(names), assets - set(names)
    assert {f"scratchnet/sample_data/{p.name}" for p in (ROOT / "sample_data").glob("*.csv")} <= set(names)


def test_the_core_depends_on_numpy_and_pandas_only(wheel):
    meta = zipfile.ZipFile(wheel).read(next(n for n in zipfile.ZipFile(wheel).namelist()
                                            if n.endswith("METADATA"))).decode()

    def needs(extra: str | None) -> set[str]:
        return {re.split(r"[<>=;\s]", line.split(": ", 1)[1])[0] for line in meta.splitlines()
                if line.startswith("Requires-Dist:")
                and (f'extra == "{extra}"' in line if extra else "extra ==" not in line)}

    assert needs(None) == {"numpy", "pandas"}
    assert needs("app") == {"streamlit", "plotly", "segno"}  # segno: the class's QR code
    assert needs("redis") == {"redis"}  # only a class store across machines needs it


def test_the_readme_notebook_snippet_runs_from_the_installed_wheel(wheel, tmp_path):
    venv = tmp_path / "venv"
    # The machine's numpy and pandas satisfy the dependencies, so nothing is downloaded.
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel)],
                   check=True, capture_output=True, text=True)
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Use the core from a notebook", 1)[1]
    snippet = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    snippet += (
        "\nimport sys, scratchnet\n"
        "print('FROM', scratchnet.__file__)\n"
        "print('APP', sorted({'streamlit', 'plotly'} & set(sys.modules)))\n"
        "from scratchnet.data import load_sample\n"
        "print('SAMPLE', load_sample('iris').X_train.shape[1])\n"
    )
    away = tmp_path / "notebook"  # another folder: the checkout is not on sys.path
    away.mkdir()
    out = subprocess.run([python, "-c", snippet], cwd=away, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert str(venv) in next(line for line in lines if line.startswith("FROM"))
    assert "APP []" in lines  # the core pulls in neither Streamlit nor plotly
    assert float(lines[0].split()[0]) < 0.3  # the snippet trained: moons' loss fell well below log 2
    assert int(next(line for line in lines if line.startswith("SAMPLE")).split()[1]) >= 2

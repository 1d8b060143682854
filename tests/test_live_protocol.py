"""The live view's protocol: one table of constants (live_payload.PROTOCOL) that the browser's code and the bench's
client read from the mount payload, and requests checked where they enter (forged values, floods)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from scratchnet.ui import live_payload as P

ROOT = Path(__file__).resolve().parents[1]
JS = sorted((ROOT / "scratchnet/ui/live_component").glob("*.js"))
PY = [p for p in [*(ROOT / "scratchnet/ui").glob("*.py"), *(ROOT / "bench").glob("*.py")]
      if p.name != "live_payload.py"]
# named constants that equal a protocol value by chance, with another meaning
OTHER_MEANING = {"PREROLL_BUDGET", "SHOWN_ENTRIES"}  # SHOWN_ENTRIES: how many of W1's entries the math page tabulates


def _values(ms: bool) -> set[float]:
    """Every protocol value, and with `ms` seconds also as milliseconds (how JS timers count)."""
    out = set()
    for key, value in P.PROTOCOL.items():
        out.add(float(value))
        if ms and key.endswith("_s"):
            out.add(float(value) * 1000)
    return out


def copies(source: str, python: bool, ms: bool = False) -> list[str]:
    """Where `source` repeats a protocol value: in JS (and the bench's client, which plays live.js) any number
    literal but a small integer; in Python a named constant set to one."""
    values, found = _values(ms), []
    pattern = (r"^\s*([A-Z][A-Z0-9_]*)\s*(?::[^=]*)?=\s*\(?([0-9][0-9_.]*)" if python
               else r"(?<![\w.])(\d+\.\d+|\.\d+|\d+)(?![\w.])")
    for m in re.finditer(pattern, source, flags=re.M):
        name, literal = (m.group(1), m.group(2)) if python else ("", m.group(1))
        number = float(literal.replace("_", ""))
        if number in values and name not in OTHER_MEANING and (python or "." in literal or number >= 10):
            found.append(f"{name or 'literal'} {literal}")
    return found


def test_the_copy_finder_finds_the_copies_there_were():
    assert copies("const LOW_WATER = 0.6; // seconds", python=False) == ["literal 0.6"]
    assert copies("setTimeout(f, 4000);", python=False, ms=True) == ["literal 4000"]
    assert copies("LOW_WATER_S = 0.6  # seconds\nWANT_MAX_S, X = 4.0, 1\n", python=True) == ["LOW_WATER_S 0.6"]
    assert copies("for (let i = 0; i < 4; i++) x *= 1.5;", python=False) == []


@pytest.mark.parametrize("path", JS + [ROOT / "bench/class_client.py"], ids=lambda p: p.name)
def test_the_browser_and_the_bench_client_define_no_protocol_constant_of_their_own(path):
    text = path.read_text()
    if path.suffix == ".py":
        text = "\n".join(line.split("#")[0] for line in text.splitlines())  # comments may name a value
    else:  # comments and strings ('600 ' is a font weight) are not values
        text = re.sub(r"'[^'\n]*'|\"[^\"\n]*\"", "''", re.sub(r"//.*", "", text))
    assert copies(text, python=False, ms=path.suffix == ".js") == [], path.name


@pytest.mark.parametrize("path", PY, ids=lambda p: p.name)
def test_no_python_module_but_live_payload_defines_a_protocol_constant(path):
    assert copies(path.read_text(), python=True) == [], path.name


def test_the_protocol_goes_out_with_the_code_and_the_js_reads_it_from_there():
    from scratchnet.ui import live

    assert live.CODE["protocol"] is P.PROTOCOL
    used = set(re.findall(r"PROTOCOL\.(\w+)", "\n".join(p.read_text() for p in JS)))
    client = set(re.findall(r"protocol\[\"(\w+)\"\]", (ROOT / "bench/class_client.py").read_text()))
    assert used | {"dist_step"} == set(P.PROTOCOL) and client <= set(P.PROTOCOL)


# --- requests as they enter ---------------------------------------------------------------------------------
FORGED = [float("nan"), float("inf"), -float("inf"), "abc", "", None, True, [], {}, -5, 2**70, 1e308, "9" * 500]


@pytest.mark.parametrize("field", sorted(P.REQUEST_FIELDS))
@pytest.mark.parametrize("value", FORGED, ids=repr)
def test_a_forged_field_is_left_out_and_never_raises(field, value):
    cmd = P.request({"op": "need", "req": 3, "mount": "m", field: value})
    if field == "req":
        assert cmd is None  # a request without a number cannot be answered: dropped (the next run acks anyway)
        return
    assert cmd is not None and cmd["req"] == 3
    kind, low, high = P.REQUEST_FIELDS[field]
    if field in cmd:
        v = cmd[field]
        assert (isinstance(v, str) and len(v) <= high) if kind == "text" else (
            not isinstance(v, bool) and math.isfinite(v) and low <= v <= high)


def test_requests_keep_their_valid_fields_and_drop_unknown_ops():
    cmd = {"op": "need", "req": 4, "mount": "abc", "epoch": 2, "shown": 12, "next": 18, "want": 1.5, "lag": 30,
           "plane": "0,1", "splice": "k", "preroll": "p", "extra": "ignored"}
    assert P.request(cmd) == {k: v for k, v in cmd.items() if k != "extra"}
    assert P.request({"op": "hello"}) == {"op": "hello", "mount": ""}
    for bad in (None, [], "play", {"op": "rm -rf"}, {"op": ["play"], "req": 1}, {"req": 1}):
        assert P.request(bad) is None

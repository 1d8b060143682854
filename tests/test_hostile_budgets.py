"""Issue #21's budgets for big uploads, with the shapes a hostile student would try.

1. "A 10 MB CSV of any shape: answered (accepted or refused with a message) within 5 s of server CPU; RSS peak
   ≤ 400 MB above idle." Each shape goes through the real Your data page (AppTest) in a child process of its own, so
   its RSS peak is its own and no other test's: the child opens the page and uses a small file first (idle: every
   module imported, a data set in use), resets its peak RSS (/proc/self/clear_refs), then uploads the 10 MB file.
   Measured: the process CPU (every thread: AppTest runs the script in one) and VmHWM − idle VmRSS of that upload.
   Shapes refused before parsing answer in ~0.05 s; the largest legal tables are parsed in 1–2.2 s (+110–200 MB).
   One child imports the app and opens the page once; each shape is uploaded in a fork of it, so every shape still
   starts from the same idle page in a process of its own, without paying Streamlit's import 13 times.
2. "Any page with the largest legal upload and settings: every rerun ≤ 1 s of server CPU": 300 columns × 4,999
   rows (1.5 M cells, a binary and a 6-class label), every feature chosen, the largest settings, each page's
   reruns measured apart (process CPU); see the test for what "rerun" covers. The worst was ~0.27 s.

The budgets are the issue's, not tuned to this machine, and no wall clock is asserted. The child runs as
`python tests/test_hostile_budgets.py` and reads case names on stdin.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests")] if str(ROOT / "tests") not in sys.path else []

UPLOAD_CPU_S = 5.0  # issue #21: a 10 MB CSV is answered within 5 s of server CPU …
UPLOAD_RSS_MB = 400.0  # … with an RSS peak at most 400 MB above idle
SIZE = 10_000_000  # bytes: "a 10 MB CSV" (the uploader's own limit is 10 MiB, .streamlit/config.toml)
SMALL = b"x1,x2,label\n" + b"".join(b"%d,%d.5,%s\n" % (i % 7, (i * 3) % 5, b"ab"[i % 2:][:1]) for i in range(40))


# --- the shapes --------------------------------------------------------------------------------------
def _numbers(rows: int, columns: int, width: int, seed: int = 0) -> list[str]:
    """rows × columns numbers as text, each `width` characters (e.g. 0.123), a 0/1 label last."""
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 10 ** (width - 2), size=(rows, columns - 1))
    label = rng.integers(0, 2, size=rows)
    cells = np.char.add("0.", np.char.zfill(values.astype(str), width - 2))
    return [",".join(row) + f",{y}" for row, y in zip(cells.tolist(), label.tolist(), strict=True)]


def _table(rows: int, columns: int, width: int) -> bytes:
    header = ",".join(f"f{i}" for i in range(columns - 1)) + ",label"
    return ("\n".join([header, *_numbers(rows, columns, width)]) + "\n").encode()


def _wide() -> bytes:  # the file: 21 rows × 200,001 columns, cut at 9.9 MB
    header = ",".join(f"c{i}" for i in range(200_000)) + ",label\n"
    row = ",".join("1.5" for _ in range(200_000)) + ",1\n"
    return (header + row * 20).encode()[:9_900_000]


def _tall() -> bytes:  # one column, 1.2 M rows
    return b"x\n" + b"".join(b"%07d\n" % (i * 7919 % 10_000_000) for i in range(1_200_000))


def _long_rows() -> bytes:  # the most rows there may be: 6 columns × 249,999 rows (1.5 M cells)
    return _table(249_999, 6, 6)


def _empty_cells() -> bytes:  # 300 columns × 4,999 rows, every other cell empty, the rest 11 characters
    rows = _numbers(4_999, 300, 11)
    holed = [",".join("" if (r + c) % 2 else v for c, v in enumerate(line.split(","))) for r, line in enumerate(rows)]
    holed = [line.rsplit(",", 1)[0] + f",{r % 2}" for r, line in enumerate(holed)]  # every label present
    return ("\n".join([",".join(f"f{i}" for i in range(299)) + ",label", *holed]) + "\n").encode()


def _quoted() -> bytes:  # long quoted text cells (commas, quotes and line breaks inside), ~2,000 rows
    cell = '"' + ('a student\'s ""essay"", with commas,\nand lines ' * 100) + '"'
    lines = [f"{i % 7},{(i * 3) % 11}.5,{cell},{'yes' if i % 2 else 'no'}" for i in range(2_000)]
    return ("x1,x2,essay,label\n" + "\n".join(lines) + "\n").encode()


def _unclosed_quote() -> bytes:  # a quote opened in row 3 and never closed: the rest of the file is one value
    return b"x1,x2,label\n1,2,yes\n" + b'3,"4,' + (b"no,5,6," * 14 + b"\n") * ((SIZE - 30) // 99)


def _huge_cell() -> bytes:  # one value of ~10 MB in the second row (csv's field limit is 128 KiB)
    return b"x1,x2,label\n1,2," + b"y" * (SIZE - 20) + b"\n"


def _garbage(zero_bytes: bool) -> bytes:
    data = np.random.default_rng(21).integers(0 if zero_bytes else 1, 256, size=SIZE, dtype=np.uint8).tobytes()
    return b"x1,x2,label\n" + data[12:]


CASES = {
    "wide-200001-columns": _wide,
    "tall-1.2M-rows": _tall,
    "cells-over-limit": lambda: _table(5_000, 300, 6),  # 5,001 lines × 300 = 1,500,300 cells
    "cells-under-limit": lambda: _table(4_999, 300, 6),  # 5,000 lines × 300 = 1,500,000: the largest legal
    "longest-legal": _long_rows,
    "one-line-of-values": lambda: b"1," * (SIZE // 2),
    "one-line-no-delimiter": lambda: b"a" * SIZE,
    "empty-cells": _empty_cells,
    "quoted-text": _quoted,
    "huge-cell": _huge_cell,
    "unclosed-quote": _unclosed_quote,
    "binary": lambda: _garbage(zero_bytes=True),
    "garbage-text": lambda: _garbage(zero_bytes=False),
}
REFUSED = {  # the shape → what its message must say (what is wrong, and what to do)
    "wide-200001-columns": "Keep the columns you need",
    "tall-1.2M-rows": "Keep the columns you need",
    "cells-over-limit": "Keep the columns you need",
    "one-line-of-values": "Keep the columns you need",
    "one-line-no-delimiter": "save or download it as CSV",  # was a traceback: csv's field limit in the header
    "huge-cell": "save or download it as CSV",
    "unclosed-quote": 'a quote mark (") opens a value that never closes',  # past csv's field limit
    "binary": "save or download it as CSV",
    "garbage-text": "save or download it as CSV",
}


# --- in the child ------------------------------------------------------------------------------------
def _status_mb(key: str) -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(key + ":")) / 1024


def _idle_page():
    """Your data with a small file in use: every module imported, a data set in use."""
    from app_support import assert_clean, button, open_page

    at = open_page("upload")
    at.file_uploader(key="csv_file").set_value(("small.csv", SMALL, "text/csv")).run()
    button(at, "use_upload").click().run()
    assert_clean(at)
    return at


def _upload(at, case: str) -> dict[str, object]:
    """Upload the case's file on the idle page: its CPU, RSS peak and answer (run in a process of its own)."""
    from app_support import assert_clean, shown

    data = CASES[case]()
    idle = _status_mb("VmRSS")
    with open("/proc/self/clear_refs", "w") as refs:  # VmHWM := VmRSS: the peak from here on
        refs.write("5")
    cpu = time.process_time()
    at.file_uploader(key="csv_file").set_value((f"{case}.csv", data, "text/csv")).run()
    cpu = time.process_time() - cpu
    peak = _status_mb("VmHWM")
    assert_clean(at)
    return {"case": case, "bytes": len(data), "cpu_s": cpu, "idle_mb": idle, "peak_above_idle_mb": peak - idle,
            "errors": [shown(e.value) for e in at.error], "captions": [shown(c.value) for c in at.caption],
            "accepted": any(w.key and w.key.startswith("features_") for w in at.multiselect),
            "in_use": at.session_state["uploaded_data"].file_name}


def _serve() -> None:
    """The child: the idle page once, then for each case name read on stdin a fork that uploads it and prints its
    numbers as one JSON line (a fork's failure prints its traceback as {"error": ...})."""
    import traceback

    at = _idle_page()
    for line in sys.stdin:
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            try:
                out = _upload(at, line.strip())
            except BaseException:  # noqa: BLE001 — the parent test shows it
                out = {"error": traceback.format_exc()}
            sys.stdout.write(json.dumps(out) + "\n")
            sys.stdout.flush()
            os._exit(0)
        os.waitpid(pid, 0)


@pytest.fixture(scope="module")
def uploader():
    """The child, once per module; `uploader(case)` uploads one shape in a fresh fork of its idle page."""
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    child = subprocess.Popen([sys.executable, __file__], cwd=ROOT, env=env, text=True, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE)

    def upload(case: str) -> dict[str, object]:
        child.stdin.write(case + "\n")
        child.stdin.flush()
        while (line := child.stdout.readline()) and not line.startswith("{"):
            pass  # Streamlit's bare-mode warnings
        assert line, f"the upload child ended (exit code {child.poll()})"
        result = json.loads(line)
        assert "error" not in result, result["error"]
        return result

    yield upload
    child.stdin.close()
    child.wait(timeout=60)


# --- 1. a 10 MB CSV of any shape ---------------------------------------------------------------------
@pytest.mark.parametrize("case", list(CASES))
def test_a_10_mb_csv_of_any_shape_is_answered_within_budget(uploader, case: str) -> None:
    result = uploader(case)
    print(f"\n{case}: {result['bytes'] / 1e6:.1f} MB, {result['cpu_s']:.2f} s CPU, RSS peak "
          f"+{result['peak_above_idle_mb']:.0f} MB over idle {result['idle_mb']:.0f} MB")
    assert 9_000_000 <= result["bytes"] <= 10 * 2**20  # ~10 MB, and under the uploader's limit
    assert result["cpu_s"] <= UPLOAD_CPU_S and result["peak_above_idle_mb"] <= UPLOAD_RSS_MB, result
    if case in REFUSED:  # refused with a message that says what to do; the small file stays in use
        assert not result["accepted"] and any(REFUSED[case] in e for e in result["errors"]), result
        assert "Nothing changed: the data set you were using is still in use." in result["captions"]
    else:
        assert result["accepted"] or result["errors"], result
    assert result["in_use"] == "small.csv"


def test_a_refused_10_mb_file_says_why_and_keeps_the_data_set_in_use() -> None:
    """The issue's 9.9 MB file on the Your data page: the message, no traceback, and the file in use stays in use
    (on this page, in the sidebar, and on a model page)."""
    from app_support import assert_clean, button, open_page, shown, switch

    at = open_page("upload")
    at.file_uploader(key="csv_file").set_value(("small.csv", SMALL, "text/csv")).run()
    button(at, "use_upload").click().run()
    at.file_uploader(key="csv_file").set_value(("wide.csv", _wide(), "text/csv")).run()
    assert_clean(at)
    message = " ".join(shown(e.value) for e in at.error)
    assert "This file is too large for the app" in message and "at most 300 can be read" in message
    assert "Keep the columns you need" in message
    assert "Nothing changed: the data set you were using is still in use." in [c.value for c in at.caption]
    assert not [w for w in at.multiselect if w.key and w.key.startswith("features_")]  # no columns to choose
    assert at.selectbox(key="data").value == "uploaded"
    assert at.session_state["uploaded_data"].file_name == "small.csv"
    assert any("In use: **small.csv**" in shown(i.value) for i in at.info)
    switch(at, "logistic")
    assert_clean(at)
    assert at.session_state["live:logistic"].plane.problem.dataset.n_features == 2  # small.csv's x1 and x2


# --- 2. every page with the largest legal upload and settings -----------------------------------------
RERUN_CPU_S = 1.0  # issue #21: every rerun ≤ 1 s of server CPU
LARGEST = (4_999, 300)  # rows under the header × columns: 1,500,000 cells with the header, MAX_CELLS


def _largest_upload(classes: int) -> bytes:
    """299 numeric features and a label of `classes` values: every feature offered, none an ID or constant."""
    rows, columns = LARGEST
    body = _numbers(rows, columns, 6, seed=classes)
    body = [line.rsplit(",", 1)[0] + f",{r * 7 % classes}" for r, line in enumerate(body)]
    return ("\n".join([",".join(f"f{i}" for i in range(columns - 1)) + ",label", *body]) + "\n").encode()


class _Meter:
    """Process CPU (every thread) of each rerun, by page and action."""

    def __init__(self, at) -> None:
        self.at, self.cpu = at, {}

    def __call__(self, page: str, action: str, rerun) -> None:
        from app_support import assert_clean

        start = time.process_time()
        rerun()
        self.cpu[f"{page}: {action}"] = time.process_time() - start
        assert_clean(self.at)


@pytest.fixture
def server_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The live engine's frame budgets on the real clock, as on a server (conftest stops it for other tests): a
    message trains for at most live_engine.CHUNK_TRAIN_BUDGET, else a Play here would train every frame asked."""
    from live_support import set_engine_clock

    set_engine_clock(monkeypatch, perf_counter=time.perf_counter, monotonic=time.monotonic)


@pytest.mark.parametrize(("classes", "shape"), [(2, "32,32,32,32,32,32"), (6, "64")],
                         ids=["binary-6x32", "6-classes-64"])
def test_every_rerun_with_the_largest_legal_upload_stays_within_a_second(server_clock: None, classes: int,
                                                                          shape: str) -> None:
    """What "rerun" covers: every script run of every page that uses the data (Home, Logistic regression, Neural
    network, Learning-rate lab, Your data, The math) once the file is read, each measured apart: choosing every
    feature, the largest test share, Use, each page switch, a plain rerun, each widget changed to its largest
    setting (units, six layers, Adam, L2, 10,000 iterations, speed max, all eight learning rates of the lab), and the
    live view's messages (Play, four requests for more frames, Pause, Step). Not covered: the first run after the
    upload, which parses the file (part 1's budget, 5 s), and the lab's "Run the comparison (about N s)" button,
    which asks by name for a computation of N seconds (it is only offered: the lab no longer runs one on its own)."""
    from app_support import button, open_page, switch
    from live_support import Browser

    at = open_page("upload")
    meter = _Meter(at)
    at.file_uploader(key="csv_file").set_value(("largest.csv", _largest_upload(classes), "text/csv")).run()
    features = next(w for w in at.multiselect if w.key and w.key.startswith("features_"))
    meter("upload", "every feature", lambda: features.set_value(list(features.options)).run())
    meter("upload", "test share 0.5", lambda: at.slider(key="test").set_value(0.5).run())
    meter("upload", "use", lambda: button(at, "use_upload").click().run())
    assert at.session_state["uploaded_data"].frame.shape == (LARGEST[0], LARGEST[1])
    meter("upload", "rerun", at.run)
    for page in ("home", "logistic", "net", "lab", "upload", "math"):
        meter(page, "open", lambda page=page: switch(at, page))
        meter(page, "rerun", at.run)
        if page == "net":
            widths = [int(w) for w in shape.split(",")]
            meter(page, f"{widths[0]} units", lambda w=widths[0]: at.slider(key="hidden").set_value(w).run())
            for n in range(2, len(widths) + 1):
                meter(page, f"+ layer ({n})", lambda: button(at, "layer_add").click().run())
            model = at.session_state["live:net"].run.model  # one layer without L1: TwoLayerNet (K ≥ 3: SoftmaxNet)
            assert getattr(model, "hidden_layers", (getattr(model, "hidden_units", 0),)) == tuple(widths)
        if page in ("logistic", "net"):
            meter(page, "Adam", lambda: at.radio(key="opt").set_value("adam").run())
            meter(page, "L2 1", lambda: at.select_slider(key="l2").set_value(1.0).run())
            meter(page, "10,000 iterations", lambda: at.select_slider(key="iters").set_value(10000).run())
            meter(page, "speed max", lambda: at.select_slider(key="speed").set_value("max").run())
            meter(page, "α 0.3", lambda: at.select_slider(key="lr").set_value(0.3).run())
            view = Browser(at)
            meter(page, "Play", view.play)
            for n in range(4):
                meter(page, f"more frames ({n + 1})", view.need)
            meter(page, "Pause", view.pause)
            meter(page, "Step", view.step)
            assert at.session_state[f"live:{page}"].run.iteration > 0
        if page == "lab":
            meter(page, "every α", lambda: at.multiselect(key="lab_lrs").set_value(list(at.multiselect(
                key="lab_lrs").options)[:8]).run())
            meter(page, "logistic", lambda: at.radio(key="lab_model").set_value("Logistic regression").run())
            assert any(b.label.startswith("Run the comparison (about ") for b in at.button)
        if page == "math":
            for model in ("Logistic regression", "Neural network"):
                meter(page, model, lambda model=model: at.radio(key="math_model").set_value(model).run())
            meter(page, "example 100", lambda: at.number_input(key="math_example").set_value(100).run())
    width = max(len(k) for k in meter.cpu)
    print("\n" + "\n".join(f"{k:<{width}}  {v:.3f} s" for k, v in meter.cpu.items()))
    worst = max(meter.cpu, key=meter.cpu.__getitem__)
    print(f"worst: {worst} {meter.cpu[worst]:.3f} s")
    assert all(cpu <= RERUN_CPU_S for cpu in meter.cpu.values()), {k: v for k, v in meter.cpu.items() if v > 0.5}


def test_max_speed_trains_fewer_iterations_a_frame_on_a_big_model() -> None:
    """'max' speed's 40 iterations a frame made one frame of a 6×32 net on the largest upload 0.35 s of CPU, spent
    at every paused rerun on Play's first frame; a usual model and data keep 40."""
    from scratchnet.ui.live_engine import MAX_SPEED_STRIDE, max_speed_stride

    assert max_speed_stride(150 + 50, (2, 8, 1)) == MAX_SPEED_STRIDE  # moons: 150 training and 50 test points
    assert max_speed_stride(2_500 + 2_500, (299, 32, 32, 32, 32, 32, 32, 1)) == 1
    assert max_speed_stride(2_500 + 2_500, (299, 8, 1)) == 8  # 12 M multiply-adds an iteration
    assert max_speed_stride(2_500 + 2_500, (299, 1)) == MAX_SPEED_STRIDE  # logistic regression on it


def test_the_math_page_checks_the_gradients_once_per_model_state(monkeypatch: pytest.MonkeyPatch) -> None:
    from app_support import assert_clean, open_page

    from scratchnet.ui import explain

    calls: list[int] = []
    original = explain.gradcheck
    monkeypatch.setattr(explain, "gradcheck", lambda *a, **k: calls.append(1) or original(*a, **k))
    at = open_page("math")
    assert len(calls) == 1
    at.number_input(key="math_example").set_value(3).run()
    at.run()
    assert_clean(at)
    assert len(calls) == 1  # the example shown changed, the model did not
    at.radio(key="math_model").set_value("Logistic regression").run()
    assert len(calls) == 2


def test_a_first_value_past_the_field_limit_is_refused_with_a_message() -> None:
    """csv's field limit (128 KiB) met in the size check, before any parsing, was a traceback."""
    from scratchnet.data import UnreadableFileError, read_csv

    with pytest.raises(UnreadableFileError, match="Could not read row 1 as part of a table"):
        read_csv(b"a" * 200_000)


if __name__ == "__main__":  # the child
    _serve()

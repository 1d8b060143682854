"""What the live component receives, encoded compactly: no Streamlit and no maths here, only encoding.

A payload is one JSON object. The parts the browser needs every frame are small: a frame is its iteration
and a status text; its decision grid (P(class 1) on an 80×80 grid) travels in one blob per message, each
probability quantised to a byte (error ≤ 0.5/255), each grid stored as its difference from the previous one
in the message (most cells barely move between frames), and the whole blob deflated (zlib; the browser
inflates it with DecompressionStream). Loss and gradient points go out once, as only the new records.
"""

from __future__ import annotations

import base64
import math
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from scratchnet import History, Model, ParamInfo, PlaneGrid, figures
from scratchnet.data import Dataset
from scratchnet.figures import SliceFadeLike

GRID_ENCODING = "u8-delta-zlib"
# The deltas are mostly runs of 0 and ±1: run-length matches alone (Z_RLE) deflate them in half the CPU of level 4's
# full search, for 7-13 % more bytes (level 1 costs as much as Z_RLE and sends 29 % more).
ZLIB_STRATEGY = zlib.Z_RLE
ZLIB_LEVEL = 4
MAX_POINTS = 800  # points drawn over the boundary; a seeded subset above that (the same in every frame)
NAN_BYTE = 128  # a non-finite probability is drawn as 0.5 (white); the frame also says it had some
JITTER_LEVELS = 12  # a drawn feature with at most this many values (a class, 0/1 text) is drawn jittered,
JITTER = 0.2  # each point moved by up to ± this share of the gap between its values, so points do not hide

# The live view's protocol: the one table of what the server and the browser (live_component/*.js, and
# bench/class_client.py playing one) must agree on. It goes to the browser with the plane's meta.
PROTOCOL: dict[str, float] = {
    "first_chunk_s": 0.12,  # seconds of playback asked for after Play or a change (and the first frames of Play)
    "low_water_s": 0.6,  # seconds of buffered playback left when the browser asks for more frames
    "want_max_s": 4.0,  # seconds of playback one request asks for at most
    "ack_timeout_s": 4.0,  # a request not answered by then is sent again
    "dist_step": 0.04,  # a point's distance from the slice (standard deviations) per byte step: 0 … 10.2
}
DISTANCE_STEP = PROTOCOL["dist_step"]

# A browser request's fields as the engine may read them: (type, low, high). Ints are JSON integers (not bools),
# numbers are finite; anything else is left out (the engine reads a missing field as absent).
_INT, _NUM, _TEXT = "int", "num", "text"
REQUEST_FIELDS: dict[str, tuple[str, float, float]] = {
    "req": (_INT, 1, 2**53), "epoch": (_INT, -1, 2**53), "shown": (_INT, 0, 2**53), "next": (_INT, 0, 2**53),
    "want": (_NUM, 0, 3600), "lag": (_NUM, 0, 4999.999), "mount": (_TEXT, 0, 64), "plane": (_TEXT, 0, 400),
    "preroll": (_TEXT, 0, 400), "splice": (_TEXT, 0, 400),
    "name": (_TEXT, 0, 40), "value": (_NUM, -1e6, 1e6), "feat": (_TEXT, 0, 16),  # the diagram's edit and input
}
REQUEST_OPS = ("hello", "play", "need", "pause", "step", "done", "frame", "reset", "edit", "input")


def request(value: Any) -> dict[str, Any] | None:
    """A browser request with every field checked where it enters: None unless it is an object with a known `op`
    and (but for "hello") a request number; other fields of the wrong type or out of range are dropped."""
    if not isinstance(value, dict) or value.get("op") not in REQUEST_OPS:
        return None
    out: dict[str, Any] = {"op": value["op"], "mount": ""}
    for name, (kind, low, high) in REQUEST_FIELDS.items():
        v = value.get(name)
        if kind == _TEXT:
            ok = isinstance(v, str) and len(v) <= high
        else:
            ok = (isinstance(v, int) or (kind == _NUM and isinstance(v, float))) and not isinstance(v, bool)
            ok = ok and math.isfinite(v) and low <= v <= high
        if ok:
            out[name] = v
    return out if "req" in out or out["op"] == "hello" else None


# --- numbers -------------------------------------------------------------------------------------------------
def num(x: float | None, digits: int = 5) -> float | None:
    """A float for JSON: `digits` significant digits; None for nan/inf (JSON has no NaN)."""
    return None if x is None else nums([x], digits)[0]


def nums(values: Sequence[float], digits: int = 5) -> list[float | None]:
    """num() of each value, in one numpy pass (a series column is 1,000 values; one by one they were ~5 % of a run's
    server CPU): N / 10^k of two exact doubles is the double nearest N·10^-k, as float() of the rounded text is."""
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        k = digits - 1 - np.floor(np.log10(np.abs(v)))  # decimals kept; 10^k is an exact double up to 10^22
        exact = np.isfinite(k) & (np.abs(k) <= 22)
        up, down = 10.0 ** np.where(exact & (k > 0), k, 0), 10.0 ** np.where(exact & (k < 0), -k, 0)
        out = (np.rint(v * up / down) * down / up).tolist()
    return out if exact.all() else [x if ok else float(f"{x0:.{digits}g}") if math.isfinite(x0) else None
                                   for x, ok, x0 in zip(out, exact.tolist(), v.tolist(), strict=True)]


def fmt_loss(x: float | None) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.4f}"


def fmt_pct(x: float | None) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.0%}"


def status_tail(train_loss: float, test_loss: float, train_acc: float, test_acc: float, penalty: float = 0.0,
                dead: tuple[int, int] | None = None) -> str:
    """The numbers after "Iteration N / T · state · ", bold parts between asterisks (the browser bolds them).

    The losses are cross-entropy only; an L2 penalty is shown apart (the objective descended is their sum), and a
    ReLU net says how many hidden units are dead (output 0 on every training example)."""
    text = (f"train loss *{fmt_loss(train_loss)}* · test loss *{fmt_loss(test_loss)}* · accuracy train "
            f"*{fmt_pct(train_acc)}* / test *{fmt_pct(test_acc)}*")
    if penalty and math.isfinite(penalty):
        text += f" · penalty (λ/2)‖W‖² *{fmt_loss(penalty)}*"
    if dead is not None and dead[0] > 0:
        text += f" · dead ReLU units *{dead[0]}* / {dead[1]}"
    return text


def status_text(iteration: int, target: int, state: str, tail: str, look_of: int | None = None) -> str:
    """The status line as a screen reader (and a test) reads it: the browser builds the same text per frame."""
    where = (f"Looking back at iteration {iteration:,} of {look_of:,}" if look_of is not None
             else f"Iteration {iteration:,} / {target:,}")
    return f"{where} · {state} · {tail.replace('*', '')}"


# --- grids ---------------------------------------------------------------------------------------------------
def quantise(proba: np.ndarray) -> tuple[np.ndarray, bool]:
    """P in [0, 1] → uint8 0…255 (nearest; a picture's float32 grid in float32); non-finite → NAN_BYTE. Returns
    (bytes, all finite)."""
    p = proba if getattr(proba, "dtype", None) == np.float32 else np.asarray(proba, dtype=np.float64)
    if np.isfinite(p).all():  # every frame of a sane run: 4 passes over the grid, in place
        q = p * 255.0
        np.clip(q, 0.0, 255.0, out=q)  # = clip(p, 0, 1)·255, the same bits
        return np.rint(q, out=q).astype(np.uint8), True
    finite = np.isfinite(p)
    q = np.rint(np.clip(np.where(finite, p, 0.5), 0.0, 1.0) * 255.0).astype(np.uint8)
    q[~finite] = NAN_BYTE
    return q, False


NAN_CLASS = 255  # the class byte of a non-finite cell (K ≥ 3): drawn white


def quantise_regions(winner: np.ndarray, confidence: np.ndarray) -> tuple[np.ndarray, bool]:
    """K ≥ 3 classes: each cell's winning class (a byte) and its probability (quantised as by quantise), as two
    planes of one grid, (2h, w): rows 0 … h−1 the classes, h … 2h−1 the probabilities. A non-finite cell gets
    class NAN_CLASS. Returns (bytes, all finite)."""
    p = np.asarray(confidence, dtype=np.float64)
    finite = np.isfinite(p)
    classes = np.where(finite, np.asarray(winner), NAN_CLASS).astype(np.uint8)
    return np.vstack([classes, quantise(p)[0]]), bool(finite.all())


def encode_grids(grids: Sequence[np.ndarray], level: int = ZLIB_LEVEL) -> dict[str, Any]:
    """Quantised grids (all one shape) → {"enc", "n", "h", "w", "data": base64 of the deflated deltas}."""
    if not grids:
        return {"enc": GRID_ENCODING, "n": 0, "h": 0, "w": 0, "data": ""}
    stack = np.stack([np.asarray(g, dtype=np.uint8) for g in grids])
    deltas = stack.copy()
    deltas[1:] = stack[1:] - stack[:-1]  # uint8 arithmetic wraps: the browser adds them back mod 256
    deflate = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS, 8, ZLIB_STRATEGY)  # zlib.compress's format
    blob = deflate.compress(deltas.tobytes()) + deflate.flush()
    n, h, w = stack.shape
    return {"enc": GRID_ENCODING, "n": n, "h": h, "w": w, "data": base64.b64encode(blob).decode("ascii")}


def decode_grids(encoded: dict[str, Any]) -> np.ndarray:
    """The inverse of encode_grids, (n, h, w) uint8 — what live.js does, for tests and for checking."""
    if encoded["enc"] != GRID_ENCODING:
        raise ValueError(f"unknown grid encoding {encoded['enc']!r}")
    n, h, w = encoded["n"], encoded["h"], encoded["w"]
    if n == 0:
        return np.zeros((0, h, w), dtype=np.uint8)
    deltas = np.frombuffer(zlib.decompress(base64.b64decode(encoded["data"])), dtype=np.uint8).reshape(n, h, w)
    return np.cumsum(deltas, axis=0, dtype=np.uint8)  # cumsum in uint8 wraps mod 256, undoing the deltas


def encode_units(h1: np.ndarray, w2: np.ndarray | None, max_units: int,
                 votes: np.ndarray | None = None, dead: np.ndarray | None = None) -> dict[str, Any]:
    """Hidden-unit maps h1 (h, res, res) → one byte per cell of h1/peak·sign(w2) in [−1, 1] (the boundary's
    colours: a unit drawn orange votes for class 1 where it is bright). Up to `max_units` units, the ones
    with the largest |w2| first when there are more. With K ≥ 3 classes `votes` names each unit's class
    (scratchnet.plane.unit_votes, `w2` its weight to it): the map is h1/peak, coloured by that class. `dead`
    marks the units at 0 on every training point (scratchnet.plane.dead_unit_mask), as the status counts them."""
    h1 = np.asarray(h1, dtype=np.float64)
    h = h1.shape[0]
    w = None if w2 is None else np.asarray(w2, dtype=np.float64).reshape(-1)
    order = np.arange(h) if w is None or h <= max_units else np.sort(np.argsort(-np.abs(w))[:max_units])
    maps, peaks = [], []
    for k in order:
        a = np.where(np.isfinite(h1[k]), h1[k], 0.0)
        peak = float(np.max(np.abs(a))) if a.size else 0.0
        z = a / peak if peak > 0 else np.zeros_like(a)
        if w is not None and w[k] < 0 and votes is None:
            z = -z
        maps.append(quantise((z + 1.0) / 2.0)[0])
        peaks.append(num(peak, 3))
    out = encode_grids(maps)
    out.update(ids=[int(k) + 1 for k in order], of=h, peak=peaks,
               w2=None if w is None else nums(w[order], 3))
    if votes is not None:
        out["votes"] = [int(votes[k]) for k in order]
    if dead is not None:
        out["dead"] = [bool(dead[k]) for k in order]
    return out


# --- series --------------------------------------------------------------------------------------------------
def series(history: History, t0: int, columns: Iterable[str], origin: int = 0) -> dict[str, Any]:
    """Records t0 … end of `columns` (rounded, None for non-finite), plus where α changed: [[t, α], …] with the
    first record's α, so the browser can mark changes across messages. `origin`: the iteration of history[0]
    (a fork's records start where it was made)."""
    n = len(history)
    t0 = max(0, min(int(t0), n))
    cols = {name: nums(history.columns[name][t0:]) for name in columns if name in history.columns}
    lrs = history.columns["lr"][t0:]
    changes = [[origin + t0 + k, num(lr, 6)] for k, lr in enumerate(lrs) if k == 0 or lr != lrs[k - 1]]
    return {"t0": origin + t0, "cols": cols, "lr": changes}


def chart_lines(param_info: Sequence[ParamInfo], classes: Sequence[str] = ()) -> dict[str, Any]:
    """What the two curve charts draw: series column → label, colour, dash. New curves (e.g. the penalty)
    are a new entry here and a column in the History. With K ≥ 3 `classes`, a per-class weight tensor (W2, or
    softmax regression's W) is drawn as its K rows, each in its class's colour."""
    layers = max((p.layer for p in param_info), default=1)
    loss = [
        {"key": "train_loss", "label": "train", "color": figures.TRAIN_LOSS_COLOR, "width": 2.5},
        {"key": "test_loss", "label": "test", "color": figures.TEST_LOSS_COLOR, "width": 2.5, "dash": [7, 5]},
    ]
    grad: list[dict[str, Any]] = []
    for p in param_info:
        if classes and p.per_class and not p.is_bias:
            short = figures.short_labels(classes, 12)
            grad += [{"key": f"grad_norm_{p.name}[{c}]", "label": f"‖{p.grad_name} · {name}‖",
                      "color": figures.CLASS_COLORS[c % len(figures.CLASS_COLORS)], "width": 2.5, "dash": None}
                     for c, name in enumerate(short)]
            continue
        grad.append({"key": f"grad_norm_{p.name}", "label": f"‖{p.grad_name}‖",
                     "color": figures.layer_color(p.layer, layers), "width": 1.5 if p.is_bias else 2.5,
                     "dash": [4, 3] if p.is_bias else None})
    return {
        "loss": {"title": "Loss (cross-entropy)", "log": False, "lines": loss},
        # J = L + penalty is what the gradients are of (J = L when λ = 0; λ may change mid-run). The legend names
        # each tensor; `short` is what a chart too narrow for the title draws (beside the diagram on a laptop)
        "grad": {"title": "Gradient size ‖∂J/∂θ‖, J = L + penalty", "short": "‖∂J/∂θ‖, J = L + penalty",
                 "log": True, "lines": grad},
    }


def series_columns(model: Model) -> list[str]:
    """The History columns the charts draw; with K ≥ 3 classes also each class row's of W2 (or W)."""
    rows = [f"grad_norm_{p.name}[{c}]" for p in model.param_info if p.per_class and not p.is_bias
            for c in range(model.n_classes)]
    return ["train_loss", "test_loss", *(f"grad_norm_{p.name}" for p in model.param_info), *rows]


# --- the plane and its points --------------------------------------------------------------------------------
def plane_meta(ds: Dataset, grid: PlaneGrid, fade: SliceFadeLike | None = None, max_points: int = MAX_POINTS,
               seed: int = 0) -> dict[str, Any]:
    """Axes (original units; titles cut as the static figures cut them, full names apart), labels, colours,
    and the points to draw (train filled, test open). `ds` numbers its classes as the models do (Problem.view):
    with K ≥ 3, "k" and each class's region tint ("tints") go along. With `fade` (more than two features: the plane is a
    slice), each point's opacity as one byte (alpha·255, nearest) in base64 — sent once with the meta, never
    per frame — and the note saying what the slice holds fixed."""
    i, j = grid.axes
    mean, std = np.asarray(ds.mean, dtype=np.float64), np.asarray(ds.std, dtype=np.float64)
    x = np.asarray(grid.u) * std[i] + mean[i]
    y = np.asarray(grid.v) * std[j] + mean[j]
    xs, ys, cs, tests, alphas, distances = [], [], [], [], [], []
    groups = [(0, ds.X_train, ds.y_train), (1, ds.X_test, ds.y_test)]
    total = sum(len(g[2]) for g in groups)
    for is_test, X, yv in groups:
        if len(yv) == 0:
            continue
        idx = np.arange(len(yv))
        keep = max(1, int(round(len(yv) * max_points / total))) if total > max_points else len(yv)
        if keep < len(yv):
            idx = np.sort(np.random.default_rng([seed, is_test]).choice(idx, size=keep, replace=False))
        raw = np.asarray(ds.to_original(np.asarray(X)[idx]), dtype=np.float64)
        xs.append(raw[:, i])
        ys.append(raw[:, j])
        cs += [int(np.rint(v)) for v in np.asarray(yv)[idx]]  # 0/1, or the class number 0 … K−1
        tests += [is_test] * len(idx)
        if fade is not None:
            split = "test" if is_test else "train"
            alphas.append(np.asarray(fade.alpha[split], dtype=np.float64)[idx])
            distances.append(np.asarray(fade.distance[split], dtype=np.float64)[idx])
    scale = figures.BOUNDARY_SCALE
    xlabel, ylabel = figures.axis_titles(ds, (i, j))
    xname, yname = figures.short_labels([ds.feature_names[i], ds.feature_names[j]], figures.HOVER_LIMIT)
    note, tip = figures.slice_note(ds, (i, j), faded=fade is not None) if ds.n_features > 2 else ("", "")
    rng = np.random.default_rng([seed, 2])
    (px, jx), (py, jy) = (_jittered(np.concatenate(v) if v else np.zeros(0), rng, lim[0], lim[-1])
                          for v, lim in ((xs, x), (ys, y)))
    points: dict[str, Any] = {"x": nums(px, 4), "y": nums(py, 4), "c": cs, "test": tests,
                              "of": total, "jitter": [jx, jy]}
    if alphas:
        points["alpha"] = base64.b64encode(quantise(np.concatenate(alphas))[0].tobytes()).decode("ascii")
        steps = np.rint(np.clip(np.nan_to_num(np.concatenate(distances), nan=255 * DISTANCE_STEP) / DISTANCE_STEP,
                                0, 255)).astype(np.uint8)
        points["dist"] = base64.b64encode(steps.tobytes()).decode("ascii")
        points["dist_step"] = DISTANCE_STEP
    return {
        "x": [num(x[0], 6), num(x[-1], 6)],
        "y": [num(y[0], 6), num(y[-1], 6)],
        "axes": [int(i), int(j)],
        "xlabel": xlabel,
        "ylabel": ylabel,
        "xname": xname,  # the tooltip's names: cut to HOVER_LIMIT as the static figures' hovers
        "yname": yname,
        "note": note,
        "tip": tip,
        "classes": figures.short_labels(ds.class_names, figures.CLASS_LIMIT),
        "class_names": figures.short_labels(ds.class_names, figures.HOVER_LIMIT),
        "colors": list(figures.CLASS_COLORS),
        "scale": [scale[0][1], scale[1][1], scale[2][1]],
        "k": len(ds.class_names),
        "tints": [figures.tint(c, figures.BOUNDARY_TINT) for c in figures.CLASS_COLORS[: len(ds.class_names)]],
        "points": points,
    }


def _jittered(values: np.ndarray, rng: np.random.Generator, lo: float,
              hi: float) -> tuple[np.ndarray, dict[str, Any] | None]:
    """Values of a feature with few levels (a class, a 0/1 column) spread by up to ±JITTER of the gap between
    its levels (inside the plane's [lo, hi]), so hundreds of points do not sit on six spots. Returns the
    values drawn and, when spread, {"levels", "spread"} (the browser names a point by its level)."""
    levels = np.unique(values[np.isfinite(values)])
    if len(values) == 0 or len(levels) > JITTER_LEVELS or 2 * len(levels) > len(values):  # nothing hides
        return values, None
    gap = float(np.min(np.diff(levels))) if len(levels) > 1 else 1.0
    spread = np.clip(values + rng.uniform(-JITTER * gap, JITTER * gap, size=len(values)), lo, hi)
    return spread, {"levels": nums(levels, 6), "spread": num(JITTER * gap, 3)}

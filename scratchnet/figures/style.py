"""Shared look and small helpers for every figure: colours, fonts, compact arrays, labels, layout pieces.

Everything here is chosen for a 1366×768 projector and for bytes on the wire: arrays go out as float32
where that is exact enough (plotly serialises them as base64 typed arrays), the layout carries no plotly
template (Streamlit applies its own theme), and hover text is one template string per trace, never one
string per point.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

import numpy as np
import plotly.graph_objects as go

from .types import DatasetLike, PlaneGridLike

# --- colours (Okabe–Ito: distinguishable with the common colour-vision deficiencies) -----------------
# Class 0 blue, 1 orange (two classes use only these), then bluish green, reddish purple, vermillion, sky blue:
# up to six classes (scratchnet.data.MAX_CLASSES); Okabe–Ito's yellow is too faint on white for a projector.
CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9")
CLASS_SYMBOLS = ("circle", "triangle-up", "square", "diamond", "cross", "star")  # shape tells them apart too
# darker shades: open (test) marker outlines, readable on the fill
CLASS_DARK = ("#004C77", "#9A6B00", "#006B4E", "#8F4A73", "#923E00", "#2A7DAE")
BOUNDARY_LINE = "#1A1A1A"
DIVERGED_COLOR = "#D55E00"  # vermillion
MARKER_LINE_COLOR = "#555555"
TRAIN_LOSS_COLOR = "#222222"
# Lines beside the class colours get hues of their own (Paul Tol's indigo and wine, a dark brown): the test
# loss and each layer's gradient norms never share a class's colour (tests/test_lab_truths.py checks ΔE).
TEST_LOSS_COLOR = "#8B4513"  # dark brown, dashed
LAYER_COLORS = {1: "#332288", 2: "#882255"}  # gradient norms: layer 1 indigo, layer 2 wine (biases dotted)
# A deeper net's layers, input side first, around Paul Tol's muted wheel from indigo towards the output's wine: a
# colour of its own for each layer, in depth order, so a gradient fading towards the input reads as a sequence.
DEEP_LAYER_COLORS = ("#332288", "#6699CC", "#44AA99", "#999933", "#DDCC77", "#CC6677")


def layer_color(layer: int, layers: int) -> str:
    """The gradient-norm colour of weight layer `layer` (1 … `layers`, the output last)."""
    if layers <= 2:
        return LAYER_COLORS.get(layer, "#555555")
    return LAYER_COLORS[2] if layer == layers else DEEP_LAYER_COLORS[(layer - 1) % len(DEEP_LAYER_COLORS)]
# Learning rates in the lab: Okabe–Ito hues (their yellow, too faint on white for a projector, swapped for
# a dark brown), ordered so that every sweep of n ≤ 8 rates gets the n most distinct ones (CIE76 ΔE in
# Lab, for normal vision and simulated protanopia / deuteranopia: tests/test_figures_fidelity.py).
LR_COLORS = ("#E69F00", "#0072B2", "#000000", "#009E73", "#8B4513", "#56B4E9", "#D55E00", "#CC79A7")
GRAD_SCALE = "Viridis"  # |gradient| magnitudes (log10)

# Plotly's property validation is ~70 % of the time it takes to build a figure, and a live run builds
# three figures per redraw for every student. The builders write plain, already-correct dicts, so
# they skip it; tests/test_figures.py re-validates every figure with the full checks.
# SCRATCHNET_VALIDATE_FIGURES=1 turns validation back on (debugging a new property).
VALIDATE = os.environ.get("SCRATCHNET_VALIDATE_FIGURES", "") not in ("", "0")
EMPTY_TEMPLATE: dict = {}  # no plotly template: Streamlit applies its theme; plotly's default is ~7 KB

FONT_SIZE = 14
SMALL_FONT = 12
BIG_FONT = 16  # the overshoot pictures are read from the back of a classroom
EMPTY_MESSAGE = "press Play to train"
FLOOR = 1e-10  # what zero or negative values become on a log axis


def tint(hex_color: str, amount: float) -> str:
    """Mix a #rrggbb colour with white: amount 0 keeps it, 1 gives white."""
    rgb = np.array([int(hex_color[k : k + 2], 16) for k in (1, 3, 5)], dtype=float)
    mixed = np.round(rgb + (255.0 - rgb) * amount).astype(int)
    return "#" + "".join(f"{c:02X}" for c in mixed)


# The probability field: class-0 colour at P = 0 → white at 0.5 → class-1 colour at P = 1. The ends are
# the class hues lightened a little, so points of the same class stay visible on top of their region.
BOUNDARY_TINT = 0.55
BOUNDARY_SCALE = [
    [0.0, tint(CLASS_COLORS[0], BOUNDARY_TINT)],
    [0.5, "#FFFFFF"],
    [1.0, tint(CLASS_COLORS[1], BOUNDARY_TINT)],
]



REGION_LEVELS = 40  # shades per class region: z = class·40 + shade fits a byte for up to six classes


def region_scale(k: int) -> list[list]:
    """The colour scale of K class regions over z = class·REGION_LEVELS + shade (figures.plane.region_z), z from 0
    to K·REGION_LEVELS: each class's stretch runs from white (the model cannot choose: winning probability 1/K) to
    its colour tinted as BOUNDARY_SCALE's ends (sure: probability 1)."""
    top = k * REGION_LEVELS
    scale: list[list] = []
    for c in range(k):
        color = CLASS_COLORS[c % len(CLASS_COLORS)]
        scale += [[c * REGION_LEVELS / top, "#FFFFFF"],
                  [(c * REGION_LEVELS + REGION_LEVELS - 1) / top, tint(color, BOUNDARY_TINT)]]
    return scale + [[1.0, scale[-1][1]]]


VERDICT_LABELS = {"good": "just right"}  # what scratchnet.training.lr_verdict says → what students read


def verdict_label(verdict: str) -> str:
    return VERDICT_LABELS.get(verdict, verdict)


def lr_colors(n: int) -> list[str]:
    """Colours for a sweep of n learning rates, small → large: the n most distinct of LR_COLORS
    (a sweep longer than the palette starts it again)."""
    return [LR_COLORS[k % len(LR_COLORS)] for k in range(max(0, int(n)))]


def fmt_lr(lr: float) -> str:
    return f"{lr:g}"


# --- arrays ---------------------------------------------------------------------------------------------
def f32(values: Iterable[float] | np.ndarray) -> np.ndarray:
    """float32 with every non-finite value (inf, overflow past float32) turned into NaN, i.e. a gap."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.asarray(values, dtype=np.float32)
    if out.size and not np.all(np.isfinite(out)):
        out = np.where(np.isfinite(out), out, np.float32(np.nan)).astype(np.float32)
    return out


POSITION_TOL = 1e-6  # a position may move by this fraction of its axis's spread: far below a pixel


def coords(values: Iterable[float] | np.ndarray) -> np.ndarray:
    """Positions on an axis: float32 where that is exact to POSITION_TOL of their spread, else float64.

    float32 keeps 7 significant digits: a column around 1e8 with spread 50 would collapse to a few
    distinct values (the boundary drawn in the wrong place), so such data go out in float64.
    Non-finite values become NaN (a gap).
    """
    a = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        a = np.where(np.isfinite(a), a, np.nan)
    small = f32(a)
    finite = np.isfinite(a)
    if not finite.any():
        return small
    v = a[finite]
    spread = 2 * float(v.max() / 2 - v.min() / 2)  # halved so it cannot overflow; 0: only exact float32 will do
    back = small[finite].astype(np.float64)
    if np.all(np.isfinite(back)) and float(np.max(np.abs(back - v))) <= POSITION_TOL * spread:
        return small
    return a


def hover_format(values: np.ndarray) -> str:
    """A d3 format with enough significant digits to tell apart values across their spread: .3g for
    ordinary data, more for a column like 100000012.5 ± 25 (where .3g would print 1e+08 for every point)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)] / 2  # halved: max − min cannot overflow near ±1.8e308
    spread = float(v.max() - v.min()) if v.size else 0.0
    if spread <= 0:
        return ".3g"
    extra = np.ceil(np.log10(float(np.max(np.abs(v))) / spread))
    return f".{int(min(15, 3 + max(0.0, extra)))}g"


def original_axes(ds: DatasetLike, grid: PlaneGridLike) -> tuple[np.ndarray, np.ndarray]:
    """The grid's two axes in the data's original units (float64), through ds.to_original."""
    out = []
    for values, column in ((grid.u, grid.axes[0]), (grid.v, grid.axes[1])):
        values = np.asarray(values, dtype=np.float64).reshape(-1)
        X = np.zeros((values.size, ds.n_features))
        X[:, column] = values
        out.append(np.asarray(ds.to_original(X), dtype=np.float64)[:, column])
    return out[0], out[1]


def log_safe(values: np.ndarray, floor: float = FLOOR) -> np.ndarray:
    """float32 for a log axis: non-positive values clipped up to `floor`, non-finite ones become gaps."""
    a = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        a = np.where(np.isnan(a) | np.isinf(a), np.nan, np.maximum(a, floor))
    return f32(a)


def decimate(n: int, max_points: int, keep: Iterable[int] = (), values: np.ndarray | None = None) -> np.ndarray:
    """Indices of at most `max_points` of n samples: always the first, the last and every index in `keep`.

    Without `values` the rest are evenly spaced. With `values` (the curve itself) each bucket keeps its
    minimum and its maximum, so a loss that zig-zags step to step (a learning rate that is too large)
    still looks like it zig-zags after decimation, instead of aliasing into a smooth line.
    """
    n = int(n)
    if n <= 0:
        return np.zeros(0, dtype=np.intp)
    must = sorted({0, n - 1} | {int(k) for k in keep if 0 <= int(k) < n})
    max_points = max(int(max_points), len(must))
    if n <= max_points:
        return np.arange(n, dtype=np.intp)
    budget = max_points - len(must)
    if values is None or budget < 4:
        picked = np.round(np.linspace(0, n - 1, max(budget, 0))).astype(np.intp)
    else:
        v = np.asarray(values, dtype=np.float64)[:n]
        size = -(-n // (budget // 2))  # ceil: bucket length, so there are at most budget // 2 buckets
        rows = -(-n // size)
        finite = np.isfinite(v)
        lo = np.full(rows * size, np.inf)
        hi = np.full(rows * size, -np.inf)
        lo[:n] = np.where(finite, v, np.inf)
        hi[:n] = np.where(finite, v, -np.inf)
        start = np.arange(rows) * size
        picked = np.concatenate(
            [start + lo.reshape(rows, size).argmin(axis=1), start + hi.reshape(rows, size).argmax(axis=1)]
        )
        picked = np.minimum(picked, n - 1)
    # at most `budget` picked (linspace of budget, or 2 per bucket for ≤ budget // 2 buckets) + `must`
    return np.union1d(picked, np.asarray(must, dtype=np.intp)).astype(np.intp)


def index_of_iteration(iterations: np.ndarray, iteration: int | None) -> int | None:
    """Position of `iteration` in a history's iteration column (None if absent)."""
    if iteration is None or iterations.size == 0:
        return None
    hits = np.flatnonzero(iterations == iteration)
    return int(hits[0]) if hits.size else None


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(k: int) -> str:
    """10 with a unicode superscript exponent: -3 → '10⁻³', 0 → '1'."""
    if k == 0:
        return "1"
    if k == 1:
        return "10"
    return "10" + str(int(k)).translate(SUPERSCRIPT)


def short_sci(x: float) -> str:
    """Compact scientific notation for cell labels: 0.0032 → '3.2e-3'."""
    if not np.isfinite(x):
        return "∞" if x > 0 else "—"
    if x == 0:
        return "0"
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"


# --- labels ---------------------------------------------------------------------------------------------
CLASS_LIMIT = 18  # characters of a class name in a legend entry ("train · " comes before it)
FEATURE_LIMIT = 30  # characters of a feature name in an axis title
# characters of a name in a hover or tooltip: a 3,000-character column name made a 17,751-px hover box; downloads
# (the history CSV, the data itself) keep names whole
HOVER_LIMIT = 80
HOVER_NAMES = 20  # names listed in one hover; the rest are counted


def short_label(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, the cut marked with an ellipsis."""
    text = str(text)
    return text if len(text) <= limit else text[: max(1, limit - 1)].rstrip() + "…"


def short_labels(names: Sequence[str], limit: int) -> list[str]:
    """Each name cut to `limit` characters, still telling apart names that share a long beginning
    ("… number one" / "… number two"): those keep their start and their end around the ellipsis."""
    names = [str(n) for n in names]
    out = [short_label(n, limit) for n in names]
    if len(set(out)) == len(set(names)):
        return out
    head = max(1, (limit - 1) // 2)
    tail = max(1, limit - 1 - head)
    return [n if len(n) <= limit else n[:head].rstrip() + "…" + n[-tail:].lstrip() for n in names]


# --- layout ---------------------------------------------------------------------------------------------
def base_layout(height: int, *, top: int = 36, bottom: int = 44, left: int = 56, right: int = 12, **extra) -> dict:
    """A minimal layout: no plotly template (Streamlit themes it), projector-sized fonts, tight margins."""
    layout = {
        "template": EMPTY_TEMPLATE,
        "height": int(height),
        "margin": {"l": left, "r": right, "t": top, "b": bottom, "pad": 0},
        "font": {"size": FONT_SIZE},
        "hovermode": "closest",
        "uirevision": "scratchnet",  # keep a student's zoom / legend clicks across the live redraws
        "showlegend": False,
    }
    layout.update(extra)
    return layout


def make_figure(data: list[dict], layout: dict) -> go.Figure:
    """The go.Figure for plain trace / layout dicts (validated only when VALIDATE is set)."""
    return go.Figure({"data": data, "layout": layout}, _validate=VALIDATE)


def axis(title: str = "", **extra) -> dict:
    out = {
        "title": {"text": title, "font": {"size": SMALL_FONT + 1}, "standoff": 4},
        "tickfont": {"size": SMALL_FONT},
        "automargin": True,
        "zeroline": False,
        "showline": True,
        "linecolor": "#888888",
        "ticks": "outside",
        "ticklen": 3,
        "gridcolor": "#E8E8E8",
    }
    out.update(extra)
    return out


def title(text: str) -> dict:
    return {
        "text": text,
        "x": 0.01,
        "xanchor": "left",
        "y": 0.985,
        "yanchor": "top",
        "font": {"size": FONT_SIZE + 1},
    }


def note(
    text: str,
    x: float,
    y: float,
    *,
    xref: str = "paper",
    yref: str = "paper",
    xanchor: str = "left",
    yanchor: str = "bottom",
    size: int = SMALL_FONT,
    color: str | None = None,
    bgcolor: str | None = None,
    **extra,
) -> dict:
    """A text annotation without an arrow: every label, heading and note in these figures is one."""
    out = {
        "text": text,
        "x": x,
        "y": y,
        "xref": xref,
        "yref": yref,
        "xanchor": xanchor,
        "yanchor": yanchor,
        "showarrow": False,
        "font": {"size": size} if color is None else {"size": size, "color": color},
    }
    if bgcolor is not None:
        out["bgcolor"] = bgcolor
    out.update(extra)
    return out


def message(
    text: str,
    *,
    x: float = 0.5,
    y: float = 0.5,
    xref: str = "paper",
    yref: str = "paper",
    size: int = FONT_SIZE + 2,
) -> dict:
    """A friendly centred note (empty history, nothing to draw)."""
    return note(text, x, y, xref=xref, yref=yref, xanchor="center", yanchor="middle", size=size, color="#666666")


def legend(**position) -> dict:
    """A legend on a transparent background in the small font, placed by `position` (x, y, anchors …)."""
    return {"font": {"size": SMALL_FONT}, "bgcolor": "rgba(255,255,255,0)", **position}


def vline(x: float, *, color: str, dash: str = "solid", width: float = 2, xref: str = "x", yref: str = "paper") -> dict:
    return {
        "type": "line",
        "xref": xref,
        "yref": yref,
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": color, "width": width, "dash": dash},
        "layer": "above",
    }

"""Small multiples: the layout of many little panels in one figure, and the hidden-unit maps drawn with it."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from . import style as S
from .types import DatasetLike, PlaneGridLike


# --- multi-panel layout -------------------------------------------------------------------------------------
def panel_domains(
    n: int, cols: int, *, hgap: float, plot_px: float, title_px: float, gap_px: float
) -> list[tuple[list[float], list[float]]]:
    """x and y domains (paper fractions) of n small panels laid out row by row.

    Each row is `title_px` of title above its panels; rows are `gap_px` apart (room for tick labels).
    """
    rows = max(1, math.ceil(n / cols))
    plot_px = max(float(plot_px), 1.0)
    row_px = max((plot_px - (rows - 1) * gap_px) / rows, title_px + 10)
    out = []
    for k in range(n):
        r, c = divmod(k, cols)
        x0, x1 = c / cols + hgap / 2, (c + 1) / cols - hgap / 2
        top_px = r * (row_px + gap_px)
        y1 = 1.0 - (top_px + title_px) / plot_px
        y0 = 1.0 - (top_px + row_px) / plot_px
        out.append(([max(0.0, x0), min(1.0, x1)], [max(0.0, y0), min(1.0, y1)]))
    return out


def axis_names(k: int) -> tuple[str, str, str, str]:
    """('x3', 'y3', 'xaxis3', 'yaxis3') for panel k (0-based); panel 0 uses the plain names."""
    s = "" if k == 0 else str(k + 1)
    return f"x{s}", f"y{s}", f"xaxis{s}", f"yaxis{s}"


def panel_title(
    text: str, xdom: list[float], ydom: list[float], *, size: int = S.SMALL_FONT, color: str = "#222222"
) -> dict:
    """A panel's title, centred just above it."""
    return S.note(text, (xdom[0] + xdom[1]) / 2, ydom[1], xanchor="center", size=size, color=color)


# --- hidden units ------------------------------------------------------------------------------------------
UNIT_SCALE_NO_W2 = [[0.0, "#5E3C99"], [0.5, "#FFFFFF"], [1.0, "#333333"]]
BARE_AXIS = {
    "showticklabels": False,
    "ticks": "",
    "showgrid": False,
    "zeroline": False,
    "showline": True,
    "mirror": True,
    "linecolor": "#BBBBBB",
    "fixedrange": True,
}


def _unit_map(grid: np.ndarray, step: int, w2k: float | None) -> tuple[np.ndarray, float]:
    """A unit's map as small integers −100…100 (scaled by its peak, sign flipped when w2 < 0), and the peak."""
    a = grid[::step, ::step]
    finite = np.isfinite(a)
    peak = float(np.max(np.abs(a[finite]))) if finite.any() else 0.0
    z = a / peak if peak > 0 else np.zeros_like(a)
    if w2k is not None and w2k < 0:
        z = -z
    return np.where(np.isfinite(z), np.round(z * 100), 0).astype(np.int8), peak


def _unit_panel(
    z: np.ndarray, x: np.ndarray, y: np.ndarray, step: int, k: int, domains: tuple[list[float], list[float]]
) -> tuple[dict, dict]:
    """Panel k: the map as an evenly spaced heatmap (x0/dx: no coordinate arrays) and its two bare axes."""
    xname, yname, xkey, ykey = axis_names(k)
    xs, ys = x[::step], y[::step]
    trace = {
        "type": "heatmap",
        "z": z,
        "x0": float(xs[0]),
        "dx": float(x[step] - x[0]) if x.size > step else 1.0,
        "y0": float(ys[0]),
        "dy": float(y[step] - y[0]) if y.size > step else 1.0,
        "coloraxis": "coloraxis",
        "zsmooth": "best",
        "xaxis": xname,
        "yaxis": yname,
        "hoverinfo": "skip",
    }
    axes = {
        xkey: {**BARE_AXIS, "domain": domains[0], "anchor": yname, "range": [float(xs[0]), float(xs[-1])]},
        ykey: {**BARE_AXIS, "domain": domains[1], "anchor": xname, "range": [float(ys[0]), float(ys[-1])]},
    }
    return trace, axes


def hidden_units_figure(
    ds: DatasetLike,
    grid: PlaneGridLike,
    h1_grids: np.ndarray,
    *,
    w2: np.ndarray | None = None,
    max_units: int = 16,
    height: int | None = None,
    cols: int = 8,
    resolution: int = 24,
) -> go.Figure:
    """One tiny map per hidden unit: where over the plane it fires (its output h1, scaled per unit).

    With w2 the colours say which class a unit's output pushes towards: h1·sign(w2) on the boundary's
    scale, so a unit drawn orange votes for class 1 where it is bright, blue for class 0.
    Maps are sent at most `resolution` × `resolution` and as small integers (−100…100): these are
    shapes to look at, not values to read.
    """
    grids = np.asarray(h1_grids, dtype=np.float64)
    if grids.ndim == 2:
        grids = grids[None]
    h = grids.shape[0]
    n = min(h, max(1, int(max_units)))
    cols = max(1, min(int(cols), 8))
    if height is None:
        height = 40 + 128 * max(1, math.ceil(n / cols)) - 8  # per row: 30 px of title and a 90 px map
    x, y = S.original_axes(ds, grid)
    step = max(1, math.ceil(max(x.size, y.size) / max(2, int(resolution))))
    w = None if w2 is None else np.asarray(w2, dtype=np.float64).reshape(-1)
    domains = panel_domains(n, cols, hgap=0.025, plot_px=height - 40, title_px=30, gap_px=8)
    traces, annotations, layout_axes = [], [], {}
    for k in range(n):
        w2k = float(w[k]) if w is not None and k < w.size else None
        z, peak = _unit_map(grids[k], step, w2k)
        trace, axes = _unit_panel(z, x, y, step, k, domains[k])
        traces.append(trace)
        layout_axes.update(axes)
        label = f"unit {k + 1}" + ("" if peak > 0 else " (off)")
        if w2k is not None:
            label += f"<br>→ w2 = {w2k:+.2f}"
        annotations.append(panel_title(label, *domains[k], size=S.SMALL_FONT - 1))
    heading = "Hidden units: where each one fires"
    if h > n:
        heading += f" · showing {n} of {h} units"
    layout = S.base_layout(
        height,
        top=34,
        bottom=6,
        left=8,
        right=8,
        annotations=annotations,
        coloraxis={
            "colorscale": S.BOUNDARY_SCALE if w is not None else UNIT_SCALE_NO_W2,
            "cmin": -100,
            "cmax": 100,
            "showscale": False,
        },
        title=S.title(heading),
        hovermode=False,
        **layout_axes,
    )
    return S.make_figure(traces, layout)

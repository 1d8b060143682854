"""Figures over the input plane: the data, the decision boundary, hidden-unit maps, the lr-lab boundaries.

All of them are drawn in the data's original units: the grid is standardised, so its axes are mapped
back with x = u·std[i] + mean[i], y = v·std[j] + mean[j], and the points with ds.to_original.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go

from . import style as S

DEFAULT_MAX_POINTS = 800


# --- points ------------------------------------------------------------------------------------------
def _labels(y: Any) -> np.ndarray:
    return np.asarray(y, dtype=np.float64).reshape(-1) > 0.5


def _groups(ds: Any, include_test: bool = True) -> list[tuple[str, int, np.ndarray, np.ndarray]]:
    """(split, class, X, row indices) for every non-empty split × class group."""
    out = []
    splits = [("train", ds.X_train, ds.y_train)]
    if include_test:
        splits.append(("test", ds.X_test, ds.y_test))
    for split, X, y in splits:
        if X is None or y is None or len(y) == 0:
            continue
        labels = _labels(y)
        for c in (0, 1):
            idx = np.flatnonzero(labels == bool(c))
            if idx.size:
                out.append((split, c, X, idx))
    return out


def _allocate(sizes: list[int], max_points: int) -> list[int]:
    """Share `max_points` between groups in proportion to their size, never fewer than 1 per group."""
    total = sum(sizes)
    if total <= max_points:
        return list(sizes)
    return [min(s, max(1, int(s * max_points / total))) for s in sizes]


def point_traces(
    ds: Any,
    axes: tuple[int, int],
    max_points: int = DEFAULT_MAX_POINTS,
    *,
    include_test: bool = True,
    size: float = 8,
    showlegend: bool = True,
    xaxis: str = "x",
    yaxis: str = "y",
    seed: int = 0,
) -> list[dict]:
    """Scatter traces, one per split × class, in original units; a seeded subset when there are too many.

    The subset depends only on the data and `seed`, so the same points stay put through a live run.
    """
    i, j = axes
    groups = _groups(ds, include_test)
    counts = _allocate([g[3].size for g in groups], max(int(max_points), len(groups)))
    fx, fy = ds.feature_names[i], ds.feature_names[j]
    traces = []
    for (split, c, X, idx), n in zip(groups, counts, strict=True):
        if n < idx.size:
            rng = np.random.default_rng([seed, split == "test", c])
            idx = np.sort(rng.choice(idx, size=n, replace=False))
        raw = np.asarray(ds.to_original(np.asarray(X)[idx]), dtype=np.float64)
        color, symbol = S.CLASS_COLORS[c], S.CLASS_SYMBOLS[c]
        msize = size + 1 if symbol.startswith("triangle") else size  # a triangle looks smaller than a circle
        if split == "train":  # filled, thin dark rim so it stands out on its own class's region
            marker = {
                "symbol": symbol,
                "color": color,
                "size": msize,
                "line": {"color": "#222222", "width": 0.7},
            }
        else:  # open: white inside, a thick outline in the class's darker shade
            marker = {
                "symbol": symbol,
                "color": "#FFFFFF",
                "size": msize,
                "line": {"color": S.CLASS_DARK[c], "width": 2},
            }
        name = f"{split} · {ds.class_names[c]}"
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "legendgroup": name,
                "x": S.f32(raw[:, i]),
                "y": S.f32(raw[:, j]),
                "marker": marker,
                "showlegend": showlegend,
                "xaxis": xaxis,
                "yaxis": yaxis,
                "cliponaxis": True,
                "hovertemplate": f"{name}<br>{fx} = %{{x:.3g}}<br>{fy} = %{{y:.3g}}<extra></extra>",
            }
        )
    return traces


def _grid_xy(ds: Any, grid: Any) -> tuple[np.ndarray, np.ndarray]:
    """The grid's axes in original units."""
    i, j = grid.axes
    mean, std = np.asarray(ds.mean, dtype=np.float64), np.asarray(ds.std, dtype=np.float64)
    return np.asarray(grid.u) * std[i] + mean[i], np.asarray(grid.v) * std[j] + mean[j]


def _range(values: np.ndarray) -> list[float]:
    lo, hi = float(np.min(values)), float(np.max(values))
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    return [lo, hi]


P_SCALE = 10000  # probabilities go out as uint16 in 0…10000: a third of the bytes of float32, smooth line


def encode_proba(proba: np.ndarray) -> np.ndarray:
    """P in [0, 1] → uint16 in 0…P_SCALE (precision 1e-4, far below a pixel); non-finite → 0.5 (white)."""
    p = np.asarray(proba, dtype=np.float64)
    p = np.where(np.isfinite(p), np.clip(p, 0.0, 1.0), 0.5)
    return np.round(p * P_SCALE).astype(np.uint16)


def _contour(
    x: np.ndarray,
    y: np.ndarray,
    proba: np.ndarray,
    *,
    xaxis: str = "x",
    yaxis: str = "y",
    coloraxis: str | None = None,
    line_width: float = 2.5,
) -> dict:
    """ONE trace: a smooth probability fill (heatmap colouring) and a single dark line at P = 0.5.

    z is P scaled to 0…P_SCALE (see encode_proba); the contour has no hover (a per-cell hover would
    read in those units), the points carry the hover instead.
    """
    half = P_SCALE / 2
    trace = {
        "type": "contour",
        "x": S.f32(x),
        "y": S.f32(y),
        "z": encode_proba(proba),
        "autocontour": False,
        "contours": {
            "coloring": "heatmap",
            "start": half,
            "end": half,
            "size": P_SCALE,
            "showlines": True,
            "showlabels": False,
        },
        "line": {"color": S.BOUNDARY_LINE, "width": line_width, "smoothing": 0.85},
        "xaxis": xaxis,
        "yaxis": yaxis,
        "showlegend": False,
        "hoverinfo": "skip",
    }
    if coloraxis:
        trace["coloraxis"] = coloraxis
    else:
        trace.update({"colorscale": S.BOUNDARY_SCALE, "zmin": 0, "zmax": P_SCALE, "showscale": False})
    return trace


def _legend_below() -> dict:
    """Below the plot, two entries a row (train · A, train · B / test · A, test · B)."""
    return {
        "orientation": "h",
        "x": 0.0,
        "xanchor": "left",
        "y": -0.16,
        "yanchor": "top",
        "font": {"size": S.SMALL_FONT},
        "itemwidth": 30,
        "tracegroupgap": 0,
        "entrywidth": 0.45,
        "entrywidthmode": "fraction",
        "bgcolor": "rgba(255,255,255,0)",
    }


# --- public figures ------------------------------------------------------------------------------------
def data_figure(
    ds: Any, axes: tuple[int, int] = (0, 1), height: int = 360, *, max_points: int = 2000
) -> go.Figure:
    """The data as a scatter in original units: colour and shape by class, filled = train, open = test."""
    i, j = axes
    traces = point_traces(ds, (i, j), max_points)
    layout = S.base_layout(
        height,
        bottom=40,
        showlegend=True,
        legend=_legend_below(),
        xaxis=S.axis(ds.feature_names[i]),
        yaxis=S.axis(ds.feature_names[j]),
    )
    if ds.n_features > 2:
        layout["annotations"] = [_held_at_mean_note(ds.n_features, held=False)]
    return S.make_figure(traces, layout)


def _held_at_mean_note(d: int, held: bool = True) -> dict:
    text = f"{d - 2} other features held at their mean" if held else f"showing 2 of {d} features"
    return {
        "text": text,
        "x": 0.99,
        "y": 0.99,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "right",
        "yanchor": "top",
        "showarrow": False,
        "font": {"size": S.SMALL_FONT - 1, "color": "#333333"},
        "bgcolor": "rgba(255,255,255,0.75)",
        "borderpad": 2,
    }


def boundary_figure(
    ds: Any,
    grid: Any,
    proba: np.ndarray,
    *,
    title: str = "",
    height: int = 330,
    max_points: int = DEFAULT_MAX_POINTS,
) -> go.Figure:
    """The model's P(class 1) over the plane (one contour trace, line at 0.5) under the data points."""
    i, j = grid.axes
    x, y = _grid_xy(ds, grid)
    proba = np.asarray(proba, dtype=np.float64)
    traces = [_contour(x, y, proba)]
    traces += point_traces(ds, (i, j), max_points)
    annotations = []
    if ds.n_features > 2:
        annotations.append(_held_at_mean_note(ds.n_features))
    if not np.any(np.isfinite(proba)):
        annotations.append(S.message("no boundary: the model's outputs are not finite"))
    layout = S.base_layout(
        height,
        top=34 if title else 10,
        bottom=40,
        showlegend=True,
        legend=_legend_below(),
        xaxis=S.axis(ds.feature_names[i], range=_range(x), autorange=False, showgrid=False, mirror=True),
        yaxis=S.axis(ds.feature_names[j], range=_range(y), autorange=False, showgrid=False, mirror=True),
        annotations=annotations,
    )
    if title:
        layout["title"] = S.title(title)
    return S.make_figure(traces, layout)


def _panel_domains(
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


def _axis_names(k: int) -> tuple[str, str, str, str]:
    """('x3', 'y3', 'xaxis3', 'yaxis3') for panel k (0-based); panel 0 uses the plain names."""
    s = "" if k == 0 else str(k + 1)
    return f"x{s}", f"y{s}", f"xaxis{s}", f"yaxis{s}"


def _panel_title(
    text: str, xdom: list[float], ydom: list[float], *, size: int = S.SMALL_FONT, color: str = "#222222"
) -> dict:
    return {
        "text": text,
        "x": (xdom[0] + xdom[1]) / 2,
        "y": ydom[1],
        "xref": "paper",
        "yref": "paper",
        "xanchor": "center",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": size, "color": color},
    }


UNIT_SCALE_NO_W2 = [[0.0, "#5E3C99"], [0.5, "#FFFFFF"], [1.0, "#333333"]]


def hidden_units_figure(
    ds: Any,
    grid: Any,
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
    rows = max(1, math.ceil(n / cols))
    if height is None:
        height = 40 + 128 * rows - 8  # per row: 30 px of title and a 90 px map; 8 px between rows
    x, y = _grid_xy(ds, grid)
    step = max(1, math.ceil(max(x.size, y.size) / max(2, int(resolution))))
    xs, ys = x[::step], y[::step]
    w = None if w2 is None else np.asarray(w2, dtype=np.float64).reshape(-1)
    domains = _panel_domains(n, cols, hgap=0.025, plot_px=height - 40, title_px=30, gap_px=8)
    traces, annotations, layout_axes = [], [], {}
    for k in range(n):
        a = grids[k][::step, ::step]
        finite = np.isfinite(a)
        peak = float(np.max(np.abs(a[finite]))) if finite.any() else 0.0
        z = a / peak if peak > 0 else np.zeros_like(a)
        if w is not None and k < w.size and w[k] < 0:
            z = -z
        z = np.where(np.isfinite(z), np.round(z * 100), 0).astype(np.int8)
        xname, yname, xkey, ykey = _axis_names(k)
        xdom, ydom = domains[k]
        traces.append(
            {
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
        )
        hidden = {
            "showticklabels": False,
            "ticks": "",
            "showgrid": False,
            "zeroline": False,
            "showline": True,
            "mirror": True,
            "linecolor": "#BBBBBB",
            "fixedrange": True,
        }
        layout_axes[xkey] = {
            **hidden,
            "domain": xdom,
            "anchor": yname,
            "range": [float(xs[0]), float(xs[-1])],
        }
        layout_axes[ykey] = {
            **hidden,
            "domain": ydom,
            "anchor": xname,
            "range": [float(ys[0]), float(ys[-1])],
        }
        label = f"unit {k + 1}" + ("" if peak > 0 else " (off)")
        if w is not None and k < w.size:
            label += f"<br>→ w2 = {w[k]:+.2f}"
        annotations.append(_panel_title(label, xdom, ydom, size=S.SMALL_FONT - 1))
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


def lr_lab_boundaries_figure(
    ds: Any,
    grid: Any,
    probas: dict[float, np.ndarray],
    verdicts: dict[float, str],
    *,
    height: int = 260,
    max_points: int = 150,
) -> go.Figure:
    """The final boundary for each learning rate, small → large, titled 'lr = 0.1 — just right'.

    Up to 5 learning rates share one row; 6 or more take two rows, and `height` is then per row.
    """
    lrs = sorted(probas)
    n = max(1, len(lrs))
    cols = n if n <= 5 else math.ceil(n / 2)
    i, j = grid.axes
    x, y = _grid_xy(ds, grid)
    rows = max(1, math.ceil(n / cols))
    row_px = height - 48  # 8 px top margin + 40 px for the x axis below each row
    height = 48 + rows * row_px + (rows - 1) * 40
    domains = _panel_domains(n, cols, hgap=0.035, plot_px=height - 48, title_px=24, gap_px=40)
    traces, annotations, layout_axes = [], [], {}
    xr, yr = _range(x), _range(y)
    for k, lr in enumerate(lrs):
        xname, yname, xkey, ykey = _axis_names(k)
        xdom, ydom = domains[k]
        proba = np.asarray(probas[lr], dtype=np.float64)
        traces.append(_contour(x, y, proba, xaxis=xname, yaxis=yname, coloraxis="coloraxis", line_width=2))
        traces += point_traces(
            ds, (i, j), max_points, include_test=False, size=5, showlegend=False, xaxis=xname, yaxis=yname
        )
        verdict = verdicts.get(lr, "")
        color = S.DIVERGED_COLOR if verdict == "diverged" else "#222222"
        text = f"lr = {S.fmt_lr(lr)}" + (f" — {S.verdict_label(verdict)}" if verdict else "")
        annotations.append(_panel_title(text, xdom, ydom, size=S.SMALL_FONT + 1, color=color))
        if not np.any(np.isfinite(proba)):
            annotations.append(
                S.message(
                    "no finite output",
                    x=float(np.mean(xr)),
                    y=float(np.mean(yr)),
                    xref=xname,
                    yref=yname,
                    size=S.SMALL_FONT,
                )
            )
        layout_axes[xkey] = S.axis(
            ds.feature_names[i] if k // cols == (n - 1) // cols else "",
            domain=xdom,
            anchor=yname,
            range=xr,
            autorange=False,
            showgrid=False,
            mirror=True,
            nticks=4,
            fixedrange=True,
        )
        layout_axes[ykey] = S.axis(
            ds.feature_names[j] if k % cols == 0 else "",
            domain=ydom,
            anchor=xname,
            range=yr,
            autorange=False,
            showgrid=False,
            mirror=True,
            nticks=4,
            showticklabels=k % cols == 0,
            fixedrange=True,
        )
    if not lrs:
        annotations.append(S.message("no learning rates to compare yet"))
    layout = S.base_layout(
        height,
        top=8,
        bottom=40,
        left=56,
        right=10,
        annotations=annotations,
        coloraxis={"colorscale": S.BOUNDARY_SCALE, "cmin": 0, "cmax": P_SCALE, "showscale": False},
        **layout_axes,
    )
    return S.make_figure(traces, layout)

"""Figures over the input plane: the data, the decision boundary, the lr-lab boundaries.

All of them are drawn in the data's original units: the grid's axes and the points go through
ds.to_original, and positions are sent in float32 only where that is exact (style.coords).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from . import style as S
from .panels import axis_names, panel_domains, panel_title
from .types import DatasetLike, PlaneGridLike, RegionsLike, SliceFadeLike

DEFAULT_MAX_POINTS = 800
SPLITS = ("train", "test")


# --- points ------------------------------------------------------------------------------------------
def _groups(ds: DatasetLike, include_test: bool = True) -> list[tuple[str, int, np.ndarray, np.ndarray]]:
    """(split, class, X, row indices) for every non-empty split × class group."""
    out = []
    splits = [("train", ds.X_train, ds.y_train)]
    if include_test:
        splits.append(("test", ds.X_test, ds.y_test))
    for split, X, y in splits:
        if X is None or y is None or len(y) == 0:
            continue
        labels = np.rint(np.asarray(y, dtype=np.float64).reshape(-1))  # 0/1, or 0 … K−1 with more classes
        for c in range(max(2, len(ds.class_names))):
            idx = np.flatnonzero(labels == c)
            if idx.size:
                out.append((split, c, X, idx))
    return out


def _allocate(sizes: list[int], max_points: int) -> list[int]:
    """Share `max_points` between groups in proportion to their size, never fewer than 1 per group."""
    total = sum(sizes)
    if total <= max_points:
        return list(sizes)
    return [min(s, max(1, int(s * max_points / total))) for s in sizes]


def _marker(split: str, c: int, size: float) -> dict:
    """Filled with a thin dark rim for train, open with a thick darker outline for test; shape by class."""
    symbol = S.CLASS_SYMBOLS[c]
    size = size + 1 if symbol.startswith("triangle") else size  # a triangle looks smaller than a circle
    if split == "train":
        return {"symbol": symbol, "color": S.CLASS_COLORS[c], "size": size, "line": {"color": "#222222", "width": 0.7}}
    return {"symbol": symbol, "color": "#FFFFFF", "size": size, "line": {"color": S.CLASS_DARK[c], "width": 2}}


def point_traces(
    ds: DatasetLike,
    axes: tuple[int, int],
    max_points: int = DEFAULT_MAX_POINTS,
    *,
    include_test: bool = True,
    size: float = 8,
    showlegend: bool = True,
    xaxis: str = "x",
    yaxis: str = "y",
    seed: int = 0,
    fade: SliceFadeLike | None = None,
) -> list[dict]:
    """Scatter traces, one per split × class, in original units; a seeded subset when there are too many.

    The subset depends only on the data and `seed`, so the same points stay put through a live run.
    Legend entries use class names cut to S.CLASS_LIMIT characters; the hover gives the full names.
    With `fade` (more than two features), each point gets its opacity from fade.alpha and its hover says
    how far it lies from the drawn slice.
    """
    i, j = axes
    groups = _groups(ds, include_test)
    counts = _allocate([g[3].size for g in groups], max(int(max_points), len(groups)))
    short = S.short_labels(ds.class_names, S.CLASS_LIMIT)
    fx, fy = S.short_labels([ds.feature_names[i], ds.feature_names[j]], S.HOVER_LIMIT)
    classes = S.short_labels(ds.class_names, S.HOVER_LIMIT)
    traces = []
    for (split, c, X, idx), n in zip(groups, counts, strict=True):
        if n < idx.size:
            rng = np.random.default_rng([seed, split == "test", c])
            idx = np.sort(rng.choice(idx, size=n, replace=False))
        raw = np.asarray(ds.to_original(np.asarray(X)[idx]), dtype=np.float64)
        x, y = raw[:, i], raw[:, j]
        hover = (
            f"{split} · {classes[c]}<br>{fx} = %{{x:{S.hover_format(x)}}}"
            f"<br>{fy} = %{{y:{S.hover_format(y)}}}"
        )
        marker = _marker(split, c, size)
        extra = {}
        if fade is not None:
            marker["opacity"] = np.round(np.asarray(fade.alpha[split], dtype=np.float64)[idx], 2)
            extra["customdata"] = np.round(np.asarray(fade.distance[split], dtype=np.float64)[idx], 2)
            hover += "<br>other features: %{customdata:.1f} SD from their means"
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"{split} · {short[c]}",
                "legendgroup": split,  # the legend: a column per split, a row per class
                "x": S.coords(x),
                "y": S.coords(y),
                "marker": marker,
                "showlegend": showlegend,
                "xaxis": xaxis,
                "yaxis": yaxis,
                "cliponaxis": True,
                "hovertemplate": hover + "<extra></extra>",
                **extra,
            }
        )
    return traces


def _range(values: np.ndarray) -> list[float]:
    lo, hi = float(np.min(values)), float(np.max(values))
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    return [lo, hi]


# --- the probability field ---------------------------------------------------------------------------------
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
        "x": S.coords(x),
        "y": S.coords(y),
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


# --- public figures ------------------------------------------------------------------------------------
def _legend_below() -> dict:
    """Below the plot, a column per split (train · A over train · B, then test · A over test · B). Each
    entry is as wide as its text and a column that does not fit moves to a new row: never overlapping."""
    return S.legend(
        orientation="h",
        x=0.0,
        xanchor="left",
        y=-0.16,
        yanchor="top",
        itemwidth=30,
        traceorder="grouped",
        tracegroupgap=4,
        groupclick="toggleitem",
    )


def slice_note(ds: DatasetLike, axes: tuple[int, int], held: bool = True, faded: bool = False) -> tuple[str, str]:
    """(text, tip) for a picture of 2 of d > 2 features: what it leaves out, in a few words, and in the tip
    (plain text, one sentence a line) the features not drawn and what a faint point means. The static
    figures and the live view say the same."""
    d = ds.n_features
    text = f"{d - 2} other features held at their mean" if held else f"showing 2 of {d} features"
    others = [str(n) for k, n in enumerate(ds.feature_names) if k not in axes]
    listed = ", ".join(S.short_labels(others, S.HOVER_LIMIT)[: S.HOVER_NAMES])
    listed += f" and {len(others) - S.HOVER_NAMES} more" if len(others) > S.HOVER_NAMES else ""
    tip = ("Held at their training mean: " if held else "Not drawn: ") + listed
    if faded:
        text += " · faint = far from this slice"
        tip += ("\nA point is drawn fainter the further its own values of these lie from their means:"
                "\nthe boundary drawn here is not the one such a point is classified by.")
    return text, tip


def _slice_note(ds: DatasetLike, axes: tuple[int, int], held: bool = True, faded: bool = False) -> dict:
    """Above the plot's top-right corner (never over a point): slice_note; its hover names the features that
    are not drawn."""
    text, tip = slice_note(ds, axes, held, faded)
    return S.note(text, 1.0, 1.0, xanchor="right", size=S.SMALL_FONT - 1, color="#333333",
                  hovertext=tip.replace("\n", "<br>"))


def axis_titles(ds: DatasetLike, axes: tuple[int, int]) -> list[str]:
    """The two features' names, cut to S.FEATURE_LIMIT characters and still told apart."""
    return S.short_labels([ds.feature_names[axes[0]], ds.feature_names[axes[1]]], S.FEATURE_LIMIT)


def _plane_layout(
    ds: DatasetLike, axes: tuple[int, int], height: int, *, title: str = "", held: bool, faded: bool = False,
    **axis_extra,
) -> dict:
    """A plane figure's layout: axes in original units (long names cut, in full in the points' hover),
    the legend below, and room above the plot for the title and the note on the other features."""
    xtitle, ytitle = axis_titles(ds, axes)
    sliced = ds.n_features > 2
    layout = S.base_layout(
        height,
        top=(34 if title else 10) + (16 if sliced else 0),
        bottom=40,
        showlegend=True,
        legend=_legend_below(),
        xaxis=S.axis(xtitle, **axis_extra.pop("xaxis", {})),
        yaxis=S.axis(ytitle, **axis_extra.pop("yaxis", {})),
        annotations=[_slice_note(ds, axes, held, faded)] if sliced else [],
    )
    if title:
        layout["title"] = S.title(title)
    return layout


def data_figure(
    ds: DatasetLike,
    axes: tuple[int, int] = (0, 1),
    height: int = 360,
    *,
    max_points: int = 2000,
    fade: SliceFadeLike | None = None,
) -> go.Figure:
    """The data as a scatter in original units: colour and shape by class, filled = train, open = test."""
    traces = point_traces(ds, axes, max_points, fade=fade)
    return S.make_figure(traces, _plane_layout(ds, axes, height, held=False))


def boundary_figure(
    ds: DatasetLike,
    grid: PlaneGridLike,
    proba: np.ndarray,
    *,
    title: str = "",
    height: int = 330,
    max_points: int = DEFAULT_MAX_POINTS,
    fade: SliceFadeLike | None = None,
) -> go.Figure:
    """The model's P(class 1) over the plane (one contour trace, line at 0.5) under the data points.

    With more than two features the plane is a slice (the others at their training mean); `fade` (for the
    grid's axes) draws each point fainter the further it lies from it."""
    x, y = S.original_axes(ds, grid)
    proba = np.asarray(proba, dtype=np.float64)
    traces = [_contour(x, y, proba), *point_traces(ds, grid.axes, max_points, fade=fade)]
    frame = {"autorange": False, "showgrid": False, "mirror": True}
    layout = _plane_layout(
        ds,
        grid.axes,
        height,
        title=title,
        held=True,
        faded=fade is not None,
        xaxis={"range": _range(x), **frame},
        yaxis={"range": _range(y), **frame},
    )
    if not np.any(np.isfinite(proba)):
        layout["annotations"].append(S.message("no boundary: the model's outputs are not finite"))
    return S.make_figure(traces, layout)


def region_z(regions: RegionsLike) -> np.ndarray:
    """One byte per cell for region_scale: class·REGION_LEVELS + how sure the model is, (p − 1/K)/(1 − 1/K) in
    REGION_LEVELS steps (0 where it cannot choose, at 1/K). With a non-finite cell: float32, NaN there (blank)."""
    k, levels = regions.n_classes, S.REGION_LEVELS
    p = np.asarray(regions.confidence, dtype=np.float64)
    finite = np.isfinite(p)
    shade = np.rint(np.clip((np.where(finite, p, 0.0) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0) * (levels - 1))
    z = np.asarray(regions.winner, dtype=np.int64) * levels + shade.astype(np.int64)
    return z.astype(np.uint8) if finite.all() else S.f32(np.where(finite, z, np.nan))


def region_traces(x: np.ndarray, y: np.ndarray, regions: RegionsLike, *, xaxis: str = "x", yaxis: str = "y",
                  line_width: float = 2.0) -> list[dict]:
    """K class regions: a heatmap coloured by the winning class, paler where its probability is lower, and each
    region's border as a dark line (the 0 contour of its margin, so the line is smooth, not the cells' staircase)."""
    k = regions.n_classes
    heat = {"type": "heatmap", "x": S.coords(x), "y": S.coords(y), "z": region_z(regions), "zmin": 0,
            "zmax": k * S.REGION_LEVELS, "colorscale": S.region_scale(k), "showscale": False, "zsmooth": False,
            "hoverinfo": "skip", "xaxis": xaxis, "yaxis": yaxis, "showlegend": False}
    traces = [heat]
    margin = np.asarray(regions.margin, dtype=np.float64)
    for c in range(k):  # two neighbours' margins are ± the same number on their border: the lines coincide
        traces.append({"type": "contour", "x": S.coords(x), "y": S.coords(y), "z": S.f32(margin[..., c]),
                       "autocontour": False, "contours": {"coloring": "none", "start": 0.0, "end": 0.0, "size": 1.0,
                                                          "showlabels": False},
                       "line": {"color": S.BOUNDARY_LINE, "width": line_width, "smoothing": 0.85},
                       "hoverinfo": "skip", "xaxis": xaxis, "yaxis": yaxis, "showlegend": False, "showscale": False})
    return traces


def regions_figure(
    ds: DatasetLike,
    grid: PlaneGridLike,
    regions: RegionsLike,
    *,
    title: str = "",
    height: int = 330,
    max_points: int = DEFAULT_MAX_POINTS,
    fade: SliceFadeLike | None = None,
) -> go.Figure:
    """K ≥ 3 classes: each region in its class's colour, shaded by the winning probability, borders drawn, under
    the data points. `ds` numbers its classes 0 … K−1 and names all K (the legend lists them, cut short, with
    the full names on hover); `regions` is scratchnet.plane.class_regions of the model's probabilities."""
    x, y = S.original_axes(ds, grid)
    traces = [*region_traces(x, y, regions), *point_traces(ds, grid.axes, max_points, fade=fade)]
    frame = {"autorange": False, "showgrid": False, "mirror": True}
    layout = _plane_layout(ds, grid.axes, height, title=title, held=True, faded=fade is not None,
                           xaxis={"range": _range(x), **frame}, yaxis={"range": _range(y), **frame})
    if not np.any(np.isfinite(np.asarray(regions.confidence, dtype=np.float64))):
        layout["annotations"].append(S.message("no regions: the model's outputs are not finite"))
    return S.make_figure(traces, layout)


def _lab_panel(
    ds: DatasetLike,
    grid: PlaneGridLike,
    xy: tuple[np.ndarray, np.ndarray],
    proba: np.ndarray | RegionsLike,
    k: int,
    cols: int,
    domains: tuple[list[float], list[float]],
    max_points: int,
    fade: SliceFadeLike | None = None,
) -> tuple[list[dict], dict, list[dict]]:
    """Panel k: (its boundary and training points, its two axes, a note if nothing finite came out).

    The ranges are shared; ticks go on the outer panels, the y name on each row's first panel."""
    xaxis, yaxis, xkey, ykey = axis_names(k)
    ranges = (_range(xy[0]), _range(xy[1]))
    if not isinstance(proba, np.ndarray):  # K ≥ 3 classes: their regions
        traces = region_traces(*xy, proba, xaxis=xaxis, yaxis=yaxis)
        proba = np.asarray(proba.confidence, dtype=np.float64)
    else:
        traces = [_contour(*xy, proba, xaxis=xaxis, yaxis=yaxis, coloraxis="coloraxis", line_width=2)]
    traces += point_traces(
        ds, grid.axes, max_points, include_test=False, size=5, showlegend=False, xaxis=xaxis, yaxis=yaxis, fade=fade
    )
    common = {"autorange": False, "showgrid": False, "mirror": True, "nticks": 4, "fixedrange": True}
    first = k % cols == 0
    ytitle = axis_titles(ds, grid.axes)[1] if first else ""
    axes = {
        xkey: S.axis("", domain=domains[0], anchor=yaxis, range=ranges[0], **common),
        ykey: S.axis(ytitle, domain=domains[1], anchor=xaxis, range=ranges[1], showticklabels=first, **common),
    }
    notes = []
    if not np.any(np.isfinite(proba)):
        where = {"x": float(np.mean(ranges[0])), "y": float(np.mean(ranges[1])), "xref": xaxis, "yref": yaxis}
        notes.append(S.message("no finite output", size=S.SMALL_FONT, **where))
    return traces, axes, notes


def _top_bar(domains: tuple[list[float], list[float]], color: str) -> dict:
    """A thick line in the learning rate's colour along a panel's top edge (the loss figure's colour)."""
    (x0, x1), (_, y) = domains
    line = {"color": color, "width": 5}
    return {"type": "line", "xref": "paper", "yref": "paper", "x0": x0, "x1": x1, "y0": y, "y1": y, "line": line}


def lr_lab_boundaries_figure(
    ds: DatasetLike,
    grid: PlaneGridLike,
    probas: Mapping[float, np.ndarray | RegionsLike],
    verdicts: Mapping[float, str],
    *,
    height: int = 260,
    max_points: int = 150,
    fade: SliceFadeLike | None = None,
) -> go.Figure:
    """The final boundary for each learning rate, small → large, titled 'lr = 0.1 — just right', with a
    bar in that rate's colour from the loss figure along its top. For K ≥ 3 classes a rate's entry is its
    class regions (scratchnet.plane.class_regions), drawn as regions_figure draws them.

    Up to 5 learning rates share one row; 6 or more take two rows, and `height` is then per row.
    """
    lrs = sorted(probas)
    n = max(1, len(lrs))
    cols = n if n <= 5 else math.ceil(n / 2)
    x, y = S.original_axes(ds, grid)
    rows = max(1, math.ceil(n / cols))
    row_px = height - 48  # 8 px top margin + 40 px for the x axis below each row
    height = 48 + rows * row_px + (rows - 1) * 40
    domains = panel_domains(n, cols, hgap=0.035, plot_px=height - 48, title_px=24, gap_px=40)
    # the x name once, centred under the bottom row: one per panel would overlap its neighbours'
    xname = axis_titles(ds, grid.axes)[0]
    annotations = [S.note(xname, 0.5, 0.0, xanchor="center", yanchor="top", yshift=-20, size=S.SMALL_FONT + 1)]
    traces, shapes, layout_axes = [], [], {}
    for k, (lr, color) in enumerate(zip(lrs, S.lr_colors(len(lrs)), strict=True)):
        proba = probas[lr] if hasattr(probas[lr], "winner") else np.asarray(probas[lr], dtype=np.float64)
        panel, axes, notes = _lab_panel(ds, grid, (x, y), proba, k, cols, domains[k], max_points, fade)
        traces += panel
        layout_axes.update(axes)
        verdict = verdicts.get(lr, "")
        text = f"lr = {S.fmt_lr(lr)}" + (f" — {S.verdict_label(verdict)}" if verdict else "")
        title_color = S.DIVERGED_COLOR if verdict == "diverged" else "#222222"
        annotations += [panel_title(text, *domains[k], size=S.SMALL_FONT + 1, color=title_color), *notes]
        shapes.append(_top_bar(domains[k], color))
    if not lrs:
        annotations = [S.message("no learning rates to compare yet")]
    layout = S.base_layout(
        height,
        top=8,
        bottom=40,
        left=56,
        right=10,
        annotations=annotations,
        shapes=shapes,
        coloraxis={"colorscale": S.BOUNDARY_SCALE, "cmin": 0, "cmax": P_SCALE, "showscale": False},
        **layout_axes,
    )
    return S.make_figure(traces, layout)

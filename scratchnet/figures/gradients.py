"""The gradient figure: ‖∂L/∂θ‖ per tensor over iterations (top), |gradient| per entry now (bottom).

What a tensor is (its layer, weight or bias) comes from the model's ParamInfo, never from its name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go

from . import style as S
from .curves import DEFAULT_MAX_POINTS, curve_xy, integer_ticks, iteration_lines, keep_divergence, line, log_ticks
from .types import HistoryLike, ParamInfoLike

TOP, BOTTOM = [0.58, 1.0], [0.0, 0.36]  # the two panels' vertical domains (paper fractions)
NAME_LIMIT = 12  # characters of an input name in a row or column label (the full name is in the hover)


@dataclass
class EntryView:
    """The per-entry panel: |g| as rows × columns, with full labels (hover) and short ones (ticks)."""

    rows: list[str]
    mags: np.ndarray
    columns: list
    xtitle: str
    row_ticks: list[str]
    column_ticks: list[str] | None = None  # None: the columns are numbers (hidden units)
    scalars: list[str] = field(default_factory=list)  # one-number tensors, told in the heading

    @property
    def numeric(self) -> bool:
        return self.column_ticks is None


# --- top: norms over iterations ----------------------------------------------------------------------------
def _norm_traces(history: HistoryLike, params: Sequence[ParamInfoLike], max_points: int) -> list[dict]:
    """One line per tensor: colour by layer, dotted for a bias."""
    it = history.array("iteration")
    keep = keep_divergence(history, it)
    traces = []
    layers = max((p.layer for p in params), default=1)
    for p in params:
        column = f"grad_norm_{p.name}"
        if column not in history.columns:
            continue
        x, y = curve_xy(it, history.array(column), max_points, keep, log=True)
        label = f"‖{p.grad_name}‖"
        hover = f"{label} = %{{y:.2e}}<br>iteration %{{x}}<extra></extra>"
        style = {"color": S.layer_color(p.layer, layers), "width": 2.2, "dash": "dot" if p.is_bias else "solid"}
        traces.append(line(x, y, label, style["color"], hover, line=style, xaxis="x", yaxis="y"))
    return traces


def _norms_panel(
    layout: dict, history: HistoryLike, params: Sequence[ParamInfoLike], marker: int | None, max_points: int
) -> tuple[list[dict], list[dict], list[dict]]:
    """(traces, shapes, annotations) of the top panel; an empty history gets a 'press Play' note."""
    if len(history) == 0:
        layout["xaxis"].update(range=[0, 100], showticklabels=False)
        layout["yaxis"].update(range=[-3, 0], showticklabels=False)
        return [], [], [S.message(S.EMPTY_MESSAGE, y=(TOP[0] + TOP[1]) / 2)]
    traces = _norm_traces(history, params, max_points)
    shapes, notes = iteration_lines(history, marker, ytop=TOP[1], ybottom=TOP[0])
    integer_ticks(layout["xaxis"], history.array("iteration"))
    log_ticks(layout["yaxis"], [t["y"] for t in traces], min_decades=0.7, max_labels=3)  # a short panel
    return traces, shapes, notes


# --- bottom: per-entry magnitudes ------------------------------------------------------------------------------
def _abs(g: np.ndarray) -> np.ndarray:
    return np.abs(np.asarray(g, dtype=np.float64))


def _input_names(input_names: Sequence[str], d: int) -> list[str]:
    """The d input names (x1, x2 … where missing)."""
    names = [str(n) for n in input_names[:d]] + [f"x{k + 1}" for k in range(len(input_names), d)]
    return S.short_labels(names, S.HOVER_LIMIT)  # the hover's names; the ticks are cut shorter


def _two_lines(label: str, width: int = 8) -> str:
    """A long category label broken at the space nearest its middle: 'mean radius' → 'mean<br>radius'."""
    if len(label) <= width or " " not in label:
        return label
    spaces = [k for k, ch in enumerate(label) if ch == " "]
    k = min(spaces, key=lambda p: abs(p - len(label) / 2))
    return label[:k] + "<br>" + label[k + 1 :]


def _unit_view(
    W1: ParamInfoLike,
    dW1: np.ndarray,
    others: list[tuple[ParamInfoLike, np.ndarray]],
    names: Sequence[str],
    max_input_rows: int,
    classes: Sequence[str] = (),
) -> EntryView:
    """A hidden layer: one column per hidden unit, a row per input of the layer-1 weights (or one row of
    their norms when there are too many inputs), then a row per per-unit tensor (db1, dw2) — with K classes
    a row per class of W2 (each class's weights from the units); the output bias (db2) is told in the heading."""
    h, d = dW1.shape
    full = _input_names(names, d)
    short = S.short_labels(full, NAME_LIMIT)
    if d <= max_input_rows:
        rows = [f"{W1.grad_name} · {n}" for n in full]
        ticks = [f"{W1.grad_name} · {n}" for n in short]
        mags = [dW1[:, f] for f in range(d)]
    else:  # too many inputs for a readable row each: the size of each unit's whole row of dW1
        rows = ticks = [f"{W1.grad_name} · all {d} inputs (norm)"]
        mags = [np.linalg.norm(dW1, axis=1)]
    scalars = []
    for p, g in others:
        if p.layer > 1 and p.is_bias:  # the output's bias: a number per output, not one per unit
            shown = ", ".join(S.short_sci(float(v)) for v in g.reshape(-1))
            scalars.append(f"|{p.grad_name}| = {shown}")
        elif g.ndim == 2 and g.shape[1] == h:  # W2 (K, h): a row per class
            labels = _class_names(classes, g.shape[0])
            short = S.short_labels(labels, NAME_LIMIT)
            rows += [f"{p.grad_name} · {c}" for c in labels]
            ticks += [f"{p.grad_name} · {c}" for c in short]
            mags += list(g)
        elif g.size == h:
            rows, ticks, mags = [*rows, p.grad_name], [*ticks, p.grad_name], [*mags, g.reshape(h)]
    return EntryView(rows, np.vstack(mags), list(range(1, h + 1)), "hidden unit", ticks, scalars=scalars)


def _class_names(classes: Sequence[str], k: int) -> list[str]:
    """The K class names (class 0, class 1 … where missing)."""
    names = [str(c) for c in classes[:k]] + [f"class {c}" for c in range(len(classes), k)]
    return S.short_labels(names, S.HOVER_LIMIT)


def _class_view(
    W: ParamInfoLike, dW: np.ndarray, others: list[tuple[ParamInfoLike, np.ndarray]], names: Sequence[str],
    classes: Sequence[str],
) -> EntryView:
    """Softmax regression: one column per class (its row of W), a row per input, then the class's bias."""
    k, d = dW.shape
    full = _input_names(names, d)
    short = S.short_labels(full, NAME_LIMIT)
    rows = [f"{W.grad_name} · {n}" for n in full]
    ticks = [f"{W.grad_name} · {n}" for n in short]
    mags = [dW[:, f] for f in range(d)]
    for p, g in others:
        if g.size == k:
            rows, ticks, mags = [*rows, p.grad_name], [*ticks, p.grad_name], [*mags, g.reshape(k)]
    labels = _class_names(classes, k)
    return EntryView(rows, np.vstack(mags), labels, "class", ticks, column_ticks=S.short_labels(labels, NAME_LIMIT))


def _input_view(
    w: ParamInfoLike, dw: np.ndarray, others: list[tuple[ParamInfoLike, np.ndarray]], names: Sequence[str]
) -> EntryView:
    """No hidden layer: one cell per input's weight, then the bias."""
    dw = dw.reshape(-1)
    d = dw.size
    full = _input_names(names, d)
    ticks = [_two_lines(n) if d <= 4 else n for n in S.short_labels(full, NAME_LIMIT)]
    biases = [(p, g.reshape(-1)[:1]) for p, g in others if g.size == 1]
    columns = full + [p.grad_name for p, _ in biases]
    mags = np.concatenate([dw, *(g for _, g in biases)])[None, :]
    xtitle = f"{w.grad_name} per input" + (", then " + ", ".join(p.grad_name for p, _ in biases) if biases else "")
    return EntryView(["|g|"], mags, columns, xtitle, ["|g|"], column_ticks=ticks + columns[d:])


def _entry_view(
    grads: Mapping[str, np.ndarray], params: Sequence[ParamInfoLike], input_names: Sequence[str], max_input_rows: int,
    classes: Sequence[str] = (),
) -> EntryView | None:
    """The layer-1 weights decide the view: a matrix (hidden units × inputs, or classes × inputs for softmax
    regression) or a vector (one per input)."""
    first = next((p for p in params if p.layer == 1 and not p.is_bias and p.name in grads), None)
    if first is None:
        return None
    g = _abs(grads[first.name])
    others = [(p, _abs(grads[p.name])) for p in params if p is not first and p.name in grads]
    if g.ndim == 2 and getattr(first, "per_class", False):
        return _class_view(first, g, others, input_names, classes)
    if g.ndim == 2:
        return _unit_view(first, g, others, input_names, max_input_rows, classes)
    return _input_view(first, g, others, input_names)


def _log_magnitude(g: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """log10|g| clipped to [lo, hi]; NaN stays NaN (an empty cell), ±inf saturates at hi."""
    a = np.abs(np.asarray(g, dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log10(np.maximum(a, 10.0**lo))
    z = np.where(np.isnan(a), np.nan, np.clip(z, lo, hi))
    return S.f32(z)


def _heatmap(view: EntryView, lo: int, hi: int, cell_text: bool | None) -> dict:
    """log10|g| on a fixed colour range (a colour means the same in every frame), a colour bar in powers of 10."""
    ticks = list(range(lo, hi + 1, 2 if hi - lo > 4 else 1))
    heat = {
        "type": "heatmap",
        "z": _log_magnitude(view.mags, lo, hi),
        "x": np.asarray(view.columns) if view.numeric else view.columns,
        "y": view.rows,
        "xaxis": "x2",
        "yaxis": "y2",
        "zmin": lo,
        "zmax": hi,
        "colorscale": S.GRAD_SCALE,
        "xgap": 1,
        "ygap": 1,
        "showlegend": False,
        "colorbar": {
            "thickness": 10,
            "len": BOTTOM[1] - BOTTOM[0] + 0.06,
            "y": BOTTOM[0],
            "yanchor": "bottom",
            "x": 1.0,
            "xanchor": "left",
            "xpad": 6,
            "outlinewidth": 0,
            "tickvals": ticks,
            "ticktext": [S.power_of_ten(t) for t in ticks],
            "tickfont": {"size": S.SMALL_FONT - 1},
        },
        "hovertemplate": "%{y} · %{x}<br>|g| ≈ 10^%{z:.1f}<extra></extra>",
    }
    if (view.mags.shape[1] <= 4) if cell_text is None else cell_text:
        heat["text"] = [[S.short_sci(v) for v in row] for row in view.mags]
        heat["texttemplate"] = "%{text}"
        heat["textfont"] = {"size": S.SMALL_FONT - 1}
    return heat


def _heat_axes(view: EntryView) -> dict:
    """xaxis2 / yaxis2 for the heatmap: categories carry full names, the ticks show the short ones."""
    bare = {"showgrid": False, "showline": False, "ticks": "", "fixedrange": True}
    ncols = view.mags.shape[1]
    if view.numeric:
        columns = {"dtick": 1} if ncols <= 10 else {"nticks": 8}
    else:
        columns = {"tickmode": "array", "tickvals": view.columns, "ticktext": view.column_ticks}
    xaxis = S.axis("", domain=[0, 1], anchor="y2", **bare, **columns)
    xaxis["title"] = {"text": view.xtitle, "font": {"size": S.SMALL_FONT}, "standoff": 2}
    yaxis = S.axis(
        "",
        domain=BOTTOM,
        anchor="x2",
        autorange="reversed",
        **bare,
        tickmode="array",
        tickvals=view.rows,
        ticktext=view.row_ticks,
        showticklabels=len(view.rows) > 1,  # logistic regression's single row needs no label
        tickfont={"size": S.SMALL_FONT - 1 if len(view.rows) > 4 else S.SMALL_FONT},
    )
    return {"xaxis2": xaxis, "yaxis2": yaxis}


def _shown_at(history: HistoryLike, marker: int | None) -> str:
    """Which iteration the per-entry panel shows: the scrub marker, else the last one recorded."""
    if marker is not None:
        return f"iteration {marker}"
    return f"iteration {int(history.columns['iteration'][-1])}" if len(history) else "the start"


def gradient_figure(
    history: HistoryLike,
    grads: Mapping[str, np.ndarray] | None,
    *,
    params: Sequence[ParamInfoLike],
    input_names: Sequence[str],
    marker: int | None = None,
    max_points: int = DEFAULT_MAX_POINTS,
    height: int = 330,
    decades: tuple[int, int] = (-6, 1),
    max_input_rows: int = 6,
    cell_text: bool | None = None,
    class_names: Sequence[str] = (),
) -> go.Figure:
    """Top: ‖∂L/∂θ‖ per parameter tensor over iterations (log axis). Bottom: |gradient| per entry now.

    `params` is the model's param_info: layer and bias-or-weight come from it. The bottom panel's
    colours are log10|g| on a fixed range of `decades` (so a colour means the same thing in every
    frame); values outside it saturate. Per-cell numbers are shown when the cells are wide enough
    (cell_text=None decides: at most 4 hidden units / 4 logistic-regression cells). With K ≥ 3 classes
    W2 shows a row per class (named by `class_names`), softmax regression's W a column per class.
    """
    layout = S.base_layout(
        height,
        top=24,
        bottom=34,
        left=60,
        right=78,
        showlegend=True,
        # a column in the right margin, beside the norms panel (the colour bar sits below it)
        legend=S.legend(x=1.0, xanchor="left", y=TOP[1], yanchor="top", itemwidth=30, tracegroupgap=0),
        xaxis=S.axis("", domain=[0, 1], anchor="y"),
        yaxis=S.axis("", domain=TOP, anchor="x", type="log", exponentformat="power", nticks=4),
    )
    traces, shapes, annotations = _norms_panel(layout, history, params, marker, max_points)
    view = _entry_view(grads, params, input_names, max_input_rows, class_names) if grads else None
    heading = f"|g| at {_shown_at(history, marker)}"
    if view is None:
        text = "no gradients yet" if not grads else "no per-entry view for this model"
        annotations.append(S.message(text, y=BOTTOM[1] / 2, size=S.SMALL_FONT))
        layout["xaxis2"] = {"visible": False, "domain": [0, 1], "anchor": "y2"}
        layout["yaxis2"] = {"visible": False, "domain": BOTTOM, "anchor": "x2"}
    else:
        traces.append(_heatmap(view, int(decades[0]), int(decades[1]), cell_text))
        layout.update(_heat_axes(view))
        heading = " · ".join([heading, *view.scalars])
    annotations.append(S.note("gradient size ‖g‖ per tensor", 0.0, 1.0))
    annotations.append(S.note(heading, 0.0, BOTTOM[1] + 0.02))
    layout["annotations"], layout["shapes"] = annotations, shapes
    return S.make_figure(traces, layout)

"""Figures over iterations: the loss, the gradients (norms over time, per-entry sizes now), the lr lab."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.colors as pcolors
import plotly.graph_objects as go

from . import style as S

DEFAULT_MAX_POINTS = 300


def _curve_xy(
    iterations: np.ndarray, values: np.ndarray, max_points: int, keep: list[int], log: bool
) -> tuple[np.ndarray, np.ndarray]:
    idx = S.decimate(values.size, max_points, keep=keep, values=values)
    x = iterations[idx].astype(np.int64)  # plotly sends integers in the smallest integer type that fits
    y = S.log_safe(values[idx]) if log else S.f32(values[idx])
    return x, y


def _integer_ticks(axis: dict, iterations: np.ndarray) -> None:
    """Iterations are whole numbers: no 0.5 ticks on a short run, some room around a single point."""
    if iterations.size == 0:
        return
    lo, hi = float(np.min(iterations)), float(np.max(iterations))
    if hi - lo < 1:
        axis["range"] = [lo - 1, hi + 1]
    if hi - lo <= 8:
        axis["dtick"] = 1


def _log_ticks(axis: dict, arrays: list[np.ndarray], min_decades: float = 1.5, max_labels: int = 6) -> None:
    """On a log axis spanning more than `min_decades`, label powers of ten only (no 2s and 5s), and at
    most about `max_labels` of them (every 2nd or 3rd decade on a very wide range)."""
    values = (
        np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays]) if arrays else np.zeros(0)
    )
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return
    span = float(np.log10(values.max()) - np.log10(values.min()))
    if span >= min_decades:
        axis.update(dtick=max(1, int(np.ceil(span / max_labels))), exponentformat="power")


def _two_lines(label: str, width: int = 8) -> str:
    """A long category label broken at the space nearest its middle: 'mean radius' → 'mean<br>radius'."""
    if len(label) <= width or " " not in label:
        return label
    spaces = [k for k, ch in enumerate(label) if ch == " "]
    k = min(spaces, key=lambda p: abs(p - len(label) / 2))
    return label[:k] + "<br>" + label[k + 1 :]


def _keep(history: Any, iterations: np.ndarray) -> tuple[list[int], int | None]:
    k = S.index_of_iteration(iterations, history.diverged_at)
    return ([] if k is None else [k]), k


def _iteration_lines(
    history: Any,
    marker: int | None,
    *,
    xref: str = "x",
    yref: str = "paper",
    ytop: float = 1.0,
    ybottom: float = 0.0,
) -> tuple[list[dict], list[dict]]:
    """Shapes and labels: the scrub marker (grey dashed) and the divergence (red)."""
    shapes, notes = [], []
    if marker is not None:
        shapes.append(
            {
                **S.vline(marker, color="#777777", dash="dash", width=1.5, xref=xref, yref=yref),
                "y0": ybottom,
                "y1": ytop,
            }
        )
        notes.append(
            {
                "text": f"iteration {int(marker)}",
                "x": marker,
                "y": ybottom,
                "xref": xref,
                "yref": yref,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": S.SMALL_FONT - 1, "color": "#555555"},
                "bgcolor": "rgba(255,255,255,0.7)",
            }
        )
    if history.diverged_at is not None:
        k = int(history.diverged_at)
        shapes.append(
            {**S.vline(k, color=S.DIVERGED_COLOR, width=2, xref=xref, yref=yref), "y0": ybottom, "y1": ytop}
        )
        notes.append(
            {
                "text": f"diverged at iteration {k}",
                "x": k,
                "y": ytop,
                "xref": xref,
                "yref": yref,
                "xanchor": "right",
                "yanchor": "top",
                "showarrow": False,
                "font": {"size": S.SMALL_FONT, "color": S.DIVERGED_COLOR},
                "bgcolor": "rgba(255,255,255,0.8)",
            }
        )
    return shapes, notes


def loss_figure(
    history: Any,
    *,
    log_y: bool = False,
    marker: int | None = None,
    max_points: int = DEFAULT_MAX_POINTS,
    height: int = 330,
) -> go.Figure:
    """Train (solid) and test (dashed) loss against iteration; marker and divergence as vertical lines."""
    layout = S.base_layout(
        height,
        top=30,
        bottom=42,
        showlegend=True,
        hovermode="x unified",
        legend={
            "orientation": "h",
            "x": 1.0,
            "xanchor": "right",
            "y": 1.0,
            "yanchor": "bottom",
            "font": {"size": S.SMALL_FONT},
            "bgcolor": "rgba(255,255,255,0)",
        },
        xaxis=S.axis("iteration"),
        yaxis=S.axis("loss (cross-entropy)", type="log" if log_y else "linear"),
    )
    if len(history) == 0:
        layout["xaxis"].update(range=[0, 100], showticklabels=False)
        layout["yaxis"].update(range=[0, 1] if not log_y else [-1, 0], showticklabels=False)
        layout["annotations"] = [S.message(S.EMPTY_MESSAGE)]
        return S.make_figure([], layout)
    it = history.array("iteration")
    keep, _ = _keep(history, it)
    traces = []
    x, y = _curve_xy(it, history.array("train_loss"), max_points, keep, log_y)
    traces.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": "train",
            "x": x,
            "y": y,
            "line": {"color": S.TRAIN_LOSS_COLOR, "width": 2.5},
            "hovertemplate": "train %{y:.4f}<extra></extra>",
        }
    )
    test = history.array("test_loss")
    if np.any(np.isfinite(test)):
        x, y = _curve_xy(it, test, max_points, keep, log_y)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "test",
                "x": x,
                "y": y,
                "line": {"color": S.TEST_LOSS_COLOR, "width": 2.5, "dash": "dash"},
                "hovertemplate": "test %{y:.4f}<extra></extra>",
            }
        )
    shapes, notes = _iteration_lines(history, marker)
    layout["shapes"], layout["annotations"] = shapes, notes
    _integer_ticks(layout["xaxis"], it)
    if log_y:
        _log_ticks(layout["yaxis"], [t["y"] for t in traces])
    return S.make_figure(traces, layout)


# --- gradients ---------------------------------------------------------------------------------------------
def _layer(name: str) -> int:
    return 2 if name.endswith("2") else 1


def _is_bias(name: str) -> bool:
    return name.lower().startswith("b")


def _log_magnitude(g: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """log10|g| clipped to [lo, hi]; NaN stays NaN (an empty cell), ±inf saturates at hi."""
    a = np.abs(np.asarray(g, dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log10(np.maximum(a, 10.0**lo))
    z = np.where(np.isnan(a), np.nan, np.clip(z, lo, hi))
    return S.f32(z)


def _short_names(input_names: list[str], d: int, limit: int = 12) -> list[str]:
    """Row / column labels: the input names (x1, x2 ... where missing), long ones cut with an ellipsis."""
    names = [str(n) for n in input_names[:d]] + [f"x{k + 1}" for k in range(len(input_names), d)]
    return [n if len(n) <= limit else n[: limit - 1] + "…" for n in names]


def _entry_rows(
    grads: dict[str, np.ndarray], input_names: list[str], max_input_rows: int
) -> tuple[list[str], np.ndarray, list, str] | None:
    """(row labels, |g| matrix rows × cols, column labels, x-axis title) for the per-entry panel."""
    if "W1" in grads:  # two-layer net: one column per hidden unit
        W1 = np.abs(np.asarray(grads["W1"], dtype=np.float64))
        if W1.ndim == 1:
            W1 = W1[:, None]
        h, d = W1.shape
        names = _short_names(input_names, d)
        if d <= max_input_rows:
            labels = [f"dW1 · {names[f]}" for f in range(d)]
            rows = [W1[:, f] for f in range(d)]
        else:  # too many inputs for a readable row each: the size of each unit's whole dW1 row
            labels = [f"dW1 · all {d} inputs (norm)"]
            rows = [np.linalg.norm(W1, axis=1)]
        labels += ["db1", "dw2"]
        rows += [
            np.abs(np.asarray(grads["b1"], dtype=np.float64)).reshape(h),
            np.abs(np.asarray(grads["w2"], dtype=np.float64)).reshape(h),
        ]
        return labels, np.vstack(rows), list(range(1, h + 1)), "hidden unit"
    if "w" in grads:  # logistic regression: one cell per input feature, then db
        w = np.abs(np.asarray(grads["w"], dtype=np.float64)).reshape(-1)
        d = w.size
        names = _short_names(input_names, d)
        b = np.abs(np.asarray(grads.get("b", np.nan), dtype=np.float64)).reshape(-1)[:1]
        cols = [_two_lines(str(n)) if d <= 4 else str(n) for n in names[:d]] + ["db"]
        return ["|g|"], np.concatenate([w, b])[None, :], cols, "dw per input, then db"
    return None


def gradient_figure(
    history: Any,
    grads: dict[str, np.ndarray] | None,
    *,
    input_names: list[str] | tuple,
    marker: int | None = None,
    max_points: int = DEFAULT_MAX_POINTS,
    height: int = 330,
    decades: tuple[int, int] = (-6, 1),
    max_input_rows: int = 6,
    cell_text: bool | None = None,
) -> go.Figure:
    """Top: ‖∂L/∂θ‖ per parameter tensor over iterations (log axis). Bottom: |gradient| per entry now.

    The bottom panel's colours are log10|g| on a fixed range of `decades` (so a colour means the same
    thing in every frame); values outside it saturate. Per-cell numbers are shown when the cells are
    wide enough (cell_text=None decides: at most 4 hidden units / 4 logistic-regression cells).
    """
    lo, hi = int(decades[0]), int(decades[1])
    top_dom, bottom_dom = [0.58, 1.0], [0.0, 0.36]
    layout = S.base_layout(
        height,
        top=24,
        bottom=34,
        left=60,
        right=78,
        showlegend=True,
        hovermode="closest",
        # a column in the right margin, beside the norms panel (the colour bar sits below it)
        legend={
            "x": 1.0,
            "xanchor": "left",
            "y": top_dom[1],
            "yanchor": "top",
            "font": {"size": S.SMALL_FONT},
            "bgcolor": "rgba(255,255,255,0)",
            "itemwidth": 30,
            "tracegroupgap": 0,
        },
        xaxis=S.axis("", domain=[0, 1], anchor="y"),
        yaxis=S.axis("", domain=top_dom, anchor="x", type="log", exponentformat="power", nticks=4),
    )
    traces: list[dict] = []
    annotations: list[dict] = []
    shapes: list[dict] = []
    n = len(history)
    if n == 0:
        layout["xaxis"].update(range=[0, 100], showticklabels=False)
        layout["yaxis"].update(range=[-3, 0], showticklabels=False)
        annotations.append(S.message(S.EMPTY_MESSAGE, y=(top_dom[0] + top_dom[1]) / 2))
    else:
        it = history.array("iteration")
        keep, _ = _keep(history, it)
        for name in history.param_names:
            col = f"grad_norm_{name}"
            if col not in history.columns:
                continue
            x, y = _curve_xy(it, history.array(col), max_points, keep, log=True)
            label = f"‖{S.param_symbol(name)}‖"
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": label,
                    "x": x,
                    "y": y,
                    "xaxis": "x",
                    "yaxis": "y",
                    "line": {
                        "color": S.LAYER_COLORS[_layer(name)],
                        "width": 2.2,
                        "dash": "dot" if _is_bias(name) else "solid",
                    },
                    "hovertemplate": f"{label} = %{{y:.2e}}<br>iteration %{{x}}<extra></extra>",
                }
            )
        shapes, notes = _iteration_lines(
            history, marker, xref="x", yref="paper", ytop=top_dom[1], ybottom=top_dom[0]
        )
        annotations += notes
        _integer_ticks(layout["xaxis"], it)
        # a short panel: a few powers of ten only
        _log_ticks(layout["yaxis"], [t["y"] for t in traces], min_decades=0.7, max_labels=3)

    # --- bottom: per-entry magnitudes at the iteration being shown
    now = marker if marker is not None else (int(history.columns["iteration"][-1]) if n else None)
    where = f"iteration {now}" if now is not None else "the start"
    entries = _entry_rows(grads, list(input_names), max_input_rows) if grads else None
    heading = f"|g| at {where}"
    if entries is None:
        annotations.append(
            S.message(
                "no gradients yet" if not grads else "no per-entry view for this model",
                y=bottom_dom[1] / 2,
                size=S.SMALL_FONT,
            )
        )
        layout["xaxis2"] = {"visible": False, "domain": [0, 1], "anchor": "y2"}
        layout["yaxis2"] = {"visible": False, "domain": bottom_dom, "anchor": "x2"}
    else:
        labels, mags, columns, xtitle = entries
        if grads and "b2" in grads:
            heading += f" · |db2| = {S.short_sci(float(np.abs(np.asarray(grads['b2'])).reshape(-1)[0]))}"
        z = _log_magnitude(mags, lo, hi)
        ncols = mags.shape[1]
        numeric = not isinstance(columns[0], str)
        show_text = (ncols <= 4) if cell_text is None else bool(cell_text)
        step = 2 if hi - lo > 4 else 1
        ticks = list(range(lo, hi + 1, step))
        heat = {
            "type": "heatmap",
            "z": z,
            "x": np.asarray(columns) if numeric else columns,
            "y": labels,
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
                "len": bottom_dom[1] - bottom_dom[0] + 0.06,
                "y": bottom_dom[0],
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
        if show_text:
            heat["text"] = [[S.short_sci(v) for v in row] for row in mags]
            heat["texttemplate"] = "%{text}"
            heat["textfont"] = {"size": S.SMALL_FONT - 1}
        traces.append(heat)
        xt = {"text": xtitle, "font": {"size": S.SMALL_FONT}, "standoff": 2}
        layout["xaxis2"] = S.axis(
            "",
            domain=[0, 1],
            anchor="y2",
            showgrid=False,
            showline=False,
            ticks="",
            **({"dtick": 1} if numeric and ncols <= 10 else {"nticks": 8}),
            fixedrange=True,
        )
        layout["xaxis2"]["title"] = xt
        layout["yaxis2"] = S.axis(
            "",
            domain=bottom_dom,
            anchor="x2",
            autorange="reversed",
            showgrid=False,
            showline=False,
            ticks="",
            fixedrange=True,
            dtick=1,
            showticklabels=len(labels) > 1,  # logistic regression's single row needs no label
            tickfont={"size": S.SMALL_FONT - 1 if len(labels) > 4 else S.SMALL_FONT},
        )
    annotations.append(
        {
            "text": "gradient size ‖g‖ per tensor",
            "x": 0.0,
            "y": 1.0,
            "xref": "paper",
            "yref": "paper",
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": S.SMALL_FONT},
        }
    )
    annotations.append(
        {
            "text": heading,
            "x": 0.0,
            "y": bottom_dom[1] + 0.02,
            "xref": "paper",
            "yref": "paper",
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": S.SMALL_FONT},
        }
    )
    layout["annotations"], layout["shapes"] = annotations, shapes
    return S.make_figure(traces, layout)


# --- learning-rate lab -----------------------------------------------------------------------------------
def lr_colors(n: int) -> list[str]:
    """n colours from a sequential scale, small lr → large lr (the scale's light end left out)."""
    if n <= 0:
        return []
    points = [0.0] if n == 1 else list(np.linspace(0.0, 0.85, n))
    return pcolors.sample_colorscale(S.LR_SCALE, points)


def lr_lab_loss_figure(
    histories: dict[float, Any],
    verdicts: dict[float, str],
    *,
    max_points: int = DEFAULT_MAX_POINTS,
    height: int = 330,
) -> go.Figure:
    """Training loss per learning rate (log axis); a diverged run ends in an × at its last finite loss."""
    lrs = sorted(histories)
    layout = S.base_layout(
        height,
        top=12,
        bottom=42,
        right=8,
        showlegend=True,
        legend={
            "x": 1.01,
            "xanchor": "left",
            "y": 1.0,
            "yanchor": "top",
            "font": {"size": S.SMALL_FONT},
            "bgcolor": "rgba(255,255,255,0)",
        },
        xaxis=S.axis("iteration"),
        yaxis=S.axis("training loss", type="log", exponentformat="power"),
    )
    traces = []
    for lr, color in zip(lrs, lr_colors(len(lrs)), strict=True):
        history = histories[lr]
        verdict = verdicts.get(lr, "")
        name = f"lr = {S.fmt_lr(lr)}" + (f" · {S.verdict_label(verdict)}" if verdict else "")
        if len(history) == 0:
            traces.append(
                {"type": "scatter", "mode": "lines", "name": name, "x": [], "y": [], "line": {"color": color}}
            )
            continue
        it = history.array("iteration")
        loss = history.array("train_loss")
        keep, _ = _keep(history, it)
        x, y = _curve_xy(it, loss, max_points, keep, log=True)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": name,
                "legendgroup": name,
                "x": x,
                "y": y,
                "line": {"color": color, "width": 2.5},
                "hovertemplate": f"lr = {S.fmt_lr(lr)}<br>iteration %{{x}}<br>loss %{{y:.4g}}<extra></extra>",
            }
        )
        finite = np.flatnonzero(np.isfinite(loss))
        if history.diverged_at is not None and finite.size:
            k = int(history.diverged_at)
            traces.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": name,
                    "legendgroup": name,
                    "showlegend": False,
                    "x": [k],
                    "y": [float(max(loss[finite[-1]], S.FLOOR))],
                    "marker": {
                        "symbol": "x",
                        "size": 15,
                        "color": color,
                        "line": {"color": "#000000", "width": 1},
                    },
                    "hovertemplate": f"lr = {S.fmt_lr(lr)} diverged at iteration {k}<extra></extra>",
                }
            )
    spans = [histories[lr].array("iteration") for lr in lrs if len(histories[lr])]
    if spans:
        _integer_ticks(layout["xaxis"], np.concatenate(spans))
    _log_ticks(layout["yaxis"], [np.asarray(t["y"]) for t in traces])
    if not lrs:
        layout["annotations"] = [S.message("no learning rates to compare yet")]
        layout["yaxis"].update(type="linear", showticklabels=False)
        layout["xaxis"].update(showticklabels=False)
    return S.make_figure(traces, layout)

"""Figures over iterations: the loss and the learning-rate lab's loss curves, plus the pieces every
curve shares (decimated x/y, whole-number iteration ticks, powers-of-ten log ticks, iteration markers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from . import style as S
from .style import lr_colors
from .types import HistoryLike

DEFAULT_MAX_POINTS = 300


# --- shared by every curve over iterations ------------------------------------------------------------------
def curve_xy(
    iterations: np.ndarray, values: np.ndarray, max_points: int, keep: list[int], log: bool
) -> tuple[np.ndarray, np.ndarray]:
    idx = S.decimate(values.size, max_points, keep=keep, values=values)
    x = iterations[idx].astype(np.int64)  # plotly sends integers in the smallest integer type that fits
    y = S.log_safe(values[idx]) if log else S.f32(values[idx])
    return x, y


def line(x: np.ndarray, y: np.ndarray, name: str, color: str, hover: str, **extra) -> dict:
    """A curve: one scatter trace in lines mode, width 2.5 unless `line` says otherwise."""
    style = {"color": color, "width": 2.5, **extra.pop("line", {})}
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": x,
        "y": y,
        "line": style,
        "hovertemplate": hover,
        **extra,
    }


def integer_ticks(axis: dict, iterations: np.ndarray) -> None:
    """Iterations are whole numbers: no 0.5 ticks on a short run, some room around a single point."""
    if iterations.size == 0:
        return
    lo, hi = float(np.min(iterations)), float(np.max(iterations))
    if hi - lo < 1:
        axis["range"] = [lo - 1, hi + 1]
    if hi - lo <= 8:
        axis["dtick"] = 1


def log_ticks(axis: dict, arrays: list[np.ndarray], min_decades: float = 1.5, max_labels: int = 6) -> None:
    """On a log axis spanning more than `min_decades`, label powers of ten only (no 2s and 5s), and at
    most about `max_labels` of them (every 2nd or 3rd decade on a very wide range)."""
    values = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays]) if arrays else np.zeros(0)
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return
    span = float(np.log10(values.max()) - np.log10(values.min()))
    if span >= min_decades:
        axis.update(dtick=max(1, int(np.ceil(span / max_labels))), exponentformat="power")


def keep_divergence(history: HistoryLike, iterations: np.ndarray) -> list[int]:
    """The row of the divergence, which decimation must keep (empty if the run did not diverge)."""
    k = S.index_of_iteration(iterations, history.diverged_at)
    return [] if k is None else [k]


def iteration_lines(
    history: HistoryLike,
    marker: int | None,
    *,
    xref: str = "x",
    yref: str = "paper",
    ytop: float = 1.0,
    ybottom: float = 0.0,
) -> tuple[list[dict], list[dict]]:
    """Shapes and labels: the scrub marker (grey dashed) and the divergence (red)."""
    shapes, notes = [], []
    span = {"xref": xref, "yref": yref, "y0": ybottom, "y1": ytop}
    if marker is not None:
        shapes.append({**S.vline(marker, color="#777777", dash="dash", width=1.5), **span})
        notes.append(
            S.note(
                f"iteration {int(marker)}",
                marker,
                ybottom,
                xref=xref,
                yref=yref,
                size=S.SMALL_FONT - 1,
                color="#555555",
                bgcolor="rgba(255,255,255,0.7)",
            )
        )
    if history.diverged_at is not None:
        k = int(history.diverged_at)
        shapes.append({**S.vline(k, color=S.DIVERGED_COLOR, width=2), **span})
        notes.append(
            S.note(
                f"diverged at iteration {k}",
                k,
                ytop,
                xref=xref,
                yref=yref,
                xanchor="right",
                yanchor="top",
                color=S.DIVERGED_COLOR,
                bgcolor="rgba(255,255,255,0.8)",
            )
        )
    return shapes, notes


def empty_axes(layout: dict, *, yrange: list[float], text: str = S.EMPTY_MESSAGE) -> None:
    """Nothing recorded yet: bare axes and a centred note instead of plotly's default 0…6 grid."""
    layout["xaxis"].update(range=[0, 100], showticklabels=False)
    layout["yaxis"].update(range=yrange, showticklabels=False)
    layout["annotations"] = [S.message(text)]


# --- the loss ---------------------------------------------------------------------------------------------------
def loss_figure(
    history: HistoryLike,
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
        legend=S.legend(orientation="h", x=1.0, xanchor="right", y=1.0, yanchor="bottom"),
        xaxis=S.axis("iteration"),
        yaxis=S.axis("loss (cross-entropy)", type="log" if log_y else "linear"),
    )
    if len(history) == 0:
        empty_axes(layout, yrange=[-1, 0] if log_y else [0, 1])
        return S.make_figure([], layout)
    it = history.array("iteration")
    keep = keep_divergence(history, it)
    x, y = curve_xy(it, history.array("train_loss"), max_points, keep, log_y)
    traces = [line(x, y, "train", S.TRAIN_LOSS_COLOR, "train %{y:.4f}<extra></extra>")]
    test = history.array("test_loss")
    if np.any(np.isfinite(test)):
        x, y = curve_xy(it, test, max_points, keep, log_y)
        hover = "test %{y:.4f}<extra></extra>"
        traces.append(line(x, y, "test", S.TEST_LOSS_COLOR, hover, line={"dash": "dash"}))
    layout["shapes"], layout["annotations"] = iteration_lines(history, marker)
    integer_ticks(layout["xaxis"], it)
    if log_y:
        log_ticks(layout["yaxis"], [t["y"] for t in traces])
    return S.make_figure(traces, layout)


# --- learning-rate lab -----------------------------------------------------------------------------------
def _diverged_cross(history: HistoryLike, loss: np.ndarray, lr: float, name: str, color: str) -> list[dict]:
    """An × at a diverged run's last finite loss (nothing if it did not diverge or has no finite loss)."""
    finite = np.flatnonzero(np.isfinite(loss))
    if history.diverged_at is None or not finite.size:
        return []
    k = int(history.diverged_at)
    return [
        {
            "type": "scatter",
            "mode": "markers",
            "name": name,
            "legendgroup": name,
            "showlegend": False,
            "x": [k],
            "y": [float(max(loss[finite[-1]], S.FLOOR))],
            "marker": {"symbol": "x", "size": 15, "color": color, "line": {"color": "#000000", "width": 1}},
            "hovertemplate": f"lr = {S.fmt_lr(lr)} diverged at iteration {k}<extra></extra>",
        }
    ]


DASHES = ("solid", "dash", "dot", "dashdot")  # one per optimizer in the lab, in the order chosen


def lr_lab_loss_figure(
    histories: Mapping[float, HistoryLike],
    verdicts: Mapping[float, str],
    *,
    max_points: int = DEFAULT_MAX_POINTS,
    height: int = 330,
    column: str = "train_loss",
    title: str = "training loss",
) -> go.Figure:
    """Training loss per learning rate (log axis); a diverged run ends in an × at its last finite loss.
    `column` / `title`: another quantity of the History instead (the objective J when λ > 0)."""
    curves = [(lr, "", histories[lr], S.verdict_label(verdicts.get(lr, ""))) for lr in sorted(histories)]
    return lab_loss_figure(curves, max_points=max_points, height=height, column=column, title=title)


def lab_loss_figure(
    curves: Sequence[tuple[float, str, HistoryLike, str]],
    *,
    max_points: int = DEFAULT_MAX_POINTS,
    height: int = 330,
    column: str = "train_loss",
    title: str = "training loss",
) -> go.Figure:
    """The lab's curves, one per (α, optimizer) pair from the same start: each entry is (α, the optimizer's
    name, its History, what its verdict says). One colour per α (small → large, as the boundaries' bars), one
    dash per optimizer (in the order given); the legend names α, the optimizer (when one is named) and the
    verdict (below the chart when several optimizers are named). A diverged run ends in an × at its last finite
    value; log axis."""
    lrs = sorted({lr for lr, *_ in curves})
    colors = dict(zip(lrs, lr_colors(len(lrs)), strict=True))
    groups = list(dict.fromkeys(group for _, group, *_ in curves))
    # several optimizers: their longer names go below the curves, in as many columns as the width allows
    beside = S.legend(x=1.01, xanchor="left", y=1.0, yanchor="top")
    below = S.legend(orientation="h", x=0.0, xanchor="left", y=-0.14, yanchor="top")
    layout = S.base_layout(
        height,
        top=12,
        bottom=42,
        right=8,
        showlegend=True,
        legend=below if len(groups) > 1 else beside,
        xaxis=S.axis("iteration"),
        yaxis=S.axis(title, type="log", exponentformat="power"),
    )
    traces = []
    for lr, group, history, verdict in sorted(curves, key=lambda c: (c[0], groups.index(c[1]))):
        color = colors[lr]
        name = " · ".join(part for part in (f"lr = {S.fmt_lr(lr)}", group, verdict) if part)
        dash = {"line": {"dash": DASHES[groups.index(group) % len(DASHES)]}} if len(groups) > 1 else {}
        if len(history) == 0:
            traces.append(line([], [], name, color, "", **dash))
            continue
        it = history.array("iteration")
        loss = history.array(column)
        x, y = curve_xy(it, loss, max_points, keep_divergence(history, it), log=True)
        symbol = "J" if column == "objective" else "loss"
        who = f"lr = {S.fmt_lr(lr)}" + (f", {group}" if group else "")
        hover = f"{who}<br>iteration %{{x}}<br>{symbol} %{{y:.4g}}<extra></extra>"
        traces.append(line(x, y, name, color, hover, legendgroup=name, **dash))
        traces += _diverged_cross(history, loss, lr, name, color)
    spans = [h.array("iteration") for _, _, h, _ in curves if len(h)]
    if spans:
        integer_ticks(layout["xaxis"], np.concatenate(spans))
    log_ticks(layout["yaxis"], [np.asarray(t["y"]) for t in traces])
    if not curves:
        layout["annotations"] = [S.message("no learning rates to compare yet")]
        layout["yaxis"].update(type="linear", showticklabels=False)
        layout["xaxis"].update(showticklabels=False)
    return S.make_figure(traces, layout)

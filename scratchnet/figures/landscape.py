"""Pictures of why a learning rate overshoots: the objective along the gradient direction, and (logistic
regression with two inputs) the loss surface over (w1, w2) with the path gradient descent took.

Both are read from the back of a classroom: every font is at least 14 px.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from . import style as S
from .types import LineScanLike, LossSurfaceLike

CURVE_COLOR = "#1A1A1A"
STEP_COLOR = "#0072B2"  # where α lands, when it lands lower than the start
OVERSHOOT_COLOR = S.DIVERGED_COLOR  # … and when it lands higher
TANGENT_COLOR = "#777777"
PATH_COLOR = "#D55E00"
SURFACE_SCALE = [[0.0, "#FFFFFF"], [0.35, "#C6DBEF"], [0.7, "#6BAED6"], [1.0, "#08306B"]]  # low loss light
LOG_RATIO = 20.0  # a loss range wider than this factor is drawn on a log scale
LEVELS = 14  # contour lines on the surface
PATH_POINTS = 400  # a long path is thinned to about this many points (moves below 1/400 of the view dropped)


def _big_axis(title: str, **extra) -> dict:
    axis = S.axis(title, **extra)
    axis["title"]["font"] = {"size": S.BIG_FONT}
    axis["tickfont"] = {"size": S.FONT_SIZE}
    return axis


LEFT = 72  # px of left margin: the y tick labels and title


def _big_layout(height: int, title: str, *, top: int = 48, bottom: int = 56, **extra) -> dict:
    layout = S.base_layout(height, top=top, bottom=bottom, left=LEFT, right=20, font={"size": S.FONT_SIZE}, **extra)
    layout["title"] = {**S.title(title), "font": {"size": S.BIG_FONT + 1}}
    return layout


def _label(text: str, x: float, y: float, *, color: str, ax: int, ay: int, xref: str = "x", yref: str = "y") -> dict:
    """A label with an arrow to the point (x, y), offset by (ax, ay) pixels, on a white backing."""
    return S.note(
        text,
        x,
        y,
        xref=xref,
        yref=yref,
        xanchor="center",
        yanchor="middle",
        size=S.BIG_FONT,
        color=color,
        bgcolor="rgba(255,255,255,0.85)",
        showarrow=True,
        arrowhead=0,
        arrowwidth=1.5,
        arrowcolor=color,
        ax=ax,
        ay=ay,
    )


def _point(x: float, y: float, name: str, color: str, symbol: str, hover: str, size: int = 14) -> dict:
    """One marker, outside the legend (a label or the words above say what it is)."""
    return {
        "type": "scatter",
        "mode": "markers",
        "name": name,
        "x": [x],
        "y": [y],
        "marker": {"symbol": symbol, "size": size, "color": color, "line": {"color": "#FFFFFF", "width": 1.5}},
        "hovertemplate": hover + "<extra></extra>",
        "showlegend": False,
        "cliponaxis": False,
    }


# --- the objective along the gradient direction ----------------------------------------------------------
def _fmt(x: float) -> str:
    return f"{x:.3g}".replace("-", "−")


def _tangent(t: np.ndarray, loss0: float, slope: float, lowest: float, spread: float) -> tuple[np.ndarray, np.ndarray]:
    """The straight line L(θ) + t·slope the gradient promises, drawn until it has fallen most of the way
    the curve does (a steep one stops early, so it cannot stretch the plot, and its label
    stays clear of the lowest point)."""
    t_max = float(np.nanmax(t))
    fall = 0.6 * (loss0 - lowest) if loss0 > lowest else 0.05 * spread  # no descent seen: a short stub
    fall = max(fall, 1e-12)
    t_end = min(t_max, fall / abs(slope)) if slope < 0 else 0.3 * t_max
    tt = np.linspace(0.0, t_end, 24)  # several points: straight on a log axis too, when it is one
    return tt, loss0 + slope * tt


NEAR_LOWEST = 0.05  # a step that gets within 5 % of the fall available along the line "lands near the lowest point"


def _verdict(loss0: float, at_lr: float, lr: float, t_low: float, lowest: float) -> tuple[str, str]:
    """(what the step does: a headline and the numbers, colour). Overshoot: it lands higher than it started."""
    if not np.isfinite(at_lr):
        return "α lands where the loss is not finite", OVERSHOOT_COLOR
    change = f"<br>L = {_fmt(loss0)} at the start → {_fmt(at_lr)} after the step"
    if at_lr > loss0:
        return "overshoots: lands higher up the far wall" + change, OVERSHOOT_COLOR
    if at_lr - lowest <= NEAR_LOWEST * (loss0 - lowest):
        return "lands near the lowest point on this line" + change, STEP_COLOR
    if lr > t_low:
        return "past the lowest point, still below the start" + change, STEP_COLOR
    return "short of the lowest point on this line" + change, STEP_COLOR


def _scan_traces(t: np.ndarray, loss: np.ndarray, loss0: float, slope: float, low: int) -> list[dict]:
    """The curve and its tangent at t = 0 (both in the legend below), the lowest point and the start."""
    finite = loss[np.isfinite(loss)]
    tt, tangent = _tangent(t, loss0, slope, float(finite.min()), float(finite.max() - finite.min()))
    curve = {
        "type": "scatter",
        "mode": "lines",
        "name": "L(θ − t·∇L)",
        "x": S.coords(t),
        "y": S.coords(loss),
        "line": {"color": CURVE_COLOR, "width": 3},
        "hovertemplate": "t = %{x:.3g}<br>L = %{y:.4g}<extra></extra>",
    }
    tangent_line = {
        "type": "scatter",
        "mode": "lines",
        "name": f"slope at the start: −‖∇L‖² = {_fmt(slope)}",
        "x": S.coords(tt),
        "y": S.coords(tangent),
        "line": {"color": TANGENT_COLOR, "width": 2, "dash": "dash"},
        "hoverinfo": "skip",
    }
    lowest = _point(float(t[low]), float(loss[low]), "lowest", "#FFFFFF", "diamond", "lowest on this line", 12)
    lowest["marker"]["line"] = {"color": CURVE_COLOR, "width": 2}
    start = _point(0.0, loss0, "start", CURVE_COLOR, "circle", f"start: L = {loss0:.4g}")
    return [curve, tangent_line, lowest, start]


SCAN_TITLE = "Loss along the gradient: L(θ − t·∇L)"


def line_scan_figure(scan: LineScanLike, *, height: int = 400, title: str = SCAN_TITLE,
                     quantity: str = "loss L") -> go.Figure:
    """L(θ − t·∇L) for step sizes t from 0 to t_max: the start, the tangent (the slope −‖∇L‖² the
    gradient promises), the lowest point on this line, and where the chosen α lands, labelled
    'α = …'. Above the plot, in words: a step that lands higher than the start overshoots. `quantity`
    names the y axis (the objective J when λ > 0)."""
    t = np.asarray(scan.t, dtype=np.float64).reshape(-1)
    loss = np.asarray(scan.loss, dtype=np.float64).reshape(-1)
    lr, at_lr = float(scan.lr), float(scan.loss_at_lr)
    layout = _big_layout(
        height,
        title,
        top=84,  # the title, then two lines on what the step does
        bottom=84,  # the x axis, then the legend
        showlegend=True,
        legend=S.legend(orientation="h", x=0.0, xanchor="left", y=-0.2, yanchor="top", font={"size": S.FONT_SIZE}),
        xaxis=_big_axis("step size t along −∇L"),
        yaxis=_big_axis(quantity),
    )
    finite = np.isfinite(loss)
    if not finite.any():
        layout["annotations"] = [S.message("no finite loss along this line", size=S.BIG_FONT)]
        return S.make_figure([], layout)
    loss0 = float(loss[np.argmin(np.abs(t))])  # the scan starts at t = 0
    low = int(np.argmin(np.where(finite, loss, np.inf)))
    if loss[finite].min() > 0 and loss[finite].max() / loss[finite].min() > LOG_RATIO:
        layout["yaxis"].update(type="log", exponentformat="power")
    traces = _scan_traces(t, loss, loss0, float(scan.slope), low)
    text, color = _verdict(loss0, at_lr, lr, float(t[low]), float(loss[low]))
    notes = [
        _label("start", 0.0, loss0, color=CURVE_COLOR, ax=30, ay=-34),
        S.note(
            "lowest",
            float(t[low]),
            float(loss[low]),
            xref="x",
            yref="y",
            xanchor="center",
            yanchor="top",
            yshift=-10,
            size=S.FONT_SIZE,
            color="#555555",
        ),
        # under the title, from the figure's left edge like it (shifted out of the plot area into the margin)
        S.note(text, 0.0, 1.0, yanchor="bottom", yshift=6, xshift=8 - LEFT, align="left", size=S.BIG_FONT, color=color),
    ]
    layout["shapes"] = [S.vline(lr, color=color, dash="dot", width=2)]
    if np.isfinite(at_lr):
        name = f"α = {S.fmt_lr(lr)}"
        traces.append(_point(lr, at_lr, name, color, "circle", f"{name}: L = {at_lr:.4g}", size=18))
        notes.append(_label(name, lr, at_lr, color=color, ax=0, ay=-44))
    layout["annotations"] = notes
    return S.make_figure(traces, layout)


# --- the loss surface -------------------------------------------------------------------------------------
def _thin_path(path: np.ndarray, extent: float) -> np.ndarray:
    """Drop moves shorter than extent / PATH_POINTS (the crawl near a minimum); keep every zig-zag, the
    first and the last point."""
    if len(path) <= 2:
        return path
    min_move = extent / PATH_POINTS
    keep, last = [0], path[0]
    for k in range(1, len(path) - 1):
        if np.hypot(*(path[k] - last)) >= min_move:
            keep.append(k)
            last = path[k]
    keep.append(len(path) - 1)
    return path[keep]


def _nice_ticks(lo: float, hi: float) -> list[float]:
    """1, 2, 5 × 10^k between lo and hi (for a colour bar on a log scale)."""
    out = []
    for k in range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1):
        out += [m * 10.0**k for m in (1, 2, 5) if lo <= m * 10.0**k <= hi]
    return out if len(out) >= 2 else [lo, hi]


def _surface_trace(w1: np.ndarray, w2: np.ndarray, loss: np.ndarray) -> dict:
    """Filled contours of the loss, on log-spaced levels when its range is wide (the colour bar reads in
    loss units either way)."""
    finite = loss[np.isfinite(loss)]
    lo, hi = float(finite.min()), float(finite.max())
    log = lo > 0 and hi / lo > LOG_RATIO
    z = np.log10(np.maximum(loss, lo)) if log else loss
    zlo, zhi = (np.log10(lo), np.log10(hi)) if log else (lo, hi)
    size = (zhi - zlo) / LEVELS if zhi > zlo else 1.0
    bar = {
        "thickness": 14,
        "outlinewidth": 0,
        "tickfont": {"size": S.FONT_SIZE},
        "title": {"text": "L", "font": {"size": S.BIG_FONT}},
    }
    trace = {
        "type": "contour",
        "x": S.coords(w1),
        "y": S.coords(w2),
        "z": S.coords(z),
        "autocontour": False,
        "contours": {"start": zlo, "end": zhi, "size": size, "coloring": "fill", "showlines": True},
        "line": {"color": "rgba(0,0,0,0.35)", "width": 1},
        "colorscale": SURFACE_SCALE,
        "colorbar": bar,
        "name": "loss",
        "hovertemplate": "w1 = %{x:.3g}<br>w2 = %{y:.3g}<br>L = %{z:.4g}<extra></extra>",
    }
    if log:
        ticks = _nice_ticks(lo, hi)
        bar.update(tickvals=[float(np.log10(v)) for v in ticks], ticktext=[f"{v:g}" for v in ticks])
        trace["customdata"] = S.f32(loss)
        trace["hovertemplate"] = "w1 = %{x:.3g}<br>w2 = %{y:.3g}<br>L = %{customdata:.4g}<extra></extra>"
    return trace


def _path_traces(path: np.ndarray, extent: float) -> list[dict]:
    """The path (a white halo under a vermillion line), its start and where it is now."""
    shown = _thin_path(path, extent)
    xy = {"x": S.coords(shown[:, 0]), "y": S.coords(shown[:, 1])}
    halo = {"type": "scatter", "mode": "lines", "line": {"color": "#FFFFFF", "width": 5}, "hoverinfo": "skip", **xy}
    walk = {
        "type": "scatter",
        "mode": "lines+markers",
        "name": "gradient descent",
        "line": {"color": PATH_COLOR, "width": 2.5},
        "marker": {"size": 5, "color": PATH_COLOR},
        "hovertemplate": "w1 = %{x:.3g}<br>w2 = %{y:.3g}<extra>path</extra>",
        **xy,
    }
    (x0, y0), (x1, y1) = path[0], path[-1]
    start = _point(float(x0), float(y0), "start", "#FFFFFF", "circle", "start", size=16)
    start["marker"]["line"] = {"color": "#000000", "width": 3}
    now = _point(float(x1), float(y1), "now", "#000000", "star", "now", size=20)
    return [halo, walk, start, now]


def loss_surface_figure(surface: LossSurfaceLike, *, height: int = 460) -> go.Figure:
    """Contours of the loss over (w1, w2) with b held at its current value, and on top the path gradient
    descent took, from its start to now. Equal scales on both axes, so the path crosses the contour
    lines at the angles it really does."""
    w1 = np.asarray(surface.w1, dtype=np.float64).reshape(-1)
    w2 = np.asarray(surface.w2, dtype=np.float64).reshape(-1)
    loss = np.asarray(surface.loss, dtype=np.float64)
    path = np.asarray(surface.path, dtype=np.float64).reshape(-1, 2)
    path = path[np.all(np.isfinite(path), axis=1)]
    xr, yr = [float(w1.min()), float(w1.max())], [float(w2.min()), float(w2.max())]
    layout = _big_layout(
        height,
        f"Loss over (w1, w2), with b fixed at {float(surface.b):.3g}",
        xaxis=_big_axis("w1", range=xr, autorange=False, showgrid=False, constrain="domain"),
        yaxis=_big_axis(
            "w2", range=yr, autorange=False, showgrid=False, scaleanchor="x", scaleratio=1, constrain="domain"
        ),
    )
    if not np.isfinite(loss).any():
        layout["annotations"] = [S.message("no finite loss to draw", size=S.BIG_FONT)]
        return S.make_figure([], layout)
    traces = [_surface_trace(w1, w2, loss)]
    notes = []
    if len(path):
        traces += _path_traces(path, max(xr[1] - xr[0], yr[1] - yr[0]))
        (x0, y0), (x1, y1) = path[0], path[-1]
        away = 1 if x1 >= x0 else -1  # each label on the side away from the other point: arrows never cross
        notes += [
            _label("start", float(x0), float(y0), color="#000000", ax=-36 * away, ay=-30),
            _label("now", float(x1), float(y1), color="#000000", ax=36 * away, ay=-30),
        ]
        outside = (path[:, 0] < xr[0]) | (path[:, 0] > xr[1]) | (path[:, 1] < yr[0]) | (path[:, 1] > yr[1])
        if outside.any():
            notes.append(
                S.note(
                    "the path leaves the plotted area",
                    0.0,
                    0.0,
                    xanchor="left",
                    yanchor="bottom",
                    size=S.FONT_SIZE,
                    color=PATH_COLOR,
                    bgcolor="rgba(255,255,255,0.85)",
                )
            )
    layout["annotations"] = notes
    return S.make_figure(traces, layout)

"""Figures that tell the truth (issue 10) and fit their labels (issue 11 item 7): float64 where float32
would move a position, colours a class can tell apart, the overshoot pictures, shortened long names, and
parameter metadata taken from the model rather than from names."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import pytest
from test_figures import _normalised, arr, make_dataset, synthetic_history, texts, to_dict, traces_of

from scratchnet import LogisticRegression, TwoLayerNet, decision_grid, figures, fit, plane_grid
from scratchnet.data import Dataset
from scratchnet.figures import style as S

LONG_CLASS = "not Grignolino, a red wine from Piedmont"  # 40 characters
LONG_FEATURE = "colour intensity: absorbance at 520 nm.."  # 40 characters


# --- float64 where float32 would move a position -------------------------------------------------------------
def huge_offset_dataset(n: int = 200, seed: int = 0) -> Dataset:
    """One column around 1e8 with spread ~50 (an uploaded timestamp or ID-like measurement)."""
    rng = np.random.default_rng(seed)
    raw = np.column_stack([1e8 + rng.uniform(-25, 25, n), rng.normal(0, 1, n)])
    y = (raw[:, 0] > 1e8).astype(float)
    mean, std = raw[:150].mean(0), raw[:150].std(0)
    X = (raw - mean) / std
    return Dataset(
        name="huge",
        X_train=X[:150],
        y_train=y[:150],
        X_test=X[150:],
        y_test=y[150:],
        feature_names=("timestamp", "noise"),
        label_name="late",
        class_names=("early", "late"),
        mean=mean,
        std=std,
    )


def test_boundary_grid_keeps_full_precision_for_a_column_around_1e8():
    ds = huge_offset_dataset()
    grid = plane_grid(ds.X_train, resolution=40)
    model = LogisticRegression(2)
    fit(model, ds.X_train, ds.y_train, 0.5, 100)
    d = to_dict(figures.boundary_figure(ds, grid, decision_grid(model, grid)))
    x = arr(traces_of(d, "contour")[0]["x"]).astype(np.float64)
    true = grid.u * ds.std[0] + ds.mean[0]
    spread = true.max() - true.min()
    assert np.unique(x).size == 40  # float32 collapses these to 7 distinct values
    np.testing.assert_allclose(x, true, rtol=1e-6, atol=1e-6 * spread)
    for t in traces_of(d, "scatter"):  # the points too: none moved by more than 1e-6 of the spread
        raw = ds.to_original(ds.X_train if t["name"].startswith("train") else ds.X_test)[:, 0]
        assert np.all(np.min(np.abs(arr(t["x"])[:, None] - raw[None, :]), axis=1) <= 1e-6 * spread)
        digits = int(re.search(r"%\{x:\.(\d+)g\}", t["hovertemplate"]).group(1))
        assert f"{1e8 + 0.5:.{digits}g}" != f"{1e8 + 1.0:.{digits}g}"  # the hover tells them apart


def test_coords_is_float32_only_where_exact():
    ordinary = np.linspace(150.0, 190.0, 40)
    assert S.coords(ordinary).dtype == np.float32
    assert S.coords(1e8 + np.linspace(-25, 25, 40)).dtype == np.float64
    assert S.coords(np.array([1e300, -1e300])).dtype == np.float64  # past float32's range: no gap
    out = S.coords(np.array([1.0, np.inf, np.nan, 2.0]))
    assert np.isnan(out[1]) and np.isnan(out[2]) and out.dtype == np.float32
    assert S.coords([]).size == 0
    assert S.hover_format(np.linspace(150, 190, 9)) == ".4g"
    assert S.hover_format(np.array([-1.7e308, 1.7e308])) == ".3g"  # no overflow near the float limit
    assert S.hover_format(np.array([5.0])) == S.hover_format(np.array([np.nan, np.inf])) == ".3g"


def test_grid_axes_go_through_to_original_with_its_overflow_guard():
    """Data near the float limit: x·std + mean overflows to inf, ds.to_original clips and stays finite."""
    big = 1e308
    ds = Dataset(
        name="edge",
        X_train=np.array([[-1.0, 0.0], [1.0, 1.0]]),
        y_train=np.array([0.0, 1.0]),
        X_test=np.zeros((0, 2)),
        y_test=np.zeros(0),
        feature_names=("a", "b"),
        label_name="y",
        class_names=("n", "p"),
        mean=np.array([big, 0.0]),
        std=np.array([big, 1.0]),
    )
    grid = plane_grid(ds.X_train, resolution=5)
    d = to_dict(figures.boundary_figure(ds, grid, np.full((5, 5), 0.5)))
    assert np.all(np.isfinite(arr(traces_of(d, "contour")[0]["x"])))  # was inf → NaN: no boundary drawn
    x, y = S.original_axes(ds, grid)
    np.testing.assert_array_equal(x, ds.to_original(np.column_stack([grid.u, np.zeros(5)]))[:, 0])


# --- learning-rate colours -------------------------------------------------------------------------------------
# Machado, Oliveira & Fernandes (2009), severity 1, applied to linear RGB.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
}


def linear_rgb(color: str) -> np.ndarray:
    if color.startswith("rgb"):
        srgb = np.array([float(v) for v in color[color.index("(") + 1 : -1].split(",")]) / 255
    else:
        srgb = np.array([int(color[k : k + 2], 16) for k in (1, 3, 5)]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(linear: np.ndarray) -> np.ndarray:
    """CIE L*a*b* (D65) of a linear-RGB colour."""
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ np.clip(linear, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def min_delta_e(colors: list[str], vision: list[list[float]] | None = None) -> float:
    labs = [lab(linear_rgb(c) if vision is None else np.array(vision) @ linear_rgb(c)) for c in colors]
    return min(float(np.linalg.norm(a - b)) for a, b in itertools.combinations(labs, 2))


@pytest.mark.parametrize("n", range(2, 9))
def test_lr_colours_are_far_apart_for_every_sweep_up_to_eight(n):
    colors = figures.lr_colors(n)
    assert len(set(colors)) == n
    assert min_delta_e(colors) >= 25  # CIE76 (2.3 is just noticeable); the old Viridis: 15.8 at n = 8
    for name, matrix in CVD.items():
        assert min_delta_e(colors, matrix) >= 15, name
    for c in colors:  # a line on white on a projector: nothing paler than L* 75 (no pale yellow)
        assert lab(linear_rgb(c))[0] <= 75, c


def test_lr_lab_figures_use_the_same_colour_per_rate():
    ds = make_dataset()
    grid = plane_grid(ds.X_train, resolution=20)
    lrs = (0.001, 0.01, 0.1, 1.0, 10.0)
    histories = {lr: synthetic_history(20) for lr in lrs}
    loss = to_dict(figures.lr_lab_loss_figure(histories, {}))
    bounds = to_dict(figures.lr_lab_boundaries_figure(ds, grid, {lr: np.full((20, 20), 0.5) for lr in lrs}, {}))
    assert [t["line"]["color"] for t in loss["data"]] == [s["line"]["color"] for s in bounds["layout"]["shapes"]]


# --- the overshoot pictures ------------------------------------------------------------------------------------
@dataclass
class LineScan:
    t: np.ndarray
    loss: np.ndarray
    lr: float
    loss_at_lr: float
    slope: float


@dataclass
class LossSurface:
    w1: np.ndarray
    w2: np.ndarray
    loss: np.ndarray
    b: float
    path: np.ndarray


def parabola_scan(lr: float, *, g2: float = 1.0, curvature: float = 1.0, loss0: float = 0.7, n: int = 121) -> LineScan:
    """L(t) = loss0 − g2·t + curvature·t²/2: lowest at t* = g2 / curvature, back at loss0 at 2·t*."""

    def f(t):
        return loss0 - g2 * t + curvature * t**2 / 2

    t = np.linspace(0, 3 * lr, n)
    return LineScan(t=t, loss=f(t), lr=lr, loss_at_lr=float(f(lr)), slope=-g2)


def font_sizes(node) -> list[float]:
    """Every font size anywhere in a figure dict (layout, annotations, axes, legend, colour bar)."""
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("font", "tickfont", "textfont") and isinstance(value, dict) and "size" in value:
                out.append(value["size"])
            out += font_sizes(value)
    elif isinstance(node, list):
        for value in node:
            out += font_sizes(value)
    return out


def marker_at(d: dict, name: str) -> tuple[float, float]:
    (trace,) = [t for t in d["data"] if t.get("name") == name and t.get("mode") == "markers"]
    return float(arr(trace["x"])[0]), float(arr(trace["y"])[0])


def test_line_scan_marks_start_alpha_tangent_and_calls_out_an_overshoot():
    scan = parabola_scan(2.5)  # lowest at t = 1, back at the start's height at t = 2: α = 2.5 overshoots
    assert scan.loss_at_lr > scan.loss[0]
    d = to_dict(figures.line_scan_figure(scan))
    assert marker_at(d, "start") == pytest.approx((0.0, 0.7))
    assert marker_at(d, "α = 2.5") == pytest.approx((2.5, scan.loss_at_lr))
    assert marker_at(d, "lowest") == pytest.approx((1.0, 0.2), abs=0.05)
    label = [a for a in d["layout"]["annotations"] if a["text"] == "α = 2.5"][0]
    assert (label["x"], label["y"]) == pytest.approx((2.5, scan.loss_at_lr)) and label["showarrow"]
    (tangent,) = [t for t in d["data"] if t["name"].startswith("slope at the start")]
    tx, ty = arr(tangent["x"]).astype(float), arr(tangent["y"]).astype(float)
    np.testing.assert_allclose(ty, 0.7 - 1.0 * tx, atol=1e-6)  # the straight line L0 + slope·t
    assert 0 < tx.max() <= 1.0  # near t = 0, not across the whole scan
    assert "−1" in tangent["name"]
    (words,) = [t for t in texts(d) if "overshoots" in t]
    assert "far wall" in words and "0.7 at the start" in words and f"{scan.loss_at_lr:.3g} after the step" in words
    assert d["layout"]["shapes"][0]["x0"] == 2.5  # a dotted line at t = α
    assert min(font_sizes(d)) >= 14


@pytest.mark.parametrize(
    ("lr", "words"),
    [
        (0.3, "short of the lowest point on this line"),
        (1.0, "lands near the lowest point on this line"),
        (1.6, "past the lowest point, still below the start"),
    ],
)
def test_line_scan_says_no_overshoot_when_the_step_lands_lower(lr, words):
    scan = parabola_scan(lr, n=301)
    assert scan.loss_at_lr <= scan.loss[0]
    d = to_dict(figures.line_scan_figure(scan))
    assert not any("overshoot" in t for t in texts(d))
    assert any(t.startswith(words) for t in texts(d))
    assert marker_at(d, f"α = {lr:g}") == pytest.approx((lr, scan.loss_at_lr))


def test_line_scan_edge_cases():
    scan = parabola_scan(2.5)
    scan.loss_at_lr = float("inf")  # the step overflowed
    d = to_dict(figures.line_scan_figure(scan))
    assert "α lands where the loss is not finite" in texts(d)
    assert not [t for t in d["data"] if t.get("name", "").startswith("α =")]
    wide = parabola_scan(10.0, g2=1.0, curvature=5.0, loss0=0.5)  # climbs to ~2000: a log axis
    d = to_dict(figures.line_scan_figure(wide))
    assert d["layout"]["yaxis"]["type"] == "log"
    flat = LineScan(np.linspace(0, 1, 5), np.full(5, np.nan), 0.5, float("nan"), 0.0)
    assert "no finite loss along this line" in texts(to_dict(figures.line_scan_figure(flat)))


def bowl(n: int = 41, ratio: float = 4.0) -> LossSurface:
    """A quadratic bowl with its floor at (1, −1), steeper along w2 (gradient descent zig-zags across)."""
    w1, w2 = np.linspace(-3, 3, n), np.linspace(-4, 2, n)
    u, v = np.meshgrid(w1, w2)  # rows follow w2
    loss = 0.1 + 0.5 * (u - 1) ** 2 + 0.5 * ratio * (v + 1) ** 2
    p, path = np.array([-2.5, 1.5]), []
    for _ in range(30):
        path.append(p.copy())
        p = p - 0.45 * np.array([p[0] - 1, ratio * (p[1] + 1)])
    return LossSurface(w1=w1, w2=w2, loss=loss, b=0.25, path=np.array(path))


def test_loss_surface_contours_path_start_and_now():
    s = bowl()
    d = to_dict(figures.loss_surface_figure(s))
    (c,) = traces_of(d, "contour")
    np.testing.assert_allclose(arr(c["x"]), s.w1, rtol=1e-6)
    np.testing.assert_allclose(arr(c["y"]), s.w2, rtol=1e-6)
    assert "b fixed at 0.25" in d["layout"]["title"]["text"]
    (walk,) = [t for t in d["data"] if t.get("name") == "gradient descent"]
    xy = np.column_stack([arr(walk["x"]), arr(walk["y"])]).astype(float)
    np.testing.assert_allclose(xy[:10], s.path[:10], atol=1e-6)  # the zig-zag, point for point
    assert all(np.any(np.all(np.abs(s.path - p) < 1e-6, axis=1)) for p in xy)  # only points it visited
    assert marker_at(d, "start") == pytest.approx(tuple(s.path[0]))
    assert marker_at(d, "now") == pytest.approx(tuple(s.path[-1]))
    assert {"start", "now"} <= set(texts(d))
    assert d["layout"]["yaxis"]["scaleanchor"] == "x"  # equal scales: the path meets contours at true angles
    assert not any("leaves the plotted area" in t for t in texts(d))
    assert min(font_sizes(d)) >= 14


def test_loss_surface_levels_are_log_spaced_when_the_range_is_wide():
    s = bowl()
    wide = to_dict(figures.loss_surface_figure(s))  # 0.1 … ~40: wide
    (c,) = traces_of(wide, "contour")
    np.testing.assert_allclose(arr(c["z"]), np.log10(s.loss), atol=1e-5)
    assert c["contours"]["start"] == pytest.approx(np.log10(s.loss.min()))
    assert c["contours"]["end"] == pytest.approx(np.log10(s.loss.max()))
    ticks = c["colorbar"]["ticktext"]
    assert "1" in ticks and "10" in ticks  # the colour bar reads in loss units
    np.testing.assert_allclose(arr(c["customdata"]), s.loss, rtol=1e-6)  # the hover, too
    narrow = LossSurface(s.w1, s.w2, 1.0 + s.loss / 100, s.b, s.path)  # 1.001 … 1.4: linear
    (c,) = traces_of(to_dict(figures.loss_surface_figure(narrow)), "contour")
    np.testing.assert_allclose(arr(c["z"]), narrow.loss, rtol=1e-6)
    assert c["contours"]["size"] == pytest.approx((narrow.loss.max() - narrow.loss.min()) / 14)
    assert "customdata" not in c


def test_loss_surface_says_when_the_path_leaves_it_and_thins_a_long_crawl():
    s = bowl()
    out = LossSurface(s.w1, s.w2, s.loss, s.b, np.vstack([[[9.0, 9.0]], s.path]))
    assert any("leaves the plotted area" in t for t in texts(to_dict(figures.loss_surface_figure(out))))
    crawl = np.vstack([s.path, s.path[-1] + np.linspace(0, 1e-4, 5000)[:, None]])  # 5000 tiny steps at the end
    d = to_dict(figures.loss_surface_figure(LossSurface(s.w1, s.w2, s.loss, s.b, crawl)))
    (walk,) = [t for t in d["data"] if t.get("name") == "gradient descent"]
    xy = np.column_stack([arr(walk["x"]), arr(walk["y"])]).astype(float)
    assert len(xy) < 40
    np.testing.assert_allclose(xy[:10], s.path[:10], atol=1e-6)  # every zig-zag kept
    moves = np.hypot(*np.diff(xy[:-1], axis=0).T)
    assert moves.min() >= 6 / 400  # what was dropped: moves below 1/400 of the plotted extent
    assert marker_at(d, "now") == pytest.approx(tuple(crawl[-1]))


# --- long names ------------------------------------------------------------------------------------------------
def long_names_dataset(d: int = 2) -> Dataset:
    base = make_dataset(d=d)
    return Dataset(
        name="wine",
        X_train=base.X_train,
        y_train=base.y_train,
        X_test=base.X_test,
        y_test=base.y_test,
        feature_names=(LONG_FEATURE, LONG_FEATURE[:-2] + "!!", *base.feature_names[2:]),
        label_name="cultivar",
        class_names=(LONG_CLASS, LONG_CLASS[:-8] + "Barolo.."),  # the same first 32 characters
        mean=base.mean,
        std=base.std,
    )


def test_long_class_and_feature_names_are_shortened_with_the_full_name_in_the_hover():
    ds = long_names_dataset()
    assert len(LONG_CLASS) == 40 == len(LONG_FEATURE)
    d = to_dict(figures.data_figure(ds))
    names = [t["name"] for t in d["data"]]
    assert len(set(names)) == 4  # still tells the two classes apart
    for t in d["data"]:
        assert len(t["name"]) <= len("train · ") + S.CLASS_LIMIT
        split = t["name"].split(" · ")[0]
        full = ds.class_names[0] if t["marker"]["symbol"] == S.CLASS_SYMBOLS[0] else ds.class_names[1]
        assert t["hovertemplate"].startswith(f"{split} · {full}<br>{LONG_FEATURE} = ")
        assert t["legendgroup"] == split  # the legend: a column per split
    legend = d["layout"]["legend"]
    assert "entrywidth" not in legend  # each entry as wide as its text: plotly never overlaps them
    assert legend["traceorder"] == "grouped"
    xtitle, ytitle = d["layout"]["xaxis"]["title"]["text"], d["layout"]["yaxis"]["title"]["text"]
    assert len(xtitle) <= S.FEATURE_LIMIT and len(ytitle) <= S.FEATURE_LIMIT and xtitle != ytitle


def test_gradient_rows_show_short_names_and_hover_the_full_ones():
    ds = long_names_dataset()
    model = TwoLayerNet(2, 4)
    history = fit(model, ds.X_train, ds.y_train, 0.1, 10)
    grads = model.gradients(ds.X_train, ds.y_train)
    d = to_dict(figures.gradient_figure(history, grads, params=model.param_info, input_names=ds.feature_names))
    heat = traces_of(d, "heatmap")[0]
    assert heat["y"][:2] == [f"dW1 · {ds.feature_names[0]}", f"dW1 · {ds.feature_names[1]}"]  # hover: %{y}
    yaxis = d["layout"]["yaxis2"]
    assert yaxis["tickvals"] == heat["y"]
    ticks = yaxis["ticktext"]
    assert all(len(t) <= len("dW1 · ") + 12 for t in ticks) and len(set(ticks)) == len(ticks)
    lr = LogisticRegression(2)
    d = to_dict(
        figures.gradient_figure(
            history, lr.gradients(ds.X_train, ds.y_train), params=lr.param_info, input_names=ds.feature_names
        )
    )
    heat, xaxis = traces_of(d, "heatmap")[0], d["layout"]["xaxis2"]
    assert heat["x"] == [*ds.feature_names, "db"] == xaxis["tickvals"]
    assert all(len(t.replace("<br>", " ")) <= 12 for t in xaxis["ticktext"])


# --- parameter metadata from the model, not from names ------------------------------------------------------
@dataclass(frozen=True)
class Info:
    name: str
    layer: int
    is_bias: bool

    @property
    def grad_name(self) -> str:
        return "d" + self.name


def test_gradient_figure_reads_layer_and_bias_from_param_info():
    """Names that break every old pattern: layer 2 not ending in '2', a bias not starting with 'b'."""
    params = (Info("A", 1, False), Info("offset", 1, True), Info("V", 2, False), Info("c", 2, True))
    h = synthetic_history(50, param_names=[p.name for p in params])
    rng = np.random.default_rng(0)
    grads = {"A": rng.normal(size=(3, 2)), "offset": rng.normal(size=3), "V": rng.normal(size=3), "c": np.array(0.5)}
    d = to_dict(figures.gradient_figure(h, grads, params=params, input_names=["p", "q"]))
    lines = {t["name"]: t["line"] for t in traces_of(d, "scatter")}
    assert lines["‖dA‖"]["color"] == lines["‖doffset‖"]["color"] == S.LAYER_COLORS[1]
    assert lines["‖dV‖"]["color"] == lines["‖dc‖"]["color"] == S.LAYER_COLORS[2]
    assert lines["‖doffset‖"]["dash"] == lines["‖dc‖"]["dash"] == "dot"
    assert lines["‖dA‖"]["dash"] == lines["‖dV‖"]["dash"] == "solid"
    heat = traces_of(d, "heatmap")[0]
    assert heat["y"] == ["dA · p", "dA · q", "doffset", "dV"]  # per hidden unit; the output bias goes up top
    assert any("|dc| = 5.0e-1" in t for t in texts(d))
    # a layer-1 weight vector (no hidden layer): one cell per input, then the bias
    lr_params = (Info("theta", 1, False), Info("k", 1, True))
    d = to_dict(
        figures.gradient_figure(h, {"theta": np.ones(2), "k": np.array(2.0)}, params=lr_params, input_names=["p", "q"])
    )
    assert traces_of(d, "heatmap")[0]["x"] == ["p", "q", "dk"]


# --- every new figure passes plotly's full validation ----------------------------------------------------------
def test_new_and_changed_figures_pass_plotly_validation():
    ds = long_names_dataset(d=5)
    grid = plane_grid(ds.X_train, resolution=20)
    scan = parabola_scan(2.5)
    infinite = parabola_scan(2.5)
    infinite.loss_at_lr = float("inf")
    s = bowl()
    figs = {
        "scan": figures.line_scan_figure(scan),
        "scan_inf": figures.line_scan_figure(infinite),
        "scan_log": figures.line_scan_figure(parabola_scan(10.0, curvature=5.0, loss0=0.5)),
        "surface": figures.loss_surface_figure(s),
        "surface_linear": figures.loss_surface_figure(LossSurface(s.w1, s.w2, 1 + s.loss / 100, s.b, s.path[:1])),
        "data": figures.data_figure(ds),
        "boundary": figures.boundary_figure(ds, grid, np.full((20, 20), 0.5), title="t"),
        "lab": figures.lr_lab_boundaries_figure(ds, grid, {0.1: np.full((20, 20), 0.5)}, {0.1: "good"}),
    }
    for name, fig in figs.items():
        validated = go.Figure(fig.to_dict())  # raises on any unknown property or bad value
        fast, slow = to_dict(fig), to_dict(validated)
        named = {k for k, t in enumerate(fast["data"]) if isinstance(t.get("colorscale"), str)}
        assert _normalised(fast, named) == _normalised(slow, named), name

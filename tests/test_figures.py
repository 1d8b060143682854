"""The figure builders: what ends up in the JSON the browser receives (traces, names, units, sizes).

Figures are checked through plotly.io.to_json(fig, validate=False) — the exact string Streamlit sends —
decoded back, typed arrays included.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from scratchnet import (
    LogisticRegression,
    TwoLayerNet,
    decision_grid,
    figures,
    fit,
    hidden_unit_grids,
    lr_verdict,
    plane_grid,
)
from scratchnet.data import Dataset
from scratchnet.figures import style as S
from scratchnet.figures.plane import P_SCALE
from scratchnet.training import History

NET_NORMS = ["‖dW1‖", "‖db1‖", "‖dw2‖", "‖db2‖"]
BOUNDARY_KB, CURVE_KB = 25, 20


# --- helpers ---------------------------------------------------------------------------------------------
def make_dataset(
    n_train: int = 150, n_test: int = 50, d: int = 2, seed: int = 0, minority: float = 0.5
) -> Dataset:
    """Two noisy moons in the first two columns (extra columns are noise), in made-up original units."""
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    y = (rng.random(n) < minority).astype(float)
    t = rng.uniform(0, np.pi, n)
    X = np.zeros((n, d))
    X[:, 0] = np.where(y == 0, np.cos(t), 1 - np.cos(t)) + rng.normal(0, 0.1, n)
    X[:, 1] = np.where(y == 0, np.sin(t), 0.5 - np.sin(t)) + rng.normal(0, 0.1, n)
    if d > 2:
        X[:, 2:] = rng.normal(size=(n, d - 2))
    X = (X - X[:n_train].mean(0)) / X[:n_train].std(0)
    mean = np.array([170.0, 65.0, 1.0, -3.0, 0.0][:d] + [0.0] * max(0, d - 5))
    std = np.array([10.0, 12.0, 0.5, 2.0, 1.0][:d] + [1.0] * max(0, d - 5))
    names = ("height (cm)", "weight (kg)", "age", "score", "z")[:d] + tuple(f"f{k}" for k in range(5, d))
    return Dataset(
        name="moons",
        X_train=X[:n_train],
        y_train=y[:n_train],
        X_test=X[n_train:],
        y_test=y[n_train:],
        feature_names=names,
        label_name="kind",
        class_names=("benign", "malignant"),
        mean=mean,
        std=std,
    )


def to_dict(fig: go.Figure) -> dict:
    return json.loads(pio.to_json(fig, validate=False))


def kb(fig: go.Figure) -> float:
    return len(pio.to_json(fig, validate=False)) / 1024


def arr(value) -> np.ndarray:
    """A JSON array or plotly base64 typed array → numpy."""
    if isinstance(value, dict) and "bdata" in value:
        out = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            out = out.reshape([int(s) for s in str(value["shape"]).split(",")])
        return out
    return np.asarray(value)


def traces_of(d: dict, kind: str) -> list[dict]:
    return [t for t in d["data"] if t.get("type") == kind]


def texts(d: dict) -> list[str]:
    return [a.get("text", "") for a in d["layout"].get("annotations", [])]


def synthetic_history(
    n: int,
    *,
    param_names=("W1", "b1", "w2", "b2"),
    diverged_at: int | None = None,
    test: bool = True,
    zigzag: bool = False,
) -> History:
    """A History with known columns (fast, and with divergence / NaN where a test wants them)."""
    h = History(tuple(param_names))
    it = np.arange(n)
    loss = 0.7 * np.exp(-it / 200) + 0.05
    if zigzag:
        loss = loss + 0.2 * (it % 2)
    h.columns["iteration"] = list(it)
    h.columns["lr"] = [0.1] * n
    h.columns["train_loss"] = list(loss)
    h.columns["test_loss"] = list(loss + 0.02) if test else [np.nan] * n
    h.columns["train_acc"] = [0.9] * n
    h.columns["test_acc"] = [0.85] * n if test else [np.nan] * n
    for k, name in enumerate(param_names):
        h.columns[f"grad_norm_{name}"] = list(0.1 / (k + 1) * np.exp(-it / 300))
    h.diverged_at = diverged_at
    return h


def net_grads(net: TwoLayerNet, ds: Dataset) -> dict[str, np.ndarray]:
    _, cache = net.forward(ds.X_train)
    return net.backward(cache, ds.y_train)


# --- fixtures: small real models ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ds() -> Dataset:
    return make_dataset()


@pytest.fixture(scope="module")
def grid(ds):
    return plane_grid(np.vstack([ds.X_train, ds.X_test]), resolution=40)


@pytest.fixture(scope="module")
def logreg(ds):
    model = LogisticRegression(2, seed=0)
    history = fit(model, ds.X_train, ds.y_train, 0.5, 1000, X_test=ds.X_test, y_test=ds.y_test)
    return model, history


@pytest.fixture(scope="module")
def net(ds):
    model = TwoLayerNet(2, 8, "relu", seed=0)
    history = fit(model, ds.X_train, ds.y_train, 0.3, 1000, X_test=ds.X_test, y_test=ds.y_test)
    return model, history


@pytest.fixture(scope="module")
def diverged(ds):
    # a true divergence (non-finite numbers): λ·α > 2 makes the weights flip sign and grow until they overflow
    model = TwoLayerNet(2, 8, "relu", l2=1.0, seed=0)
    history = fit(model, ds.X_train, ds.y_train, 30.0, 200, X_test=ds.X_test, y_test=ds.y_test)
    assert history.diverged_at is not None
    return model, history


# --- decimate ---------------------------------------------------------------------------------------------
def test_decimate_short_series_is_untouched():
    assert figures.decimate(5, 300).tolist() == [0, 1, 2, 3, 4]
    assert figures.decimate(0, 300).size == 0
    assert figures.decimate(1, 300).tolist() == [0]


@pytest.mark.parametrize("n", [301, 1000, 10_007])
@pytest.mark.parametrize("with_values", [False, True])
def test_decimate_keeps_first_last_and_requested(n, with_values):
    values = np.sin(np.arange(n)) if with_values else None
    idx = figures.decimate(n, 300, keep=(n // 3,), values=values)
    assert idx.size <= 300
    assert idx[0] == 0 and idx[-1] == n - 1 and n // 3 in idx
    assert np.all(np.diff(idx) > 0)


def test_decimate_with_values_keeps_the_zigzag():
    n = 1000
    values = 1.0 + (np.arange(n) % 2)  # 1, 2, 1, 2 ...: stride sampling of an even step would see one level
    idx = figures.decimate(n, 100, values=values)
    assert set(values[idx]) == {1.0, 2.0}
    assert values[figures.decimate(n, 100, values=values)].std() > 0.4


def test_decimate_ignores_non_finite_values():
    values = np.ones(1000)
    values[500:] = np.nan
    idx = figures.decimate(1000, 50, values=values)
    assert idx.size <= 50 and idx[0] == 0 and idx[-1] == 999


# --- data and boundary --------------------------------------------------------------------------------------
def test_data_figure_traces_names_and_original_units(ds):
    d = to_dict(figures.data_figure(ds))
    names = [t["name"] for t in d["data"]]
    assert names == ["train · benign", "train · malignant", "test · benign", "test · malignant"]
    train0 = d["data"][0]
    raw = ds.to_original(ds.X_train[ds.y_train == 0])
    np.testing.assert_allclose(np.sort(arr(train0["x"])), np.sort(raw[:, 0]), rtol=1e-5)
    np.testing.assert_allclose(np.sort(arr(train0["y"])), np.sort(raw[:, 1]), rtol=1e-5)
    assert d["layout"]["xaxis"]["title"]["text"] == "height (cm)"
    assert d["layout"]["yaxis"]["title"]["text"] == "weight (kg)"
    assert arr(train0["x"]).dtype == np.float32


def test_markers_are_colour_blind_safe(ds):
    d = to_dict(figures.data_figure(ds))
    by_name = {t["name"]: t["marker"] for t in d["data"]}
    for c, cls in enumerate(ds.class_names):
        train, test = by_name[f"train · {cls}"], by_name[f"test · {cls}"]
        assert train["color"] == figures.CLASS_COLORS[c]  # filled in the class colour
        assert test["color"] == "#FFFFFF" and test["line"]["width"] >= 1.5  # open, with an outline
        assert train["symbol"] == test["symbol"] == figures.CLASS_SYMBOLS[c]
    assert figures.CLASS_SYMBOLS[0] != figures.CLASS_SYMBOLS[1]
    # the probability scale runs from (a tint of) class 0's colour through white to class 1's
    scale = figures.BOUNDARY_SCALE
    assert scale[0][1] == S.tint(figures.CLASS_COLORS[0], S.BOUNDARY_TINT)
    assert scale[-1][1] == S.tint(figures.CLASS_COLORS[1], S.BOUNDARY_TINT)
    assert scale[1] == [0.5, "#FFFFFF"]


def test_boundary_is_one_contour_with_a_single_line_at_one_half(ds, grid, net):
    model, _ = net
    proba = decision_grid(model, grid)
    fig = figures.boundary_figure(ds, grid, proba, title="Decision boundary")
    d = to_dict(fig)
    assert len(traces_of(d, "contour")) == 1 and not traces_of(d, "heatmap")
    c = traces_of(d, "contour")[0]
    assert c["contours"]["coloring"] == "heatmap" and c["contours"]["showlines"] is True
    assert c["contours"]["start"] == c["contours"]["end"] == P_SCALE / 2
    assert c["autocontour"] is False
    assert (c["zmin"], c["zmax"]) == (0, P_SCALE)
    z = arr(c["z"])
    assert z.shape == (40, 40)
    np.testing.assert_allclose(z / P_SCALE, proba, atol=1e-4)  # rows follow v, columns follow u
    # the axes are in original units
    i, j = grid.axes
    np.testing.assert_allclose(arr(c["x"]), grid.u * ds.std[i] + ds.mean[i], rtol=1e-5)
    np.testing.assert_allclose(arr(c["y"]), grid.v * ds.std[j] + ds.mean[j], rtol=1e-5)
    xr, yr = d["layout"]["xaxis"]["range"], d["layout"]["yaxis"]["range"]
    np.testing.assert_allclose(xr, [grid.u[0] * ds.std[i] + ds.mean[i], grid.u[-1] * ds.std[i] + ds.mean[i]])
    np.testing.assert_allclose(yr, [grid.v[0] * ds.std[j] + ds.mean[j], grid.v[-1] * ds.std[j] + ds.mean[j]])
    assert xr[0] > 100  # height in cm, not standardised units
    assert d["layout"]["title"]["text"] == "Decision boundary"
    assert [t["name"] for t in traces_of(d, "scatter")] == [
        "train · benign",
        "train · malignant",
        "test · benign",
        "test · malignant",
    ]
    assert not any("held at their mean" in t for t in texts(d))


def test_boundary_json_is_small_and_has_no_plotly_template(ds, grid, net):
    model, _ = net
    fig = figures.boundary_figure(ds, grid, decision_grid(model, grid))
    assert ds.n_train + ds.n_test == 200
    assert kb(fig) < BOUNDARY_KB
    template = to_dict(fig)["layout"].get("template", {})
    assert not template.get("data") and not template.get("layout")
    assert len(json.dumps(template)) < 100


def test_boundary_notes_the_other_features_held_at_mean(grid):
    ds5 = make_dataset(d=5)
    grid5 = plane_grid(ds5.X_train, resolution=30)
    model = LogisticRegression(5)
    fit(model, ds5.X_train, ds5.y_train, 0.5, 50)
    d = to_dict(figures.boundary_figure(ds5, grid5, decision_grid(model, grid5)))
    assert any("3 other features held at their mean" in t for t in texts(d))
    assert "showing 2 of 5 features" in " ".join(texts(to_dict(figures.data_figure(ds5))))


def test_boundary_caps_points_without_dropping_a_class(grid):
    ds = make_dataset(n_train=5000, n_test=1000, minority=0.004)  # ~20 minority training points
    fig = figures.boundary_figure(ds, plane_grid(ds.X_train), np.full((40, 40), 0.5), max_points=300)
    d = to_dict(fig)
    scatters = traces_of(d, "scatter")
    assert [t["name"] for t in scatters] == [
        "train · benign",
        "train · malignant",
        "test · benign",
        "test · malignant",
    ]
    counts = [arr(t["x"]).size for t in scatters]
    assert sum(counts) <= 300 and min(counts) >= 1
    # the subset is seeded: the same points in every frame of a live run
    again = to_dict(
        figures.boundary_figure(ds, plane_grid(ds.X_train), np.full((40, 40), 0.3), max_points=300)
    )
    np.testing.assert_array_equal(arr(scatters[0]["x"]), arr(traces_of(again, "scatter")[0]["x"]))


def test_boundary_edge_cases(ds, grid):
    empty_test = Dataset(
        name="no test",
        X_train=ds.X_train,
        y_train=ds.y_train,
        X_test=np.zeros((0, 2)),
        y_test=np.zeros(0),
        feature_names=ds.feature_names,
        label_name="kind",
        class_names=ds.class_names,
        mean=ds.mean,
        std=ds.std,
    )
    exact = np.zeros((40, 40))
    exact[:, 20:] = 1.0  # probabilities exactly 0 and 1
    d = to_dict(figures.boundary_figure(empty_test, grid, exact))
    assert [t["name"] for t in traces_of(d, "scatter")] == ["train · benign", "train · malignant"]
    z = arr(traces_of(d, "contour")[0]["z"])
    assert z.min() == 0 and z.max() == P_SCALE
    d = to_dict(figures.boundary_figure(ds, grid, np.full((40, 40), np.nan)))
    assert any("not finite" in t for t in texts(d))
    d = to_dict(figures.data_figure(empty_test))
    assert len(d["data"]) == 2


# --- loss ---------------------------------------------------------------------------------------------------
def test_loss_figure_train_and_test(logreg):
    _, history = logreg
    d = to_dict(figures.loss_figure(history))
    train, test = d["data"]
    assert (train["name"], test["name"]) == ("train", "test")
    assert test["line"]["dash"] == "dash" and train["line"].get("dash") in (None, "solid")
    x = arr(train["x"])
    assert x.size <= 300 and x[0] == 0 and x[-1] == len(history) - 1
    np.testing.assert_allclose(arr(train["y"])[0], history.columns["train_loss"][0], rtol=1e-6)
    assert d["layout"]["yaxis"]["type"] == "linear"
    assert not d["layout"].get("shapes")
    assert kb(figures.loss_figure(history)) < CURVE_KB


def test_loss_figure_empty_history_says_press_play():
    for log_y in (False, True):
        d = to_dict(figures.loss_figure(History(("w", "b")), log_y=log_y))
        assert d["data"] == []
        assert "press Play to train" in texts(d)


def test_loss_figure_skips_an_all_nan_test_curve():
    d = to_dict(figures.loss_figure(synthetic_history(50, test=False)))
    assert [t["name"] for t in d["data"]] == ["train"]
    h = synthetic_history(50)
    h.columns["test_loss"][10:20] = [np.nan] * 10  # some NaN: the curve stays, with a gap
    d = to_dict(figures.loss_figure(h))
    assert [t["name"] for t in d["data"]] == ["train", "test"]
    assert np.isnan(arr(d["data"][1]["y"])).sum() == 10


def test_loss_figure_marker_and_divergence():
    h = synthetic_history(1000, diverged_at=537, zigzag=True)
    d = to_dict(figures.loss_figure(h, marker=250, log_y=True))
    assert d["layout"]["yaxis"]["type"] == "log"
    for t in d["data"]:  # decimation kept the first, the last and the divergence point
        x = arr(t["x"])
        assert x.size <= 300 and x[0] == 0 and x[-1] == 999 and 537 in x
        assert np.all(arr(t["y"]) > 0)
    shapes = d["layout"]["shapes"]
    assert {s["x0"] for s in shapes} == {250, 537}
    red = [s for s in shapes if s["x0"] == 537][0]
    assert red["line"]["color"] == S.DIVERGED_COLOR
    assert "diverged at iteration 537" in texts(d)


def test_loss_figure_real_divergence_and_log_floor(diverged):
    _, history = diverged
    d = to_dict(figures.loss_figure(history, log_y=True))
    assert f"diverged at iteration {history.diverged_at}" in texts(d)
    assert history.diverged_at in arr(d["data"][0]["x"])
    h = synthetic_history(10)
    h.columns["train_loss"][3] = 0.0  # a zero loss must not break the log axis
    y = arr(to_dict(figures.loss_figure(h, log_y=True))["data"][0]["y"])
    assert np.all(y > 0)


# --- gradients ----------------------------------------------------------------------------------------------
def test_gradient_figure_net(ds, net):
    model, history = net
    grads = net_grads(model, ds)
    fig = figures.gradient_figure(
        history, grads, params=model.param_info, input_names=["height (cm)", "weight (kg)"]
    )
    d = to_dict(fig)
    lines = traces_of(d, "scatter")
    assert [t["name"] for t in lines] == NET_NORMS
    assert d["layout"]["yaxis"]["type"] == "log"
    for t in lines:
        x, y = arr(t["x"]), arr(t["y"])
        assert x.size <= 300 and x[0] == 0 and x[-1] == len(history) - 1 and np.all(y > 0)
    heat = traces_of(d, "heatmap")[0]
    assert heat["y"] == ["dW1 · height (cm)", "dW1 · weight (kg)", "db1", "dw2"]
    assert arr(heat["x"]).tolist() == list(range(1, 9))
    z = arr(heat["z"])
    assert z.shape == (4, 8)
    expected = np.clip(np.log10(np.maximum(np.abs(grads["W1"][:, 0]), 1e-6)), -6, 1)
    np.testing.assert_allclose(z[0], expected, atol=1e-5)
    np.testing.assert_allclose(
        z[3], np.clip(np.log10(np.maximum(np.abs(grads["w2"]), 1e-6)), -6, 1), atol=1e-5
    )
    assert (heat["zmin"], heat["zmax"]) == (-6, 1)
    assert heat["colorbar"]["ticktext"] == ["10⁻⁶", "10⁻⁴", "10⁻²", "1"]
    assert "text" not in heat  # 8 units: no per-cell numbers (too narrow at 330 px)
    title = [t for t in texts(d) if t.startswith("|g| at iteration")][0]
    assert f"iteration {len(history) - 1}" in title and "|db2| = " in title
    assert kb(fig) < CURVE_KB


def test_gradient_figure_logistic_regression(ds, logreg):
    model, history = logreg
    _, cache = model.forward(ds.X_train)
    grads = model.backward(cache, ds.y_train)
    fig = figures.gradient_figure(
        history, grads, params=model.param_info, input_names=["height (cm)", "weight (kg)"], marker=400
    )
    d = to_dict(fig)
    assert [t["name"] for t in traces_of(d, "scatter")] == ["‖dw‖", "‖db‖"]
    heat = traces_of(d, "heatmap")[0]
    assert heat["x"][-1] == "db" and len(heat["x"]) == 3
    assert arr(heat["z"]).shape == (1, 3)
    assert "text" in heat  # few cells: the numbers are printed
    assert any(t.startswith("|g| at iteration 400") for t in texts(d))
    assert 400 in [s["x0"] for s in d["layout"]["shapes"]]
    assert kb(fig) < CURVE_KB


def test_gradient_figure_wide_and_single_unit(ds):
    model = TwoLayerNet(2, 64, "tanh")
    history = fit(model, ds.X_train, ds.y_train, 0.3, 1000)
    fig = figures.gradient_figure(history, net_grads(model, ds), params=model.param_info, input_names=["a", "b"])
    heat = traces_of(to_dict(fig), "heatmap")[0]
    assert arr(heat["z"]).shape == (4, 64) and "text" not in heat
    assert kb(fig) < CURVE_KB
    one = TwoLayerNet(2, 1)
    h1 = fit(one, ds.X_train, ds.y_train, 0.3, 20)
    fig = figures.gradient_figure(h1, net_grads(one, ds), params=one.param_info, input_names=["a", "b"])
    heat = traces_of(to_dict(fig), "heatmap")[0]
    assert arr(heat["z"]).shape == (4, 1)


def test_gradient_figure_many_inputs_stay_readable():
    ds8 = make_dataset(d=8)
    model = TwoLayerNet(8, 4)
    history = fit(model, ds8.X_train, ds8.y_train, 0.1, 30)
    grads = net_grads(model, ds8)
    fig = figures.gradient_figure(history, grads, params=model.param_info, input_names=list(ds8.feature_names))
    d = to_dict(fig)
    labels = traces_of(d, "heatmap")[0]["y"]
    assert len(labels) <= 8 and labels[-2:] == ["db1", "dw2"] and "8 inputs" in labels[0]


def test_gradient_figure_zero_norms_empty_history_and_no_grads(ds, diverged):
    h = synthetic_history(100)
    h.columns["grad_norm_b2"] = [0.0] * 100  # zero norms: clipped to the floor, never -inf on a log axis
    d = to_dict(figures.gradient_figure(h, None, params=TwoLayerNet.param_info, input_names=["a", "b"]))
    assert np.all(arr(traces_of(d, "scatter")[3]["y"]) > 0)
    assert "no gradients yet" in texts(d)
    model = TwoLayerNet(2, 8)
    d = to_dict(
        figures.gradient_figure(
            History(tuple(model.params)), net_grads(model, ds), params=model.param_info, input_names=["a", "b"]
        )
    )
    assert "press Play to train" in texts(d)
    assert any(t.startswith("|g| at the start") for t in texts(d))
    model, history = diverged
    grads = {k: np.full_like(np.asarray(v), np.inf) for k, v in net_grads(model, ds).items()}
    d = to_dict(figures.gradient_figure(history, grads, params=model.param_info, input_names=["a", "b"]))
    assert f"diverged at iteration {history.diverged_at}" in texts(d)
    assert np.all(arr(traces_of(d, "heatmap")[0]["z"]) == 1)  # infinite gradients saturate the scale


# --- hidden units -----------------------------------------------------------------------------------------
def test_hidden_units_small_multiples(ds):
    grid = plane_grid(ds.X_train, resolution=24)
    model = TwoLayerNet(2, 8, "tanh")
    fit(model, ds.X_train, ds.y_train, 0.3, 100)
    grids = hidden_unit_grids(model, grid)
    d = to_dict(figures.hidden_units_figure(ds, grid, grids, w2=model.params["w2"]))
    heats = traces_of(d, "heatmap")
    assert len(heats) == 8 and not traces_of(d, "scatter")
    labels = texts(d)
    for k in range(8):
        assert f"unit {k + 1}" in labels[k] and f"w2 = {model.params['w2'][k]:+.2f}" in labels[k]
    # a unit voting for class 0 (w2 < 0) is drawn with its sign flipped onto the class-0 side of the scale
    k = int(np.argmin(model.params["w2"]))
    z = arr(heats[k]["z"]).astype(float)
    peak = np.abs(grids[k]).max()
    np.testing.assert_allclose(z, np.round(-grids[k] / peak * 100), atol=1)
    assert d["layout"]["coloraxis"]["colorscale"] == figures.BOUNDARY_SCALE
    d = to_dict(figures.hidden_units_figure(ds, grid, grids))
    assert not any("w2" in t for t in texts(d))


def test_hidden_units_one_and_sixty_four(ds):
    grid = plane_grid(ds.X_train, resolution=40)
    one = TwoLayerNet(2, 1)
    d = to_dict(figures.hidden_units_figure(ds, grid, hidden_unit_grids(one, grid), w2=one.params["w2"]))
    assert len(traces_of(d, "heatmap")) == 1 and "unit 1" in texts(d)[0]
    wide = TwoLayerNet(2, 64, "relu")
    fig = figures.hidden_units_figure(ds, grid, hidden_unit_grids(wide, grid), w2=wide.params["w2"])
    d = to_dict(fig)
    assert len(traces_of(d, "heatmap")) == 16
    assert "showing 16 of 64 units" in d["layout"]["title"]["text"]
    assert max(arr(t["z"]).shape[0] for t in traces_of(d, "heatmap")) <= 24  # sent at reduced resolution
    assert kb(fig) < 40


# --- learning-rate lab --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lab(ds, grid):
    histories, verdicts, probas = {}, {}, {}
    for lr in (10.0, 0.001, 0.1, 1e4):  # deliberately unsorted; α = 10⁴ overflows (a true divergence)
        model = TwoLayerNet(2, 8, "relu", seed=0)
        h = fit(model, ds.X_train, ds.y_train, lr, 300)
        histories[lr], probas[lr], verdicts[lr] = h, decision_grid(model, grid), lr_verdict(h)
    return histories, verdicts, probas


def test_lr_lab_loss_figure(lab):
    histories, verdicts, _ = lab
    assert verdicts[1e4] == "diverged" and verdicts[0.1] == "good"
    fig = figures.lr_lab_loss_figure(histories, verdicts)
    d = to_dict(fig)
    lines = [t for t in d["data"] if t["mode"] == "lines"]
    assert [t["name"] for t in lines] == [
        f"lr = 0.001 · {figures.verdict_label(verdicts[0.001])}",
        "lr = 0.1 · just right",
        f"lr = 10 · {figures.verdict_label(verdicts[10.0])}",
        "lr = 10000 · diverged",
    ]
    assert [t["line"]["color"] for t in lines] == figures.lr_colors(4)
    assert len(set(figures.lr_colors(4))) == 4
    assert d["layout"]["yaxis"]["type"] == "log"
    crosses = [t for t in d["data"] if t["mode"] == "markers"]
    assert len(crosses) == 1 and crosses[0]["marker"]["symbol"] == "x"
    h = histories[1e4]
    loss = h.array("train_loss")
    assert crosses[0]["x"] == [h.diverged_at]
    assert crosses[0]["y"][0] == pytest.approx(loss[np.isfinite(loss)][-1])
    assert f"iteration {h.diverged_at}" in crosses[0]["hovertemplate"]
    assert crosses[0]["marker"]["color"] == lines[-1]["line"]["color"]
    assert kb(fig) < 4 * CURVE_KB
    assert to_dict(figures.lr_lab_loss_figure({}, {}))["data"] == []


def test_lr_lab_boundaries_figure(ds, grid, lab):
    _, verdicts, probas = lab
    probas = dict(probas)
    probas[1e4] = np.full((40, 40), np.nan)  # nothing finite to draw
    d = to_dict(figures.lr_lab_boundaries_figure(ds, grid, probas, verdicts))
    assert len(traces_of(d, "contour")) == 4
    labels = texts(d)
    assert "lr = 0.1 — just right" in labels and "lr = 10000 — diverged" in labels
    assert labels.index("lr = 0.001 — " + figures.verdict_label(verdicts[0.001])) < labels.index(
        "lr = 0.1 — just right"
    )
    assert d["layout"]["xaxis"]["range"][0] > 100  # original units


# --- every figure, together ---------------------------------------------------------------------------------
def all_figures(ds, grid, net, logreg, diverged):
    model, history = net
    proba = decision_grid(model, grid)
    ugrid = plane_grid(ds.X_train, resolution=24)
    return {
        "data": figures.data_figure(ds),
        "boundary": figures.boundary_figure(ds, grid, proba, title="t"),
        "loss": figures.loss_figure(history, marker=10, log_y=True),
        "loss_div": figures.loss_figure(diverged[1]),
        "loss_empty": figures.loss_figure(History(("w", "b"))),
        "grad": figures.gradient_figure(
            history, net_grads(model, ds), params=model.param_info, input_names=["a", "b"], marker=5
        ),
        "grad_lr": figures.gradient_figure(
            logreg[1], {"w": np.zeros(2), "b": np.array(0.0)}, params=LogisticRegression.param_info, input_names=["a"]
        ),
        "units": figures.hidden_units_figure(
            ds, ugrid, hidden_unit_grids(model, ugrid), w2=model.params["w2"]
        ),
        "lab_loss": figures.lr_lab_loss_figure(
            {0.1: history, 30.0: diverged[1]}, {0.1: "good", 30.0: "diverged"}
        ),
        "lab_bounds": figures.lr_lab_boundaries_figure(ds, grid, {0.1: proba, 1.0: proba}, {0.1: "good"}),
    }


def _normalised(d: dict, named_scales: set[int]) -> dict:
    """Drop what validation legitimately rewrites: the template, empty lists, named colour scales."""
    d["layout"].pop("template", None)
    for key in ("annotations", "shapes"):
        if not d["layout"].get(key):
            d["layout"].pop(key, None)
    for k in named_scales:
        d["data"][k].pop("colorscale", None)
    return d


def test_every_figure_passes_plotly_validation(ds, grid, net, logreg, diverged):
    """The builders skip plotly's (slow) validation at runtime; here it runs, in full, on each figure."""
    for name, fig in all_figures(ds, grid, net, logreg, diverged).items():
        validated = go.Figure(fig.to_dict())  # raises on any unknown property or bad value
        fast, slow = to_dict(fig), to_dict(validated)
        named = {k for k, t in enumerate(fast["data"]) if isinstance(t.get("colorscale"), str)}
        assert _normalised(fast, named) == _normalised(slow, named), name


def test_live_figures_sizes_and_float32(ds, grid, net, logreg, diverged):
    figs = all_figures(ds, grid, net, logreg, diverged)
    for name in ("boundary",):
        assert kb(figs[name]) < BOUNDARY_KB, name
    for name in ("loss", "loss_div", "loss_empty", "grad", "grad_lr"):
        assert kb(figs[name]) < CURVE_KB, name
    for name, fig in figs.items():  # no float64 typed arrays and no long plain number lists anywhere
        s = pio.to_json(fig, validate=False)
        assert '"dtype":"f8"' not in s, name
        for t in to_dict(fig)["data"]:
            for key in ("x", "y", "z"):
                if isinstance(t.get(key), list):
                    assert len(t[key]) <= 70, (name, key)


def test_figures_never_import_streamlit():
    code = "import sys, scratchnet.figures; sys.exit(1 if 'streamlit' in sys.modules else 0)"
    root = Path(__file__).resolve().parent.parent  # the checkout, whatever directory pytest runs in
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

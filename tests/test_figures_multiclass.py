"""Figures for K ≥ 3 classes: class regions shaded by the winning probability, the legend, the palette, the
gradient panel's per-class rows, the lab's panels. Built from real core results, validated by plotly."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from scratchnet import TwoLayerNet, class_regions, decision_grid, figures, fit, make_model
from scratchnet.data import dataset_from_arrays, synthetic_dataset
from scratchnet.figures import style as S
from scratchnet.figures.plane import region_z
from scratchnet.problem import Problem
from tests.test_figures import arr
from tests.test_figures_fidelity import CVD, lab, linear_rgb, min_delta_e

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}


def trained(kind: str = "blobs3", model: str = "logistic", iters: int = 200):
    problem = Problem(synthetic_dataset(kind, n=150, noise=0.1, seed=0), (kind,))
    net = make_model(model, problem.n_inputs, problem.n_classes, hidden_units=8, seed=0)
    history = fit(net, problem.X_train, problem.y_train, 0.5, iters, X_test=problem.X_test, y_test=problem.y_test)
    return problem, net, history


def traces_of(fig: go.Figure, kind: str) -> list[dict]:
    return [t for t in fig.to_dict()["data"] if t["type"] == kind]


def test_class_colours_are_okabe_ito_and_stay_apart_for_colour_blind_eyes():
    colors = list(S.CLASS_COLORS)
    assert len(colors) == 6 == len(set(colors)) == len(set(S.CLASS_SYMBOLS)) == len(S.CLASS_DARK)
    assert set(colors) <= OKABE_ITO and colors[:2] == ["#0072B2", "#E69F00"]  # two classes look as before
    assert min_delta_e(colors[:4]) >= 25
    for name, matrix in CVD.items():  # 3 and 4 classes (the synthetic sets) stay apart, and shapes differ anyway
        assert min_delta_e(colors[:4], matrix) >= 10, name
    for c in S.CLASS_DARK:
        assert lab(linear_rgb(c))[0] <= 55, c  # a dark rim, readable on the pale region colours


def test_region_scale_runs_white_to_each_class_tint():
    k, levels = 4, S.REGION_LEVELS
    scale = S.region_scale(k)
    stops = [v for v, _ in scale]
    assert stops == sorted(stops) and stops[0] == 0.0 and stops[-1] == 1.0
    for c in range(k):  # z = c·levels is white (cannot choose), z = c·levels + levels − 1 the class's tint (sure)
        assert scale[2 * c] == [c / k, "#FFFFFF"]
        assert scale[2 * c + 1] == [(c * levels + levels - 1) / (k * levels),
                                    S.tint(S.CLASS_COLORS[c], S.BOUNDARY_TINT)]
    assert 6 * levels <= 255  # a byte per cell for up to six classes


def test_regions_follow_the_winning_class_and_its_probability():
    problem, model, _ = trained()
    grid = problem.plane_grid(resolution=30)
    proba = decision_grid(model, grid)
    regions = class_regions(proba)
    winner, confidence = regions.winner, regions.confidence
    fig = figures.regions_figure(problem.view, grid, regions, title="Decision regions")
    heat = traces_of(fig, "heatmap")[0]
    z = arr(heat["z"])
    levels = S.REGION_LEVELS
    assert z.dtype == np.uint8  # a byte per cell
    np.testing.assert_array_equal(z // levels, winner)  # the colour's stretch is the winning class …
    expected = np.clip((confidence - 1 / 3) / (2 / 3), 0, 1) * (levels - 1)
    np.testing.assert_allclose(z % levels, expected, atol=0.5)  # … its depth how sure the model is
    assert heat["zmin"] == 0 and heat["zmax"] == 3 * levels and heat["zsmooth"] is False
    assert len(set(winner.ravel())) == 3  # a trained model on three blobs shows three regions
    borders = traces_of(fig, "contour")
    assert len(borders) == 3 and all(b["contours"]["start"] == b["contours"]["end"] == 0.0 for b in borders)
    # the margins: > 0 exactly inside each class's region
    margin = regions.margin
    for c in range(3):
        np.testing.assert_array_equal(margin[..., c] > 0, (winner == c) & (margin[..., c] != 0))
        np.testing.assert_allclose(arr(borders[c]["z"]), margin[..., c], atol=1e-6)
    # the legend lists every class, train and test
    names = [t["name"] for t in traces_of(fig, "scatter")]
    assert {f"train · {c}" for c in "012"} <= set(names) and {f"test · {c}" for c in "012"} <= set(names)
    symbols = {t["name"]: t["marker"]["symbol"] for t in traces_of(fig, "scatter")}
    assert [symbols[f"train · {c}"] for c in "012"] == list(S.CLASS_SYMBOLS[:3])


def test_regions_legend_shortens_long_class_names_and_hovers_the_full_ones():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 2))
    y = np.repeat([0.0, 1.0, 2.0], 30)
    long = ("Iris setosa from the Gaspé peninsula", "Iris versicolor from the Gaspé peninsula", "virginica")
    ds = dataset_from_arrays(X, y, name="t", class_names=long)
    problem = Problem(ds, ("t",))
    model = TwoLayerNet(2, 4, n_classes=3)
    grid = problem.plane_grid(resolution=12)
    fig = figures.regions_figure(problem.view, grid, class_regions(decision_grid(model, grid)))
    scatter = traces_of(fig, "scatter")
    for t in scatter:
        label = t["name"].split(" · ", 1)[1]
        assert len(label) <= S.CLASS_LIMIT
        full = next(c for c in long if c[:6] == label[:6] and c[-4:] in t["hovertemplate"])
        assert full in t["hovertemplate"]
    assert len({t["name"] for t in scatter}) == 6  # shortened, still told apart


def test_a_non_finite_model_says_so_instead_of_drawing_regions():
    problem, model, _ = trained(iters=1)
    grid = problem.plane_grid(resolution=8)
    regions = class_regions(np.full((8, 8, 3), np.nan))
    assert np.all(regions.winner == 0) and np.all(np.isnan(regions.confidence)) and np.all(np.isnan(regions.margin))
    fig = figures.regions_figure(problem.view, grid, regions)
    assert any("not finite" in a["text"] for a in fig.to_dict()["layout"]["annotations"])
    assert np.all(np.isnan(region_z(regions)))


def test_gradient_panel_shows_w2s_k_rows_named_by_class():
    problem, net, history = trained(kind="spiral3", model="net", iters=20)
    grads = net.gradients(problem.X_train, problem.y_train)
    fig = figures.gradient_figure(history, grads, params=net.param_info, input_names=problem.input_names,
                                  class_names=problem.class_names)
    heat = traces_of(fig, "heatmap")[0]
    assert heat["y"][-3:] == ["dW2 · 0", "dW2 · 1", "dW2 · 2"]
    np.testing.assert_allclose(arr(heat["z"])[-3:], np.log10(np.abs(grads["W2"])), atol=1e-5)
    assert list(arr(heat["x"])) == list(range(1, 9))  # one column per hidden unit, as for two classes
    heading = [a["text"] for a in fig.to_dict()["layout"]["annotations"] if a["text"].startswith("|g| at")][0]
    assert "|db2| = " in heading and heading.count(",") >= 2  # the three output biases' sizes
    norms = {t["name"] for t in traces_of(fig, "scatter")}
    assert {"‖dW2‖", "‖db2‖"} <= norms or {"dW2", "db2"} <= {n.strip("‖") for n in norms}


def test_gradient_panel_for_softmax_regression_has_a_column_per_class():
    problem, model, history = trained(kind="blobs4", model="logistic", iters=10)
    grads = model.gradients(problem.X_train, problem.y_train)
    fig = figures.gradient_figure(history, grads, params=model.param_info, input_names=problem.input_names,
                                  class_names=problem.class_names)
    heat = traces_of(fig, "heatmap")[0]
    assert heat["x"] == ["0", "1", "2", "3"] and heat["y"] == ["dW · x1", "dW · x2", "db"]
    np.testing.assert_allclose(arr(heat["z"])[:2], np.log10(np.abs(grads["W"].T)), atol=1e-5)


def test_lab_panels_draw_regions_for_k_classes():
    problem, model, _ = trained()
    grid = problem.plane_grid(resolution=16)
    regions = class_regions(decision_grid(model, grid))
    fig = figures.lr_lab_boundaries_figure(problem.view, grid, {0.1: regions, 1.0: regions}, {0.1: "slow", 1.0: "good"})
    assert len(traces_of(fig, "heatmap")) == 2 and len(traces_of(fig, "contour")) == 2 * 3


def test_multiclass_figures_pass_plotly_validation():
    problem, net, history = trained(kind="spiral3", model="net", iters=5)
    grid = problem.plane_grid(resolution=10)
    regions = class_regions(decision_grid(net, grid))
    grads = net.gradients(problem.X_train, problem.y_train)
    for fig in (
        figures.regions_figure(problem.view, grid, regions, title="t"),
        figures.data_figure(problem.view),
        figures.gradient_figure(history, grads, params=net.param_info, input_names=problem.input_names,
                                class_names=problem.class_names),
        figures.lr_lab_boundaries_figure(problem.view, grid, {0.1: regions}, {0.1: "slow"}),
    ):
        go.Figure(fig.to_dict())  # full validation: raises on any invalid property

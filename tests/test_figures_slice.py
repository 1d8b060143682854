"""The plane figures over a chosen pair of features, with points faded by their distance from the slice."""

from __future__ import annotations

import numpy as np
from test_figures import arr, make_dataset, texts, to_dict, traces_of

from scratchnet import LogisticRegression, figures
from scratchnet.plane import decision_grid, slice_fade
from scratchnet.problem import Problem


def points_of(d: dict) -> list[dict]:
    return [t for t in traces_of(d, "scatter") if t.get("mode") == "markers"]


def test_boundary_fades_each_point_by_its_distance_from_the_slice():
    ds = make_dataset(d=5)
    problem = Problem(ds, ("test",), axes=(0, 3))
    grid = problem.plane_grid(resolution=20)
    fig = figures.boundary_figure(ds, grid, np.full(grid.shape, 0.5), fade=problem.fade)
    d = to_dict(fig)
    for trace in points_of(d):
        split = trace["name"].split(" · ")[0]
        c = 0 if trace["marker"]["symbol"] == "circle" else 1
        X = ds.X_train if split == "train" else ds.X_test
        y = ds.y_train if split == "train" else ds.y_test
        rows = np.flatnonzero(y == c)  # every point is drawn (fewer than the cap)
        np.testing.assert_allclose(arr(trace["marker"]["opacity"]), np.round(problem.point_alpha(X[rows]), 2))
        np.testing.assert_allclose(arr(trace["customdata"]), np.round(problem.slice_distance(X[rows]), 2))
        np.testing.assert_allclose(arr(trace["x"]), ds.to_original(X[rows])[:, 0], rtol=1e-6)  # height
        np.testing.assert_allclose(arr(trace["y"]), ds.to_original(X[rows])[:, 3], rtol=1e-6)  # score
        assert "SD from their means" in trace["hovertemplate"]
    note = next(a for a in d["layout"]["annotations"] if "held at their mean" in a["text"])
    assert note["text"] == "3 other features held at their mean · faint = far from this slice"
    assert note["hovertext"].startswith("Held at their training mean: weight (kg), age, z")
    assert d["layout"]["xaxis"]["title"]["text"] == "height (cm)" and d["layout"]["yaxis"]["title"]["text"] == "score"


def test_without_fade_the_points_are_solid_as_before():
    ds = make_dataset(d=5)
    grid = Problem(ds, ("test",)).plane_grid(resolution=20)
    d = to_dict(figures.boundary_figure(ds, grid, np.full(grid.shape, 0.5)))
    assert all("opacity" not in t["marker"] and "customdata" not in t for t in points_of(d))
    assert "3 other features held at their mean" in texts(d)


def test_data_figure_draws_the_chosen_pair():
    ds = make_dataset(d=5)
    d = to_dict(figures.data_figure(ds, (2, 4)))
    first = points_of(d)[0]
    rows = np.flatnonzero(ds.y_train == 0)
    np.testing.assert_allclose(arr(first["x"]), ds.to_original(ds.X_train[rows])[:, 2], rtol=1e-6)
    assert "showing 2 of 5 features" in " ".join(texts(d))


def test_lab_panels_fade_their_training_points():
    ds = make_dataset(d=4)
    problem = Problem(ds, ("test",), axes=(1, 2))
    grid = problem.plane_grid(resolution=15)
    proba = decision_grid(LogisticRegression(4), grid)
    fade = slice_fade(ds.X_train, ds.X_test, (1, 2))
    d = to_dict(figures.lr_lab_boundaries_figure(ds, grid, {0.1: proba, 1.0: proba}, {}, fade=fade))
    scatters = points_of(d)
    assert scatters and all("opacity" in t["marker"] for t in scatters)
    assert all(t["name"].startswith("train") for t in scatters)

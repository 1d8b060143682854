"""The plane pictures of more than two features: which two are drawn (Problem.plot_axes) and how far each point
lies from the drawn slice (scratchnet.plane.slice_distance / slice_opacity, Problem.fade)."""

from __future__ import annotations

import numpy as np
import pytest
from realistic_data import wine_csv

from scratchnet import LogisticRegression, fit
from scratchnet.data import prepare_dataset, read_csv, separation, synthetic_dataset
from scratchnet.plane import SLICE_FAR, SLICE_FLOOR, SLICE_NEAR, slice_distance, slice_opacity
from scratchnet.problem import Problem, axes_from_names, best_axes

WINE_FEATURES = ["Alcohol", "Malic acid", "Ash", "Alcalinity of ash", "Magnesium", "Total phenols", "Flavanoids",
                 "Nonflavanoid phenols", "Proanthocyanins", "Color intensity", "Hue", "Od280/od315 of diluted wines",
                 "Proline"]


@pytest.fixture(scope="module")
def wine_frame():
    return read_csv(wine_csv())


def wine(frame, seed: int = 0):
    return prepare_dataset(frame, WINE_FEATURES, "cultivar", positive="Grignolino", seed=seed)


def test_slice_distance_is_the_rms_of_the_other_standardised_features():
    X = np.array([[5.0, -3.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, -1.0, 1.0], [9.0, 9.0, 3.0, 0.0, 0.0]])
    np.testing.assert_allclose(slice_distance(X, (0, 1)), [0.0, 1.0, np.sqrt(3.0)])
    np.testing.assert_allclose(slice_distance(X, (2, 3)), [np.sqrt(34 / 3), np.sqrt(1 / 3), np.sqrt(162 / 3)])
    assert np.array_equal(slice_distance(X[:, :2], (0, 1)), np.zeros(3))  # two features: all on the plane
    with np.errstate(all="raise"):
        far = slice_distance(np.array([[0.0, 0.0, 1e300]]), (0, 1))
    assert far[0] >= 1e300 and slice_opacity(far)[0] == pytest.approx(SLICE_FLOOR)


def test_opacity_is_full_near_the_slice_and_fades_to_the_floor():
    d = np.array([0.0, SLICE_NEAR, (SLICE_NEAR + SLICE_FAR) / 2, SLICE_FAR, 10.0, np.inf])
    np.testing.assert_allclose(slice_opacity(d), [1.0, 1.0, (1 + SLICE_FLOOR) / 2, SLICE_FLOOR, SLICE_FLOOR,
                                                  SLICE_FLOOR])
    grid = np.linspace(0, 3, 50)
    assert np.all(np.diff(slice_opacity(grid)) <= 0)


def test_problem_draws_the_two_best_features_unless_told_otherwise(wine_frame):
    ds = wine(wine_frame)
    score = separation(ds.X_train, ds.y_train)
    best = tuple(sorted(np.argsort(-score)[:2]))
    problem = Problem(ds, ("wine",), one_vs_rest=True)  # class 1 against the rest: its two best features
    assert problem.plot_axes == best_axes(ds) == best
    every = Problem(ds, ("wine",))  # all three classes: the two that separate all of them best
    by_class = tuple(sorted(np.argsort(-separation(ds.X_train, ds.labels_train.astype(float)))[:2]))
    assert every.plot_axes == best_axes(ds, ds.labels_train.astype(float)) == by_class
    assert problem.plot_names == (WINE_FEATURES[best[0]], WINE_FEATURES[best[1]])
    assert len(problem.held_names) == 11 and not set(problem.plot_names) & set(problem.held_names)
    chosen = Problem(ds, ("wine",), axes=(4, 9))
    grid = chosen.plane_grid(resolution=12)
    assert grid.axes == (4, 9) and grid.points.shape == (144, 13)
    others = [k for k in range(13) if k not in (4, 9)]
    assert not grid.points[:, others].any()  # the other features at their training mean (0)
    np.testing.assert_allclose(chosen.slice_distance(ds.X_train), slice_distance(ds.X_train, (4, 9)))
    np.testing.assert_allclose(chosen.point_alpha(ds.X_test), slice_opacity(slice_distance(ds.X_test, (4, 9))))
    assert chosen.fade.axes == (4, 9) and chosen.fade.alpha["train"].shape == (ds.n_train,)
    with pytest.raises(ValueError):
        Problem(ds, ("wine",), axes=(3, 3))
    with pytest.raises(ValueError):
        Problem(ds, ("wine",), axes=(0, 13))


def test_two_features_are_the_whole_picture():
    ds = synthetic_dataset("moons", n=60, noise=0.1, seed=0)
    problem = Problem(ds, ("moons",))
    assert problem.plot_axes == (0, 1) and problem.fade is None and problem.held_names == []
    assert problem.plane_grid().axes == (0, 1)


def test_feature_names_from_a_url_fall_back_sensibly(wine_frame):
    ds = wine(wine_frame)
    best = best_axes(ds)
    assert axes_from_names(ds, "Hue", "Proline") == (10, 12)
    assert axes_from_names(ds, "", "") == best and axes_from_names(ds, "nope", "also nope") == best
    i, j = axes_from_names(ds, "Hue", "Hue")  # the same twice: the other is the best one left
    assert i == 10 and j != 10 and j == int(np.argsort(-separation(ds.X_train, ds.y_train))[0])
    assert axes_from_names(ds, "Hue", "")[0] == 10


@pytest.mark.parametrize("seed", range(5))
def test_points_on_the_wrong_side_of_the_drawn_boundary_lie_far_from_the_slice(wine_frame, seed):
    """What the model page tells students: a well-trained model classifies points correctly that sit on the
    wrong side of the boundary drawn on the slice, and those points are drawn fainter (further from it)."""
    ds = wine(wine_frame, seed)
    problem = Problem(ds, ("wine", seed))
    model = LogisticRegression(13, seed=seed)
    fit(model, ds.X_train, ds.y_train, 0.5, 500)
    on_slice = ds.X_train.copy()
    held = [k for k in range(13) if k not in problem.plot_axes]
    on_slice[:, held] = 0.0  # what the picture shows: the point with its other features at their mean
    truth = ds.y_train == 1.0
    right = (model.predict_proba(ds.X_train) > 0.5) == truth
    right_on_slice = (model.predict_proba(on_slice) > 0.5) == truth
    assert right.mean() >= 0.95
    misplaced = right & ~right_on_slice
    assert misplaced.sum() >= 5  # the student's puzzle happens
    distance = problem.slice_distance(ds.X_train)
    alpha = problem.point_alpha(ds.X_train)
    assert distance[misplaced].mean() > distance[right & right_on_slice].mean()
    assert alpha[misplaced].mean() < alpha[right & right_on_slice].mean()

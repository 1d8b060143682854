"""The "why α overshoots" panel (ui/landscape_panel.py): the pictures it draws for each model, and its sentences."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from scratchnet import LogisticRegression, TrainingRun, TwoLayerNet, figures, fit, loss_surface, max_step_length
from scratchnet.data import synthetic_dataset
from scratchnet.features import expand_features
from scratchnet.problem import Problem
from scratchnet.ui import landscape_panel


def problem(kind: str = "circles", extras: tuple[str, ...] = ()) -> Problem:
    return Problem(synthetic_dataset(kind, n=200, noise=0.15, seed=0), (kind, extras), extras)


def paused_run(model, prob: Problem, lr: float, iterations: int) -> TrainingRun:
    run = TrainingRun(model, prob.X_train, prob.y_train, lr=lr, snapshot_every=1)
    run.advance(iterations)
    return run


def panel_script(model, prob, history, lr):
    from scratchnet.ui.landscape_panel import overshoot_panel

    overshoot_panel(model, prob, history, lr)


def draw(model, prob, history, lr) -> AppTest:
    at = AppTest.from_function(panel_script, args=(model, prob, history, lr), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def values(array) -> np.ndarray:
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array, dtype=np.float64)


def notes(spec: dict) -> list[str]:
    return [a.get("text", "") for a in spec["layout"].get("annotations", [])]


def test_logistic_regression_gets_the_scan_the_surface_and_its_step_bound():
    prob = problem()
    run = paused_run(LogisticRegression(2, seed=0), prob, 10.0, 20)
    before = run.model.get_params()
    at = draw(run.model, prob, run.history, 10.0)
    scan, surface = specs(at)
    assert scan["layout"]["title"]["text"].startswith("Loss along the gradient") and "α = 10" in notes(scan)
    assert surface["data"][0]["type"] == "contour"
    path = next(t for t in surface["data"] if t.get("name") == "gradient descent")
    x, y = values(path["x"]), values(path["y"])
    assert (x[0], y[0]) == pytest.approx(tuple(run.history.snapshots[0]["w"]), abs=1e-6)  # from the start …
    assert (x[-1], y[-1]) == pytest.approx(tuple(run.model.params["w"]), abs=1e-6)  # … to the weights now
    assert np.all(np.sum(np.diff(np.c_[x, y], axis=0)[1:] * np.diff(np.c_[x, y], axis=0)[:-1], axis=1) < 0)
    bound = max_step_length(prob.X_train, 10.0)
    captions = " ".join(c.value for c in at.caption)
    assert "cannot blow up here" in captions and f"{bound:.3g} here" in captions
    assert "back and forth" in captions  # what to look at on the surface
    assert all(np.array_equal(before[k], run.model.params[k]) for k in before)  # the model is left unchanged


@pytest.mark.parametrize("direction", [1.0, -1.0])
def test_surface_labels_start_and_now_on_the_sides_away_from_each_other(direction):
    """Seen in the lab (circles, α = 10): "now" lay left of "start", and their labels' arrows crossed."""
    surface = loss_surface(LogisticRegression(2), problem().X_train, problem().y_train,
                           np.array([[0.0, 0.0], [direction, 0.2]]))
    spec = figures.loss_surface_figure(surface).to_plotly_json()
    ax = {a["text"]: a["ax"] for a in spec["layout"]["annotations"] if a.get("text") in ("start", "now")}
    assert np.sign(ax["now"]) == direction == -np.sign(ax["start"])


def test_a_network_gets_the_scan_alone():
    prob = problem("moons")
    run = paused_run(TwoLayerNet(2, 8, "relu", seed=0), prob, 10.0, 3)
    at = draw(run.model, prob, run.history, 10.0)
    (scan,) = specs(at)
    assert any(n.startswith("overshoots") for n in notes(scan))  # at α = 10 the next step lands up the far wall
    captions = " ".join(c.value for c in at.caption)
    assert "blow up" not in captions and "overshoots" in captions


def test_more_than_two_inputs_say_why_there_is_no_surface():
    prob = problem("circles", ("x1sq", "x2sq"))
    run = paused_run(LogisticRegression(4, seed=0), prob, 0.3, 5)
    at = draw(run.model, prob, run.history, 0.3)
    assert len(specs(at)) == 1
    assert any("needs exactly two inputs; this model has 4" in c.value for c in at.caption)
    assert prob.X_train.shape[1] == 4 and np.allclose(prob.X_train, expand_features(prob.dataset.X_train,
                                                                                    ("x1sq", "x2sq")))


def test_a_penalty_overshoot_is_called_a_blow_up_and_a_diverged_run_draws_no_surface():
    prob = problem("moons")
    run = paused_run(LogisticRegression(2, l2=0.3, seed=0), prob, 10.0, 1000)
    assert run.diverged
    at = draw(run.model, prob, run.history, 10.0)
    captions = " ".join(c.value for c in at.caption)
    assert "λ·α = 0.3 × 10 > 2" in captions and "1 − λα = −2" in captions and "a true blow-up" in captions
    assert f"diverged at iteration {run.history.diverged_at}" in captions
    assert specs(at) == []  # its last finite weights are far beyond any picture


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_the_penalty_overshoot_blows_up_a_network_too(activation):
    """step_bound_note says λ·α > 2 blows up any model: measured for 8 and 64 units, every activation."""
    ds = synthetic_dataset("moons", n=200, noise=0.15, seed=1)
    for lr, l2 in ((10.0, 0.3), (3.0, 1.0)):
        h = fit(TwoLayerNet(2, 8, activation, l2=l2, seed=1), ds.X_train, ds.y_train, lr, 1000)
        assert h.diverged_at is not None  # a number stopped being finite
    assert fit(TwoLayerNet(2, 8, activation, l2=1.0, seed=1), ds.X_train, ds.y_train, 1.0, 300).diverged_at is None
    note = landscape_panel.step_bound_note(TwoLayerNet(2, 8, activation, l2=0.3), problem("moons"), 10.0)
    assert "a true blow-up" in note


def test_step_bound_note_for_a_mini_batch_uses_the_worst_batch():
    prob = problem("moons")
    model = LogisticRegression(2)
    full = landscape_panel.step_bound_note(model, prob, 10.0)
    batch = landscape_panel.step_bound_note(model, prob, 10.0, batch_size=32)
    assert f"{max_step_length(prob.X_train, 10.0, 32):.3g} here" in batch and batch != full

"""The lab compares optimizers from one start (issue #24): the bowl facts its momentum caption states, the words
for momentum's and Adam's runs (only what each run did, never plain descent's too small / too large), and the
page: one colour per α, one dash per optimizer, a legend naming both, everything in the URL, hideable."""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest
from app_support import open_page

from scratchnet import compare_learning_rates, make_model, sweep_verdicts
from scratchnet.data import synthetic_dataset
from scratchnet.landscape import _oscillates, momentum_bowl, overshoot_events, what_it_did
from scratchnet.optimizers import SGD, Adam, Momentum, OptimizerState
from scratchnet.problem import Problem
from scratchnet.ui.lab import LabResult, explanation, optimizer_caption, verdict_words
from scratchnet.ui.params import DEFAULT_SETTINGS, DEFAULTS

SEEDS = range(10)
LRS = (0.001, 0.01, 0.1, 1.0, 10.0)
PLAIN_WORDS = ("too small", "too large", "just right", "overshoot", "steps too short", "zig-zag")


# --- the bowl: f(θ) = hθ²/2, so g = hθ; the app's own Momentum.update ----------------------------------------
def bowl(alpha_h: float, beta: float, steps: int) -> np.ndarray:
    """θ_0 … θ_steps of heavy-ball momentum (or plain descent, β = 0) on a bowl of curvature h = 1 from θ = 1."""
    opt, state = (Momentum(beta) if beta else SGD()), OptimizerState()
    theta, path = np.array([1.0]), [1.0]
    for _ in range(steps):
        theta = opt.update(theta, theta.copy(), alpha_h, state)  # g = h·θ with h = 1
        path.append(float(theta[0]))
    return np.array(path)


def test_plain_descent_limits_are_one_and_two():
    assert momentum_bowl(0.0) == (1.0, 4.0 / 2)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.8, 0.9, 0.95, 0.99])
def test_momentum_on_a_bowl_oscillates_past_one_minus_root_beta_squared_and_diverges_past_two_one_plus_beta(beta):
    wobble, blowup = momentum_bowl(beta)
    assert wobble == pytest.approx((1 - np.sqrt(beta)) ** 2) and blowup == pytest.approx(2 * (1 + beta))
    calm = bowl(0.9 * wobble, beta, 3000)
    assert np.all(calm >= 0) and abs(calm[-1]) < 1e-3  # below: it creeps to the floor from one side
    swinging = bowl(min(4 * wobble, 1.1), beta, 3000)  # (β = 0.99 just above it swings too slowly to see)
    assert np.sum(np.diff(np.sign(swinging)) != 0) >= 2  # above: it crosses the floor again and again …
    assert abs(swinging[-1]) < 1e-3  # … and still settles
    assert np.all(np.abs(bowl(0.98 * blowup, beta, 3000)[-100:]) < 1)  # just below 2(1 + β): bounded, shrinking
    assert abs(bowl(1.02 * blowup, beta, 600)[-1]) > 1e6  # just above: it blows up
    if beta > 0:  # far below plain descent's limit, and its blow-up far past plain descent's 2
        assert wobble < 1 and blowup > 2


# --- the words for momentum's and Adam's runs ------------------------------------------------------------------
@functools.lru_cache(maxsize=64)
def sweep(data: str, seed: int, name: str, kind: str = "net") -> LabResult:
    ds = synthetic_dataset(data, n=DEFAULTS["n"], noise=DEFAULTS["noise"], seed=seed, test_ratio=DEFAULTS["test"])
    problem = Problem(ds, ("x",), ())
    start = make_model(kind, problem.n_inputs, problem.n_classes, hidden_units=8, activation="relu", seed=seed)
    opt = {"sgd": SGD(), "momentum": Momentum(0.9), "adam": Adam()}[name]
    runs = compare_learning_rates(start, problem.X_train, problem.y_train, LRS, 50, seed=seed, optimizer=opt)
    return LabResult(("t",), start, runs, sweep_verdicts({lr: h for lr, (_, h) in runs.items()}), None, {},
                     optimizer=name)


@pytest.mark.parametrize("data", ["moons", "circles", "xor", "blobs"])
@pytest.mark.parametrize("name", ["momentum", "adam"])
@pytest.mark.parametrize("kind", ["net", "logistic"])
def test_momentum_and_adam_runs_are_said_in_what_they_did(data, name, kind):
    for seed in SEEDS:
        result = sweep(data, seed, name, kind)
        lines = explanation(result)
        for lr, (_, h) in result.runs.items():
            words = verdict_words(result, lr)
            line = next(line for line in lines if line.startswith(f"**α = {lr:g} — "))
            assert not any(p in line for p in PLAIN_WORDS), line  # never plain descent's theory
            loss = h.smoothed()
            if words == "diverged":
                assert h.diverged_at is not None
                continue
            assert h.diverged_at is None
            if words == "rose, then fell back":
                assert overshoot_events(h)[-1].recovered
            elif words == "rose and stayed up":
                assert not overshoot_events(h)[-1].recovered and "never came back down" in line, line
            elif words == "oscillated":
                assert _oscillates(loss, h.epoch_length)
            elif words == "ended higher":
                assert loss[-1] > loss[0]
            elif words == "fell":
                assert loss[-1] < loss[0] and not overshoot_events(h)
            else:
                assert words == "still falling" and loss[-1] < loss[0]
            events = overshoot_events(h)
            if events:  # "the loss jumped to X at iteration k": the event's own peak and iteration
                e = max(events, key=lambda ev: ev.peak)
                assert f"at iteration {e.peak_iteration}" in line
        assert what_it_did(result.runs[LRS[0]][1], "diverged") == "diverged"


def test_momentum_can_rise_and_still_end_lower_than_plain_descent_at_the_same_alpha():
    """What the caption's 'its loss can rise and fall again at an α that serves it' rests on: moons, 8 ReLU
    units, seed 1, α = 1: plain descent is just right, momentum rises, comes back and ends lower."""
    plain, heavy = sweep("moons", 1, "sgd"), sweep("moons", 1, "momentum")
    assert plain.verdicts[1.0] == "good"
    h = heavy.runs[1.0][1]
    assert overshoot_events(h) and overshoot_events(h)[-1].recovered and h.diverged_at is None
    assert h.smoothed()[-1] < plain.runs[1.0][1].smoothed()[-1]


def test_the_momentum_caption_quotes_the_bowl_limits_for_its_beta():
    settings = DEFAULT_SETTINGS.replace(beta=0.5)
    result = LabResult(("t",), None, {}, {}, None, {}, optimizer="momentum")
    text = optimizer_caption(result, settings)
    wobble, blowup = momentum_bowl(0.5)
    assert f"(1 − √β)² = {wobble:.3g}" in text and f"2(1 + β) = {blowup:.3g}" in text and "β = 0.5" in text


# --- the page --------------------------------------------------------------------------------------------------
def test_lab_compares_optimizers_from_one_start_with_a_legend_naming_both():
    at = open_page("lab", lab_opts=["Gradient descent", "Momentum", "Adam"], lab_lrs=["0.01", "0.1", "1"],
                   beta="0.8")
    comparison = at.session_state["lab_result"]
    assert list(comparison.results) == ["sgd", "momentum", "adam"]
    starts = [m for r in comparison.results.values() for m, _ in r.runs.values()]
    assert all(set(m.params) == set(comparison.start.params) for m in starts)
    assert comparison.results["momentum"].runs[0.1][1].array("train_loss")[0] == \
        comparison.results["sgd"].runs[0.1][1].array("train_loss")[0]  # the same start
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    lines = [t for t in spec["data"] if t.get("mode") == "lines"]
    assert len(lines) == 9
    styles = {(t["line"]["color"], t["line"]["dash"]) for t in lines}
    assert len(styles) == 9  # every pair its own colour and dash
    assert len({t["line"]["color"] for t in lines}) == 3 and len({t["line"]["dash"] for t in lines}) == 3
    for t in lines:
        assert t["name"].startswith("lr = ") and any(o in t["name"] for o in ("gradient descent", "momentum β = 0.8",
                                                                             "Adam β₁ = 0.8, β₂ = 0.999"))
    headers = [m.value for m in at.markdown if m.value.startswith("**") and "lines)" in m.value]
    assert headers == ["**Gradient descent** (solid lines)", "**Momentum β = 0.8** (dashed lines)",
                       "**Adam β₁ = 0.8, β₂ = 0.999** (dotted lines)"]
    assert any("(1 − √β)² = 0.0111" in c.value and "2(1 + β) = 3.6" in c.value for c in at.caption)
    radio = next(r for r in at.radio if r.label == "Boundaries of")
    radio.set_value("momentum").run()
    boundaries = json.loads(at.get("plotly_chart")[1].proto.spec)
    titles = [a["text"] for a in boundaries["layout"]["annotations"] if a.get("text", "").startswith("lr = ")]
    assert titles and not any("just right" in t or "too small" in t for t in titles)


def test_optimizers_live_in_the_url_and_hide_with_the_advanced_group():
    at = open_page("lab", lab_opts=["Momentum"], lab_lrs=["0.1"], hide="advanced")
    assert not any(w.label == "Optimizers" for w in at.multiselect)  # hidden in presentation mode …
    comparison = at.session_state["lab_result"]
    assert list(comparison.results) == ["momentum"]  # … yet the link's value is used
    assert not any("Why α overshoots" in m.value for m in at.markdown)
    assert any("Add gradient descent to see it" in c.value for c in at.caption)
    shown = open_page("lab", lab_opts=["Momentum"], lab_lrs=["0.1"])
    assert next(w for w in shown.multiselect if w.label == "Optimizers").value == ["momentum"]
    assert any(w.label.startswith("β (momentum") for w in shown.select_slider)
    assert not any(w.label == "β₂ (Adam)" for w in shown.select_slider)  # β₂ only beside Adam


def test_the_lab_figure_gives_each_alpha_a_colour_and_each_optimizer_a_dash():
    from scratchnet import figures

    curves = [(lr, name, sweep("moons", 0, key).runs[lr][1], "fell")
              for key, name in (("sgd", "gradient descent"), ("momentum", "momentum β = 0.9"))
              for lr in (0.1, 1.0)]
    fig = figures.lab_loss_figure(curves).to_plotly_json()
    lines = [t for t in fig["data"] if t.get("mode") == "lines"]
    by_name = {t["name"]: t["line"] for t in lines}
    gd, heavy = by_name["lr = 0.1 · gradient descent · fell"], by_name["lr = 0.1 · momentum β = 0.9 · fell"]
    assert gd["color"] == heavy["color"] and gd["dash"] == "solid" and heavy["dash"] == "dash"
    assert gd["color"] != by_name["lr = 1 · gradient descent · fell"]["color"]
    assert fig["layout"]["legend"]["orientation"] == "h"  # several optimizers: the legend goes below
    one = figures.lab_loss_figure([(lr, "", h, v) for lr, n, h, v in curves if n == "gradient descent"])
    assert one.to_plotly_json()["layout"]["legend"].get("orientation") is None
    assert all("dash" not in t["line"] for t in one.to_plotly_json()["data"] if t.get("mode") == "lines")


def test_the_time_estimate_counts_every_optimizer():
    from scratchnet.ui.lab import estimated_seconds

    ds = synthetic_dataset("moons", n=200, noise=0.15, seed=0)
    problem = Problem(ds, ("moons",), ())
    one = estimated_seconds(problem, DEFAULT_SETTINGS, "net")
    three = estimated_seconds(problem, DEFAULT_SETTINGS.replace(lab_opts=("sgd", "momentum", "adam")), "net")
    assert three == pytest.approx(3 * one)

"""The lessons of issue #24 (deeper networks, L1, fresh starts, momentum): each claim in their text, checked at
every seed a class may have (0–9) on the setup the app builds from the preset (Settings.model_hyper)."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from scratchnet import compare_learning_rates, fit, make_model
from scratchnet.data import synthetic_dataset
from scratchnet.optimizers import make_optimizer
from scratchnet.problem import Problem
from scratchnet.ui.lessons import PRESETS_BY_KEY
from scratchnet.ui.params import Settings

SEEDS = range(10)


def settings(key: str, seed: int, **override) -> Settings:
    return Settings.from_values({**PRESETS_BY_KEY[key].params, "seed": seed, **override})


@functools.lru_cache(maxsize=32)
def problem(data: str, seed: int) -> Problem:
    s = Settings.from_values({"data": data, "seed": seed})
    ds = synthetic_dataset(data, n=s.n, noise=s.noise, seed=seed, test_ratio=s.test)
    return Problem(ds, (data,), ())


def run(key: str, seed: int, kind: str = "net", **override):
    """The lesson's model as the app makes it (make_model with the settings' hyper), trained as the page would."""
    s = settings(key, seed, **override)
    p = problem(s.data, seed)
    model = make_model(kind, p.n_inputs, p.n_classes, **s.model_hyper())
    return model, fit(model, p.X_train, p.y_train, s.lr, s.iters, X_test=p.X_test, y_test=p.y_test,
                      optimizer=s.optimizer())


def text(key: str) -> str:
    return PRESETS_BY_KEY[key].look_for


# --- a linear network cannot bend the boundary ------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_a_linear_network_draws_a_straight_line_however_deep(seed):
    assert settings("linear_deep", seed).hidden_layers == (8, 8, 8)
    net, h = run("linear_deep", seed)
    _, logistic = run("linear_deep", seed, kind="logistic")
    assert h.diverged_at is None
    acc = h.last("train_acc")
    assert abs(acc - logistic.last("train_acc")) <= 0.01  # "within one point of logistic regression's"
    assert 83 <= round(100 * acc) <= 91 and "83 % to 91 % at seeds 0–9" in text("linear_deep")
    # "one linear map of x1 and x2, so the boundary stays a straight line": the logit is affine in x
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3, 3, size=(200, 2))
    z = np.asarray(net.forward(X)[0], dtype=np.float64).reshape(len(X))
    A = np.column_stack([X, np.ones(len(X))])
    coef, *_ = np.linalg.lstsq(A, z, rcond=None)
    assert np.max(np.abs(A @ coef - z)) < 1e-9 * max(1.0, np.max(np.abs(z)))
    _, relu = run("linear_deep", seed, act="relu")  # "ReLU … reach 100 % training accuracy"
    assert relu.last("train_acc") == 1.0


# --- L1 zeroes weights, L2 only shrinks them ----------------------------------------------------------------------
def zeros(model) -> tuple[int, int]:
    weights = [model.params[w] for w in model.weight_names]  # as the math page counts them (explain_deep)
    return sum(int(np.count_nonzero(w == 0.0)) for w in weights), sum(w.size for w in weights)


@pytest.mark.parametrize("seed", SEEDS)
def test_l1_sets_most_weights_to_zero_where_l2_only_shrinks_them(seed):
    model, h = run("l1_zeroes", seed)
    zero, total = zeros(model)
    assert total == 88 and "88 weights" in text("l1_zeroes")
    assert 55 <= zero <= 71 and zero > total / 2  # "most … between 55 and 71 at seeds 0–9"
    assert h.last("train_acc") >= 0.9  # "training accuracy still ends at 90 % or more"
    shrunk, _ = run("l1_zeroes", seed, l1=0.0, l2=0.01)
    assert zeros(shrunk)[0] == 0  # "not one reaches 0"
    start = make_model("net", 2, 2, **settings("l1_zeroes", seed, l1=0.0, l2=0.01).model_hyper())
    norm = lambda m: np.sqrt(sum(float(np.sum(m.params[w] ** 2)) for w in m.weight_names))  # noqa: E731
    free, _ = run("l1_zeroes", seed, l1=0.0)
    assert norm(shrunk) < norm(free) and norm(start) > 0  # "the weights shrink" (against the same run without L2)


# --- five fresh starts --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_five_fresh_starts_end_at_different_losses(seed):
    ends = [run("fresh_starts", seed, wseed=w)[1].last("train_loss") for w in range(5)]
    assert len({round(e, 3) for e in ends}) == 5  # five different ends
    assert 1.4 <= max(ends) / min(ends) <= 4.1  # "1.4 to 4.1 times the lowest"
    if seed == 0:
        assert (round(min(ends), 3), round(max(ends), 3)) == (0.088, 0.238)
    # "the points stay": New weights changes the weights seed, not the data
    assert settings("fresh_starts", seed, wseed=3).model_hyper()["seed"] != settings("fresh_starts", seed).seed


# --- momentum gets there sooner (the lab), and does not glide --------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_momentum_reaches_plain_descents_end_within_250_steps_and_rises_where_descent_glides(seed):
    from scratchnet import sweep_verdicts
    from scratchnet.landscape import overshoot_events, what_it_did

    s = settings("momentum_catches_up", seed)
    assert s.lab_opts == ("sgd", "momentum") and s.lab_lrs == (0.3, 3.0) and s.beta == 0.9
    p = problem(s.data, seed)
    start = make_model(s.lab_model, p.n_inputs, p.n_classes, **s.model_hyper())
    sweeps = {}
    for name in s.lab_opts:  # as the lab runs them (lab.run_lab): one start, the same α's
        runs = compare_learning_rates(start, p.X_train, p.y_train, s.lab_lrs, s.iters, p.X_test, p.y_test,
                                      optimizer=make_optimizer(name, s.beta, s.beta2))
        sweeps[name] = ({lr: h for lr, (_, h) in runs.items()}, sweep_verdicts({lr: h for lr, (_, h) in runs.items()}))
    (plain, plain_v), (heavy, heavy_v) = sweeps["sgd"], sweeps["momentum"]
    a, b = plain[0.3].array("train_loss"), heavy[0.3].array("train_loss")
    reached = int(np.argmax(b <= a[-1]))
    assert b[reached] <= a[-1] and 119 <= reached <= 221 and reached <= 250  # "within 250 steps"
    assert abs(b[-1] - a[-1]) < 5e-4  # "both end at the same loss"
    assert "between 119 and 221 at seeds 0–9" in text("momentum_catches_up")
    # α = 3: "gradient descent glides down (just right: its loss never rises by more than 0.0001)"
    glide = plain[3.0].array("train_loss")
    assert plain_v[3.0] == "good" and np.max(np.diff(glide)) <= 1e-4
    # "momentum's loss rises by at least a fifth within 15 steps, then falls back" (the lab's own words for it)
    first = overshoot_events(heavy[3.0])[0]
    assert first.peak >= 1.2 * first.before and first.peak_iteration <= 15 and first.recovered
    assert what_it_did(heavy[3.0], heavy_v[3.0]) == "rose, then fell back"


# --- the links open their pages set up as the texts say ------------------------------------------------------------
@pytest.mark.parametrize("key", ["linear_deep", "l1_zeroes", "fresh_starts", "momentum_catches_up"])
def test_the_lesson_links_open_their_setups(key):
    from app_support import open_page

    preset = PRESETS_BY_KEY[key]
    at = open_page(preset.page, **preset.query())
    assert any(preset.title in i.value for i in at.info)
    if key == "momentum_catches_up":
        comparison = at.session_state["lab_result"]
        assert list(comparison.results) == ["sgd", "momentum"] and list(comparison.results["sgd"].runs) == [0.3, 3.0]
        assert any(m.value == "**Momentum β = 0.9** (dashed lines)" for m in at.markdown)
        text_shown = "\n".join(m.value for m in at.markdown)
        assert "**α = 3 — just right**" in text_shown and "**α = 3 — rose, then fell back**" in text_shown

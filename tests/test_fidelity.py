"""Issue 10, "say only what is true": each reproduction from the audit, checked against the core.

Every test here failed before the change it guards (see the commit that added it).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from scratchnet import (
    LogisticRegression,
    TwoLayerNet,
    bce_from_logits,
    compare_learning_rates,
    evaluate,
    fit,
    gradcheck,
    lr_verdict,
    sigmoid,
    sweep_verdicts,
    train,
)
from scratchnet.data import synthetic_dataset
from scratchnet.gradcheck import relative_error
from scratchnet.landscape import Overshoot, overshoot_events
from scratchnet.training import History, Record


def moons(seed: int = 0, n: int = 200):
    return synthetic_dataset("moons", n=n, noise=0.15, seed=seed)


# --- gradcheck per tensor ----------------------------------------------------------------------------------
def test_gradcheck_passes_a_correct_tensor_with_one_tiny_entry():
    """A sigmoid net after 1,000 steps at α 0.3: one b1 entry has gradient ~6.8e-7 and a finite-difference
    error ~2.9e-12, which per entry is ~1e-6 ("✘"); per tensor the gradient is right to ~1e-9."""
    ds = moons()
    net = TwoLayerNet(2, 8, "sigmoid", seed=0)
    fit(net, ds.X_train, ds.y_train, 0.3, 1000)
    X, y = ds.X_train[:100], ds.y_train[:100]
    result = gradcheck(net, X, y)
    b1 = next(r for r in result.rows if r.name == "b1")
    g = net.gradients(X, y)["b1"]
    assert np.abs(g).min() < 1e-6 and b1.max_abs_diff < 1e-11  # the tiny entry, and its rounding-sized error
    assert b1.max_rel_error > 100 * result["b1"]  # per entry the noise looms large: kept for the table only
    assert result["b1"] < 1e-8 and result.passed()
    numeric = np.empty_like(g)  # an independent central difference over b1
    for i in range(g.size):
        plus, minus = net.copy(), net.copy()
        plus.params["b1"][i] += 1e-5
        minus.params["b1"][i] -= 1e-5
        numeric[i] = (plus.loss(X, y) - minus.loss(X, y)) / 2e-5
    assert result["b1"] == b1.rel_error
    assert b1.rel_error == pytest.approx(np.linalg.norm(g - numeric) / (np.linalg.norm(g) + np.linalg.norm(numeric)),
                                         rel=0.5, abs=1e-12)
    assert {row["parameter"]: row["relative error"] for row in result.table()} == dict(result)


def test_relative_error_is_the_per_tensor_norm_ratio():
    a, n = np.array([3.0, 4.0]), np.array([3.0, 4.5])
    assert relative_error(a, n) == pytest.approx(0.5 / (5.0 + np.hypot(3.0, 4.5)))
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array(1.0), np.array(-1.0)) == 1.0  # opposite signs: the worst possible


# --- losses without the penalty ------------------------------------------------------------------------------
def test_recorded_losses_are_cross_entropy_and_the_penalty_is_apart():
    """At λ = 0.1 the recorded test loss was 1.439 of which cross-entropy was 0.739: now it is the 0.739."""
    ds = moons()
    net = TwoLayerNet(2, 8, "relu", l2=0.1, seed=0)
    probe = net.copy()
    records = list(train(net, ds.X_train, ds.y_train, 0.1, 30, ds.X_test, ds.y_test, snapshot_every=1))
    for rec in records[::7]:
        probe.set_params(rec.params)
        W1, w2 = rec.params["W1"], rec.params["w2"]
        penalty = 0.05 * (np.sum(W1**2) + np.sum(w2**2))
        assert rec.test_loss == pytest.approx(bce_from_logits(probe.decision_function(ds.X_test), ds.y_test),
                                              rel=1e-12)
        assert rec.train_loss == pytest.approx(bce_from_logits(probe.decision_function(ds.X_train), ds.y_train),
                                               rel=1e-12)
        assert rec.penalty == pytest.approx(penalty, rel=1e-12) and rec.penalty > 0.1
        assert rec.objective == pytest.approx(rec.train_loss + penalty, rel=1e-12)
        assert rec.objective == pytest.approx(probe.loss(ds.X_train, ds.y_train), rel=1e-12)  # what GD minimises
        assert evaluate(probe, ds.X_test, ds.y_test)[0] == pytest.approx(rec.test_loss, rel=1e-12)
    first = records[0]
    assert first.test_loss == pytest.approx(0.739, abs=5e-3)  # the audit's number: cross-entropy alone
    history = fit(TwoLayerNet(2, 8, "relu", l2=0.1, seed=0), ds.X_train, ds.y_train, 0.1, 30,
                  X_test=ds.X_test, y_test=ds.y_test)
    np.testing.assert_allclose(history.array("test_loss"), [r.test_loss for r in records], rtol=1e-12)
    np.testing.assert_allclose(history.array("penalty"), [r.penalty for r in records], rtol=1e-12)
    np.testing.assert_allclose(history.array("objective"),
                               history.array("train_loss") + history.array("penalty"), rtol=1e-12)


def test_data_loss_plus_penalty_is_the_loss_gradcheck_differentiates():
    ds = moons()
    for model in (LogisticRegression(2, l2=0.3, seed=1), TwoLayerNet(2, 5, "tanh", l2=0.3, seed=1)):
        X, y = ds.X_train, ds.y_train
        assert model.data_loss(X, y) == bce_from_logits(model.decision_function(X), y)
        assert model.loss(X, y) == pytest.approx(model.data_loss(X, y) + model.penalty(), rel=1e-14)
        assert gradcheck(model, X[:40], y[:40]).passed()


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_trace_keeps_the_data_term_and_the_penalty_term_apart(y):
    """The math page showed "dw2 = (ŷ − y)·h1" as −0.019 where h1 = 0 (that was λ·w2), and "L" as 1.720 =
    cross-entropy 1.019 + penalty 0.701. The trace now carries both terms separately."""
    net = TwoLayerNet(2, 8, "relu", l2=0.1, seed=0)
    x = np.array([0.4, -1.2])
    trace = net.trace(x, y)
    assert not np.all(trace["h1"][0] > 0)  # some unit is off for this example: its data gradient must be 0
    y_hat = float(sigmoid(trace["z"])[0])
    h1, w2, W1 = trace["h1"][0], net.params["w2"], net.params["W1"]
    np.testing.assert_allclose(trace["data_grads"]["w2"], (y_hat - y) * h1, rtol=1e-14)
    assert np.all(trace["data_grads"]["w2"][h1 == 0] == 0.0)
    np.testing.assert_allclose(trace["grads"]["w2"], (y_hat - y) * h1 + 0.1 * w2, rtol=1e-14)
    np.testing.assert_allclose(trace["grads"]["W1"] - trace["data_grads"]["W1"], 0.1 * W1, rtol=1e-12)
    for bias in ("b1", "b2"):
        np.testing.assert_array_equal(trace["grads"][bias], trace["data_grads"][bias])
    assert trace["data_loss"] == pytest.approx(-np.log(y_hat if y else 1 - y_hat), rel=1e-12)
    assert trace["penalty"] == pytest.approx(0.05 * (np.sum(W1**2) + np.sum(w2**2)), rel=1e-12)
    assert trace["loss"] == pytest.approx(trace["data_loss"] + trace["penalty"], rel=1e-14)
    # the whole-batch gradients are the mean of such per-example ones
    grads = net.gradients(x[None, :], np.array([y]))
    for name in grads:
        np.testing.assert_allclose(trace["grads"][name], grads[name], rtol=1e-14)

    lr_trace = LogisticRegression(2, l2=0.5, seed=3).trace(x, y)
    np.testing.assert_allclose(lr_trace["data_grads"]["w"], (float(lr_trace["y_hat"][0]) - y) * x, rtol=1e-14)


# --- divergence means non-finite; an overshoot that recovers is an event -------------------------------------
def test_a_spike_that_recovers_is_not_divergence():
    """64 ReLU units on moons at α = 10: 0.74 → 4.05 → … → 197 (it. 8) → 728 (it. 9) → 17 → 0.56 → … → 0.17.
    The 100-nat cut-off stopped it at iteration 8 and called it diverged."""
    ds = moons()
    history = fit(TwoLayerNet(2, 64, "relu", seed=0), ds.X_train, ds.y_train, 10.0, 1000)
    loss = history.array("train_loss")
    assert history.diverged_at is None and len(history) == 1000 and np.all(np.isfinite(loss))
    assert loss[1] == pytest.approx(4.05, abs=0.01) and loss[8] == pytest.approx(197.2, abs=0.1)
    assert int(np.argmax(loss)) == 9 and loss[9] == pytest.approx(727.7, abs=0.1)
    assert loss[-1] == pytest.approx(0.173, abs=1e-3) and history.last("train_acc") > 0.9
    (event,) = overshoot_events(history)
    assert (event.start, event.peak_iteration, event.recovered_at) == (1, 9, 11)
    assert event.peak == pytest.approx(727.67, abs=0.01) and event.before == pytest.approx(0.7395, abs=1e-4)
    assert event.recovered and loss[11] < event.before


def test_overshoot_events_on_hand_made_curves():
    def events(losses, epoch_length=1):
        h = History(("w",), epoch_length=epoch_length)
        for t, loss in enumerate(losses):
            h.append(Record(t, 0.1, loss, 0.5, {"w": 0.0}, {}))
        return overshoot_events(h)

    assert events([0.7, 0.5, 0.4, 0.3]) == []
    assert events([0.7, 0.71, 0.69, 0.695, 0.6]) == []  # wobbles below 20 %: not an overshoot
    assert events([0.002, 0.001, 0.0015, 0.001]) == []  # +50 % of almost nothing: below 0.01 nats
    two = events([0.7, 0.5, 2.0, 3.0, 0.8, 0.52, 0.4, 0.6, 0.45])
    assert [(e.start, e.peak_iteration, e.peak, e.before, e.recovered_at) for e in two] == [
        (2, 3, 3.0, 0.5, 5), (7, 7, 0.6, 0.4, None)]  # 0.45 is not back within 5 % of 0.4
    assert two[0].recovered and not two[1].recovered
    assert events([0.7, 0.5, 2.0, 0.4, 0.6, 0.45, 0.41])[1].recovered_at == 6
    assert events([0.7, 0.9, 0.85, 0.9, 0.85]) == [Overshoot(1, 1, 0.9, 0.7, None)]  # a 2-cycle above the start
    late = events([0.7, 0.1, 0.0002, 26.0, 0.004, 0.001])  # back to 0.004: within 0.005 nats of a tiny best
    assert [(e.peak_iteration, e.before, e.recovered_at) for e in late] == [(3, 0.0002, 4)]
    # mini-batch: single batches may jump, the epoch average does not
    assert events([0.7, 0.9, 0.5, 0.65, 0.45, 0.5], epoch_length=2) == []
    assert events([0.7, 0.9, 0.5, 0.65, 0.45, 0.5]) != []


def test_logistic_regression_diverges_when_the_penalty_step_flips_the_weights():
    """λ·α > 2: w ← (1 − λα)·w − α·(data gradient) with |1 − λα| > 1, and the data gradient is bounded."""
    ds = moons()
    history = fit(LogisticRegression(2, l2=0.3, seed=0), ds.X_train, ds.y_train, 10.0, 2000)
    assert history.diverged_at is not None and "L2 penalty overflowed" in history.message
    # λα ≤ 2: ‖w_t+1‖ ≤ |1 − λα|·‖w_t‖ + α·G with G = mean ‖x‖ bounding the data gradient: w stays bounded
    G = np.mean(np.linalg.norm(ds.X_train, axis=1))
    for l2 in (0.15, 0.1, 0.01):
        bounded = fit(LogisticRegression(2, l2=l2, seed=0), ds.X_train, ds.y_train, 10.0, 2000, snapshot_every=1)
        assert bounded.diverged_at is None
        limit = max(np.linalg.norm(bounded.snapshots[0]["w"]), 10.0 * G / (1 - abs(1 - 10.0 * l2)))
        assert max(np.linalg.norm(p["w"]) for p in bounded.snapshots.values()) <= limit * (1 + 1e-12)
    assert fit(LogisticRegression(2, l2=0.2, seed=0), ds.X_train, ds.y_train, 10.0, 2000).diverged_at is None


# --- dead ReLU units -------------------------------------------------------------------------------------
def test_dead_relu_units_are_counted_every_iteration():
    """The α = 10 run on moons: 46 of the 64 ReLU units output 0 on every training example by iteration 40."""
    ds = moons()
    net = TwoLayerNet(2, 64, "relu", seed=0)
    records = list(train(net, ds.X_train, ds.y_train, 10.0, 60, snapshot_every=1))
    dead = [r.dead_units for r in records]
    probe = TwoLayerNet(2, 64, "relu")
    for rec in records[::5]:
        probe.set_params(rec.params)
        assert rec.dead_units == int(np.sum(np.all(probe.hidden(ds.X_train) == 0.0, axis=0)))
    assert dead[0] == 0 and dead[40] == 46 and max(dead) <= 64
    history = fit(TwoLayerNet(2, 64, "relu", seed=0), ds.X_train, ds.y_train, 10.0, 60)
    np.testing.assert_array_equal(history.array("dead_units"), dead)
    # a gentle α kills none; logistic regression has no hidden units to count
    assert fit(TwoLayerNet(2, 64, "relu", seed=0), ds.X_train, ds.y_train, 0.1, 60).array("dead_units").max() == 0
    assert np.isnan(fit(LogisticRegression(2), ds.X_train, ds.y_train, 0.1, 3).array("dead_units")).all()


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_dead_units_counts_only_units_silent_on_every_row(activation):
    net = TwoLayerNet(2, 4, activation, seed=0)
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    a1 = {"relu": -1.0, "tanh": 0.0, "sigmoid": -800.0}[activation]  # where g(a1) is exactly 0
    net.set_params({"W1": np.array([[0.0, 0.0], [1000.0, 0.0], [0.0, 0.0], [0.0, 0.0]]),
                    "b1": np.array([a1, a1, a1, 0.5])})
    _, cache = net.forward(X)
    # units 0 and 2 output 0 on every row; unit 1 only on rows 1 and 2; unit 3 never
    assert np.all(cache["h1"][:, [0, 2]] == 0.0) and cache["h1"][0, 1] != 0.0
    expected = 2
    assert net.dead_units(cache) == expected


# --- verdicts a class can trust ------------------------------------------------------------------------------
LAB_LRS = (0.001, 0.01, 0.1, 1.0, 10.0)  # the lab's default learning rates


@functools.lru_cache(maxsize=64)  # several tests read the same comparison
def sweep(seed: int, lrs=LAB_LRS, iterations: int = 1000, batch_size: int | None = None, kind: str = "net",
          data: str = "moons") -> dict[float, History]:
    """The lab's comparison: moons (n 200, noise 0.15), the 8-unit ReLU net or logistic regression."""
    ds = synthetic_dataset(data, n=200, noise=0.15, seed=seed)
    start = TwoLayerNet(2, 8, "relu", seed=seed) if kind == "net" else LogisticRegression(2, seed=seed)
    runs = compare_learning_rates(start, ds.X_train, ds.y_train, lrs, iterations, batch_size=batch_size, seed=seed)
    return {lr: h for lr, (_, h) in runs.items()}


def test_lab_verdicts_at_the_issues_setting():
    """Seed 0: final losses 0.580, 0.307, 0.088, 0.003; 0.01 was called "just right" next to 0.003."""
    histories = sweep(0)
    finals = {lr: round(h.last("train_loss"), 3) for lr, h in histories.items()}
    assert [finals[lr] for lr in (0.001, 0.01, 0.1, 1.0)] == [0.580, 0.307, 0.088, 0.003]
    assert sweep_verdicts(histories) == {0.001: "too small", 0.01: "too small", 0.1: "good", 1.0: "good",
                                         10.0: "too large"}
    alone = histories[0.001]  # 0.715 → 0.58 in 1,000 iterations, still falling in a straight line
    assert alone.array("train_loss")[0] == pytest.approx(0.715, abs=1e-3)
    assert lr_verdict(alone) == "too small"


@pytest.mark.parametrize("seed", range(10))
def test_lab_verdicts_hold_for_every_seed(seed):
    verdicts = sweep_verdicts(sweep(seed))
    assert verdicts[0.001] == verdicts[0.01] == "too small"
    assert verdicts[1.0] == "good"
    assert verdicts[0.1] != "too large"
    assert verdicts[10.0] == "too large"  # every seed overshoots: a jump of 20 % or more, seen as an event


@pytest.mark.parametrize("seed", range(10))
def test_a_longer_run_does_not_make_a_tiny_step_good(seed):
    """At 10,000 iterations α = 0.001 got as far as α = 0.01 does in 1,000: still far above α = 1's loss."""
    histories = sweep(seed, lrs=(0.001, 1.0), iterations=10_000)
    assert histories[0.001].last("train_loss") > 0.2 > 100 * histories[1.0].last("train_loss")
    assert sweep_verdicts(histories) == {0.001: "too small", 1.0: "good"}


@pytest.mark.parametrize("seed", range(10))
def test_mini_batch_noise_is_not_overshoot(seed):
    """Logistic regression on moons, batch 10 or 32 at α = 0.1: single batches wobble, the run is fine.
    The net in the lab with batch 1 at α = 0.1 reaches the lowest loss of the sweep: not "too large"."""
    for batch_size in (10, 32):
        h = sweep(seed, lrs=(0.1,), batch_size=batch_size, kind="logistic")[0.1]
        assert np.any(np.diff(h.array("train_loss")) > 0)  # the raw loss does go up on some steps
        assert lr_verdict(h) == "good" and overshoot_events(h) == []
    batch_one = sweep(seed, lrs=(0.01, 0.1, 1.0), batch_size=1)
    assert h.epoch_length == 5 and batch_one[0.1].epoch_length == 150  # ⌈150 / 32⌉, ⌈150 / 1⌉
    verdicts = sweep_verdicts(batch_one)
    assert verdicts[0.1] == "good" and lr_verdict(batch_one[0.1]) == "good"
    if seed == 0:  # the lab's setting: α = 0.1 ends lowest, α = 1 jumps about
        finals = {lr: h.last("train_loss") for lr, h in batch_one.items()}
        assert min(finals, key=finals.get) == 0.1 and verdicts[1.0] == "too large"


@pytest.mark.parametrize("seed", range(10))
def test_logistic_regression_is_too_large_only_where_the_loss_zig_zags(seed):
    """α = 10: on circles the loss climbs into a period-2 cycle above its start (too large); on moons it
    settles where α = 1 does (good). No α in the app's range makes it blow up (see test_lr_steps_are_bounded)."""
    circles = sweep(seed, lrs=(1.0, 10.0), kind="logistic", data="circles")
    loss = circles[10.0].array("train_loss")
    assert loss[-1] > loss[0] + 0.1 and np.all(np.diff(loss[-20:]) != 0)
    assert np.all(np.sign(np.diff(loss[-20:]))[1:] == -np.sign(np.diff(loss[-20:]))[:-1])  # up, down, up, …
    assert sweep_verdicts(circles) == {1.0: "good", 10.0: "too large"}
    moons_runs = sweep(seed, lrs=(1.0, 10.0), kind="logistic")
    assert moons_runs[10.0].last("train_loss") == pytest.approx(moons_runs[1.0].last("train_loss"), abs=1e-3)
    assert sweep_verdicts(moons_runs) == {1.0: "good", 10.0: "good"}


def test_sweep_verdicts_on_hand_made_curves():
    def history(losses, epoch_length=1):
        h = History(("w",), epoch_length=epoch_length)
        for t, loss in enumerate(losses):
            h.append(Record(t, 0.1, loss, 0.5, {"w": 0.0}, {}))
        return h

    t = np.arange(200)
    fast = history(0.7 * np.exp(-t / 20) + 0.01)  # bends to its floor early
    slow = history(0.7 - 0.001 * t)  # a straight line: nothing says a floor is near
    tail = history(0.7 / (1 + t / 10))  # a 1/t tail: about one run from where it heads
    assert lr_verdict(fast) == "good" and lr_verdict(slow) == "too small" and lr_verdict(tail) == "good"
    assert sweep_verdicts({0.1: slow, 1.0: fast}) == {0.1: "too small", 1.0: "good"}
    # every run still on its way down: the best run shows no floor, so nothing is "good"
    assert sweep_verdicts({0.01: history(0.7 - 0.0001 * t), 0.1: slow}) == {0.01: "too small", 0.1: "too small"}
    # near the best is good even when the curve alone looks unfinished
    assert sweep_verdicts({0.1: history(0.0205 - 0.00001 * t), 1.0: fast}) == {0.1: "good", 1.0: "good"}
    ends_high = history(np.r_[0.7, np.full(199, 0.8)])  # rose 14 % and stayed: no spike, but never learnt
    assert lr_verdict(ends_high) == "too large"
    zigzag = history(0.5 + 0.02 * (t % 2) - 0.0005 * t)  # falls overall, but every other step goes up
    assert lr_verdict(zigzag) == "too large"
    assert lr_verdict(history(0.5 + 0.02 * (t % 2) - 0.0005 * t, epoch_length=2)) != "too large"


def test_a_diverged_history_can_still_be_read():
    ds = moons()
    h = fit(TwoLayerNet(2, 8, "relu", seed=0), ds.X_train, ds.y_train, 1e4, 200, batch_size=10)
    assert h.diverged_at is not None and lr_verdict(h) == "diverged"
    assert sweep_verdicts({1e4: h}) == {1e4: "diverged"}
    assert overshoot_events(h) and not overshoot_events(h)[-1].recovered

"""Numerical stability of the loss and sigmoid, and property-based checks over random shapes and weights."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import expit

from scratchnet import LogisticRegression, TwoLayerNet, bce_from_logits, gradcheck, sigmoid
from scratchnet.losses import bce_naive
from tests.hypothesis_profiles import examples


def strict():
    """Every warning an error, and every floating-point event but underflow raised.

    Underflow is the one event left alone: e^(−|z|) rounding to 0 for |z| > 745 is the exactly rounded
    answer (numpy ignores underflow by default for that reason), not a loss of accuracy.
    """
    stack = warnings.catch_warnings()
    stack.__enter__()
    warnings.simplefilter("error")
    errstate = np.errstate(all="raise", under="ignore")
    errstate.__enter__()
    return stack, errstate


class Strict:
    def __enter__(self):
        self._parts = strict()

    def __exit__(self, *exc):
        stack, errstate = self._parts
        errstate.__exit__(*exc)
        stack.__exit__(*exc)


def reference_bce(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-example −[y·log σ(z) + (1−y)·log(1−σ(z))] via numpy's own logaddexp (a separate code path)."""
    return y * np.logaddexp(0.0, -z) + (1 - y) * np.logaddexp(0.0, z)


def naive_sigmoid(z: np.ndarray) -> np.ndarray:
    """The textbook formula, as a first tutorial writes it."""
    return 1.0 / (1.0 + np.exp(-z))


# --- stability -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "z, y, expected",
    [
        (1e4, 0.0, 1e4), (-1e4, 0.0, 0.0), (1e4, 1.0, 0.0), (-1e4, 1.0, 1e4),
        (800.0, 0.0, 800.0), (-800.0, 1.0, 800.0), (0.0, 1.0, np.log(2)),
    ],
)
def test_bce_from_logits_exact_at_extreme_logits(z, y, expected):
    with Strict():
        loss = bce_from_logits(np.array([z]), np.array([y]))
    assert np.isfinite(loss)
    assert loss == pytest.approx(expected, rel=1e-15, abs=1e-300)


def test_bce_from_logits_matches_reference_across_the_range():
    z = np.concatenate([-np.logspace(-8, 4, 200), [0.0], np.logspace(-8, 4, 200)])
    with Strict():
        for y in (0.0, 1.0):
            ours = np.array([bce_from_logits(np.array([zi]), np.array([y])) for zi in z])
            ref = reference_bce(z, y)
            # Relative accuracy, except where the loss is the cancellation softplus(z) − y·z ≈ 0 (the right
            # side of a confident logit): there a few ulps of |z| absolute, far below a mean's rounding.
            assert np.all(np.abs(ours - ref) <= 1e-14 * ref + 4 * np.spacing(np.maximum(np.abs(z), 1.0)))
            np.testing.assert_allclose(ours[ref > 0.1], ref[ref > 0.1], rtol=1e-14)
        batch = bce_from_logits(np.array([1e4, -1e4, 1e4, -1e4]), np.array([0.0, 0.0, 1.0, 1.0]))
    assert batch == 5000.0


@pytest.mark.parametrize("z", [1e4, -1e4, 1e308, -1e308, 745.2, -745.2, 40.0, -40.0])
def test_sigmoid_finite_and_bounded_at_extremes(z):
    with Strict():
        s = sigmoid(np.array([z]))[0]
    assert np.isfinite(s) and 0.0 <= s <= 1.0
    assert s == pytest.approx(expit(z), rel=1e-15, abs=1e-300)
    if abs(z) >= 1e4:
        assert s == (1.0 if z > 0 else 0.0)


def test_sigmoid_monotone_and_symmetric():
    z = np.sort(np.concatenate([[-1e308, -1e4, -800, 800, 1e4, 1e308], np.linspace(-50, 50, 20001)]))
    with Strict():
        s = sigmoid(z)
    assert np.all(np.diff(s) >= 0)
    assert s[0] == 0.0 and s[-1] == 1.0
    assert sigmoid(np.array(0.0)) == 0.5
    mid = np.abs(z) < 30
    np.testing.assert_allclose(sigmoid(-z[mid]), 1 - s[mid], rtol=0, atol=3e-16)


def test_naive_formula_breaks_where_ours_does_not():
    z = np.array([1e4, -1e4])
    with pytest.warns(RuntimeWarning, match="overflow"):
        naive = naive_sigmoid(z)  # e^(1e4) overflows; the sketch's sigmoid lands exactly on 0 and 1
    np.testing.assert_array_equal(naive, [1.0, 0.0])

    # the textbook loss on those probabilities: log(0) → inf, and 0·log(0) → nan
    assert np.isinf(bce_naive(naive[:1], np.array([0.0])))
    assert np.isinf(bce_naive(naive[1:], np.array([1.0])))
    assert np.isnan(bce_naive(naive[1:], np.array([0.0])))
    # even our stable sigmoid cannot save the naive loss: σ(1e4) is exactly 1.0 in float64
    assert np.isinf(bce_naive(sigmoid(np.array([1e4])), np.array([0.0])))
    assert bce_naive(sigmoid(np.array([-40.0])), np.array([1.0])) == pytest.approx(40.0)  # fine at moderate z

    with Strict():
        assert bce_from_logits(np.array([1e4]), np.array([0.0])) == 1e4
        assert bce_from_logits(np.array([-1e4]), np.array([1.0])) == 1e4
        assert bce_from_logits(np.array([-1e4]), np.array([0.0])) == 0.0


# --- properties ------------------------------------------------------------------------------------------


@st.composite
def random_setups(draw, scale_range=(0.2, 1.5)):
    """A model with random shape, activation and weights, and random data, drawn through one numpy seed."""
    m = draw(st.integers(1, 40))
    d = draw(st.integers(1, 5))
    kind = draw(st.sampled_from(["logistic", "net"]))
    l2 = draw(st.sampled_from([0.0, 0.1]))
    scale = draw(st.floats(*scale_range))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = rng.normal(size=(m, d))
    y = rng.integers(0, 2, size=m).astype(np.float64)
    if kind == "logistic":
        model = LogisticRegression(d, l2=l2)
    else:
        h = draw(st.integers(1, 12))
        model = TwoLayerNet(d, h, draw(st.sampled_from(["relu", "tanh", "sigmoid"])), l2=l2)
    model.set_params({k: rng.normal(0.0, scale, size=p.shape) for k, p in model.params.items()})
    return model, X, y


@settings(max_examples=examples(60), deadline=None)
@given(setup=random_setups())
def test_gradients_match_finite_differences(setup):
    model, X, y = setup
    _, cache = model.forward(X)
    grads = model.backward(cache, y)
    result = gradcheck(model, X, y)
    assume(result.near_kink == 0)  # ReLU: a step straddling the corner is not a fair reference
    # The central difference carries ~1e-11 of rounding noise, so an entry whose true gradient is tiny
    # (but not exactly 0) has no meaningful relative error; skip those draws (about 1 in 100).
    small = [np.any((np.abs(g) < 1e-5) & (g != 0)) for g in grads.values()]
    assume(not any(small))
    assert result.worst < 1e-5, result.table()


@settings(max_examples=examples(60), deadline=None)
@given(setup=random_setups(scale_range=(0.01, 30.0)))
def test_outputs_are_finite_and_in_range(setup):
    model, X, y = setup
    X = X * 10  # larger inputs, larger logits
    loss = model.loss(X, y)
    assert np.isfinite(loss) and loss >= 0
    pred = model.predict(X)
    assert pred.shape == y.shape and set(np.unique(pred)) <= {0, 1}
    proba = model.predict_proba(X)
    assert np.all(np.isfinite(proba)) and np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_array_equal(pred, (proba > 0.5).astype(int))
    _, cache = model.forward(X)
    assert all(np.all(np.isfinite(g)) for g in model.backward(cache, y).values())


@settings(max_examples=examples(60), deadline=None)
@given(
    z=hnp.arrays(np.float64, st.integers(1, 40), elements=st.floats(-1e300, 1e300)),
    data=st.data(),
)
def test_loss_and_sigmoid_on_arbitrary_logits(z, data):
    y = data.draw(hnp.arrays(np.float64, z.shape, elements=st.sampled_from([0.0, 1.0])))
    with Strict():
        loss = bce_from_logits(z, y)
        s = sigmoid(z)
    assert np.isfinite(loss) and loss >= 0
    assert np.all((s >= 0) & (s <= 1))
    order = np.argsort(z, kind="stable")
    assert np.all(np.diff(s[order]) >= 0)
    np.testing.assert_allclose(loss, np.mean(reference_bce(z, y)), rtol=1e-12, atol=1e-15)


@settings(max_examples=examples(60), deadline=None)
@given(
    z=hnp.arrays(np.float64, st.integers(0, 40), elements=st.floats(-1e300, 1e300)),
    data=st.data(),
)
def test_loss_and_sigmoid_from_one_exponential_are_bit_for_bit_the_separate_ones(z, data):
    """A full-batch step takes the loss and σ(z) from one e^(−|z|); it must change nothing."""
    from scratchnet.losses import bce_and_sigmoid

    y = data.draw(hnp.arrays(np.float64, z.shape, elements=st.sampled_from([0.0, 1.0])))
    with Strict():
        loss, s = bce_and_sigmoid(z, y)
        expected = bce_from_logits(z, y)
        np.testing.assert_array_equal(s, sigmoid(z))
    assert loss == expected or (np.isnan(loss) and np.isnan(expected))


def test_a_full_batch_record_carries_exactly_the_gradient_of_its_theta():
    from scratchnet import train

    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(50, 3)), rng.integers(0, 2, size=50).astype(np.float64)
    for model in (LogisticRegression(3, l2=0.1, seed=2), TwoLayerNet(3, 5, "relu", l2=0.1, seed=2)):
        probe = model.copy()
        for rec in train(model, X, y, 0.5, 5, snapshot_every=1):
            probe.set_params(rec.params)
            fresh = probe.gradients(X, y)  # σ(z) computed on its own
            for name, g in fresh.items():
                np.testing.assert_array_equal(rec.grads[name], g)

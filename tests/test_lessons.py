"""Each lesson preset's 'what to look for' must stay true: run its setup with the core and check the claim."""

from __future__ import annotations

import numpy as np
import pytest

from scratchnet import LogisticRegression, TwoLayerNet, fit
from scratchnet.data import synthetic_dataset
from scratchnet.features import expand_features
from ui.lessons import PRESETS_BY_KEY
from ui.params import DEFAULTS


def run(key: str, **override):
    values = {**DEFAULTS, **PRESETS_BY_KEY[key].params, **override}
    ds = synthetic_dataset(values["data"], n=values["n"], noise=values["noise"], seed=values["seed"],
                           test_ratio=values["test"])
    extras = tuple(values["feats"])
    X_train = expand_features(ds.X_train, extras) if extras else ds.X_train
    X_test = expand_features(ds.X_test, extras) if extras else ds.X_test
    if PRESETS_BY_KEY[key].page == "logistic":
        model = LogisticRegression(X_train.shape[1], seed=values["seed"])
    else:
        model = TwoLayerNet(X_train.shape[1], values["hidden"], values["act"], seed=values["seed"])
    return fit(model, X_train, ds.y_train, values["lr"], values["iters"], X_test=X_test, y_test=ds.y_test)


@pytest.mark.parametrize("seed", range(10))
def test_too_large_overshoots_then_recovers(seed):
    from scratchnet.landscape import overshoot_events

    h = run("lr_too_large", seed=seed, iters=300)
    events = overshoot_events(h)
    assert h.diverged_at is None and events
    first = events[0]
    assert first.peak_iteration <= 12 and first.peak > h.array("train_loss")[0] and first.recovered
    assert h.columns["dead_units"][-1] >= 5


def test_too_small_creeps():
    slow, fast = run("lr_too_small"), run("lr_too_small", lr=0.1)
    assert 0.35 < slow.last("train_loss") < 0.5 and fast.last("train_loss") < 0.05


def test_logistic_regression_cannot_do_xor():
    h = run("lr_cant_xor")
    assert h.last("train_acc") < 0.65
    assert h.array("grad_norm_w")[-1] < 1e-6  # at its optimum, and still wrong


def test_hidden_units_make_xor_possible():
    assert run("net_xor").last("test_acc") > 0.95


def test_feature_crosses_solve_circles():
    assert run("crosses_circles").last("test_acc") > 0.95
    assert run("crosses_circles", feats=[]).last("train_acc") < 0.75


def test_sigmoid_units_start_with_a_vanishing_first_layer_gradient():
    sig, relu = run("vanishing_sigmoid"), run("vanishing_sigmoid", act="relu")
    assert sig.array("grad_norm_W1")[0] * 20 < sig.array("grad_norm_w2")[0]
    assert relu.array("grad_norm_W1")[0] > 20 * sig.array("grad_norm_W1")[0]
    assert relu.last("train_loss") * 5 < sig.last("train_loss")


def test_overfitting_test_loss_turns_while_train_loss_falls():
    h = run("overfitting")
    test = h.array("test_loss")
    assert h.last("train_loss") < 0.05
    assert test[-1] > 2 * np.nanmin(test)


@pytest.mark.parametrize("key", sorted(PRESETS_BY_KEY))
def test_every_preset_link_names_its_lesson(key):
    preset = PRESETS_BY_KEY[key]
    assert f"lesson={key}" in preset.url() and preset.url().startswith("/")
    assert preset.look_for.count(". ") >= 1  # two sentences

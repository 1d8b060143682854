"""The math page's tables: the one-example trace as the core's rows (Model.trace_steps), and the gradient check
judged per tensor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scratchnet import ACTIVATIONS, LogisticRegression, TwoLayerNet, gradcheck, sigmoid
from scratchnet.gradcheck import GradCheckResult, GradCheckRow
from scratchnet.models import TraceStep
from scratchnet.ui.explain import cell_text, gradcheck_frame, initialisation_text, trace_table

X = np.array([0.4, -1.2])


def rows(model, y: float = 1.0) -> dict[str, TraceStep]:
    return {s.label: s for s in model.trace_steps(X, y)}


NET_ORDER = ["x", "a1 = W1·x + b1", "h1 = g(a1)", "z = w2·h1 + b2", "ŷ = σ(z)", "y",
             "L (cross-entropy)", "penalty = (λ/2)·‖W‖²", "objective J = L + penalty",
             "dL/dz = ŷ − y", "dw2 = (ŷ − y)·h1", "db2 = ŷ − y", "dL/dh1 = (ŷ − y)·w2", "g'(a1) = relu'(a1)",
             "dL/da1 = dL/dh1 ⊙ g'(a1)", "db1 = dL/da1", "dW1 = dL/da1·xᵀ"]


def test_net_trace_rows_follow_the_derivation_without_a_penalty():
    net = TwoLayerNet(2, 8, "relu", seed=0)
    steps = net.trace_steps(X, 1.0)
    assert [s.label for s in steps] == NET_ORDER  # λ = 0: no "+ λ·W" rows
    r = {s.label: s.value for s in steps}
    assert r["penalty = (λ/2)·‖W‖²"] == 0.0 and r["objective J = L + penalty"] == r[NET_ORDER[6]]
    assert isinstance(r["y"], int) and r["g'(a1) = relu'(a1)"].dtype == np.float64


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_with_a_penalty_each_weight_gradient_shows_its_data_term_and_lambda_w_apart(y):
    """Issue 10's repro: at λ > 0 the row "dw2 = (ŷ − y)·h1" held λ·w2 where h1 = 0."""
    net = TwoLayerNet(2, 8, "relu", l2=0.1, seed=0)
    r = rows(net, y)
    h1 = r["h1 = g(a1)"].value
    y_hat = float(sigmoid(r["z = w2·h1 + b2"].value))
    assert np.any(h1 == 0)
    np.testing.assert_allclose(r["dw2 = (ŷ − y)·h1"].value, (y_hat - y) * h1, rtol=1e-14)
    assert np.all(r["dw2 = (ŷ − y)·h1"].value[h1 == 0] == 0.0)
    np.testing.assert_allclose(r["+ λ·w2"].value, 0.1 * net.params["w2"], rtol=1e-14)
    np.testing.assert_allclose(r["∂J/∂w2 = dw2 + λ·w2"].value, net.gradients(X[None], np.array([y]))["w2"],
                               rtol=1e-12)
    np.testing.assert_allclose(r["+ λ·W1"].value, 0.1 * net.params["W1"], rtol=1e-14)
    assert "+ λ·b1" not in r and "+ λ·b2" not in r  # biases are not penalised
    ce = r["L (cross-entropy)"].value
    assert ce == pytest.approx(-np.log(y_hat if y else 1 - y_hat), rel=1e-12)
    assert r["penalty = (λ/2)·‖W‖²"].value == pytest.approx(net.penalty(), rel=1e-14) and net.penalty() > 0
    assert r["objective J = L + penalty"].value == pytest.approx(ce + net.penalty(), rel=1e-14)
    labels = [s.label for s in net.trace_steps(X, y)]
    assert labels.index("dw2 = (ŷ − y)·h1") + 1 == labels.index("+ λ·w2")


def test_logistic_regression_trace_rows():
    model = LogisticRegression(2, l2=0.5, seed=3)
    labels = [s.label for s in model.trace_steps(X, 0.0)]
    assert labels == ["x", "z = w·x + b", "ŷ = σ(z)", "y", "L (cross-entropy)",
                      "penalty = (λ/2)·‖W‖²", "objective J = L + penalty", "dL/dz = ŷ − y", "dw = (ŷ − y)·x",
                      "+ λ·w", "∂J/∂w = dw + λ·w", "db = ŷ − y"]
    r = rows(model, 0.0)
    np.testing.assert_allclose(r["dw = (ŷ − y)·x"].value, float(r["ŷ = σ(z)"].value) * X, rtol=1e-14)


def test_trace_table_shows_every_row_as_text():
    net = TwoLayerNet(2, 8, "relu", l2=0.1, seed=0)
    table = trace_table(net, X, 1.0)
    assert list(table["quantity"]) == [s.label for s in net.trace_steps(X, 1.0)]
    assert table.set_index("quantity").loc["y", "value"] == "1"
    assert cell_text(np.arange(6.0)) == "[+0.000, +1.000, +2.000, +3.000, … (6 in all)]"


def gradcheck_of(rel_error: float, max_rel_error: float) -> GradCheckResult:
    row = GradCheckRow("b1", (8,), 1.0, 1.0, 2.9e-12, max_rel_error, rel_error)
    return GradCheckResult([row], near_kink=0, eps=1e-5)


def test_gradcheck_table_passes_on_the_per_tensor_error_and_keeps_the_worst_entry():
    """A correct tensor with one tiny entry: per entry 1.24e-6 (the old ✘), per tensor far below 1e-6."""
    frame = gradcheck_frame(gradcheck_of(3e-10, 1.24e-6))
    assert frame.loc[0, "agrees"] == "✔" and frame.loc[0, "max relative error"] == 1.24e-6
    assert gradcheck_frame(gradcheck_of(2e-6, 2e-6)).loc[0, "agrees"].startswith("✘")
    rng = np.random.default_rng(0)
    Xs, ys = rng.normal(size=(20, 2)), (rng.random(20) > 0.5).astype(float)
    real = gradcheck_frame(gradcheck(TwoLayerNet(2, 4, "tanh", l2=0.1, seed=0), Xs, ys))
    assert isinstance(real, pd.DataFrame) and (real["agrees"] == "✔").all()


def test_initialisation_is_named_after_whoever_proposed_it():
    text = initialisation_text()
    assert "N(0, 2/fan_in) for ReLU (He's)" in text and "N(0, 1/fan_in) for tanh, sigmoid and linear (LeCun's)" in text
    assert {a.init_name for a in ACTIVATIONS.values()} == {"He", "LeCun"} and "Glorot" not in text
    model = LogisticRegression(20_000, seed=0)  # "w ~ N(0, 0.1²)"
    assert np.std(model.params["w"]) == pytest.approx(0.1, rel=0.03) and "w ~ N(0, 0.1²)" in text
    net = TwoLayerNet(400, 400, "tanh", seed=0)  # "w2 from N(0, 1/h)", W1 from N(0, 1/fan_in)
    assert np.std(net.params["w2"]) == pytest.approx(np.sqrt(1 / 400), rel=0.1)
    assert np.std(net.params["W1"]) == pytest.approx(np.sqrt(1 / 400), rel=0.02)


# --- K ≥ 3 classes ----------------------------------------------------------------------------------------
def test_initialisation_text_holds_for_k_classes():
    text = initialisation_text()
    assert "every row of W2 and of W starts the same way" in text
    model = LogisticRegression(20_000, seed=0, n_classes=3)
    assert np.std(model.params["W"]) == pytest.approx(0.1, rel=0.03)
    net = TwoLayerNet(4, 400, "tanh", seed=0, n_classes=3)
    assert np.std(net.params["W2"]) == pytest.approx(np.sqrt(1 / 400), rel=0.1)


def test_math_page_derives_softmax_and_traces_and_checks_k_classes():
    from tests.app_support import open_page

    at = open_page("math", data="spiral3")
    text = " ".join(m.value for m in at.markdown)
    assert "More than two classes: softmax" in text and "defined only up to a shared shift" in text
    assert any(r"\operatorname{softmax}(z)_k" in latex.value for latex in at.latex)
    assert any(r"\frac{1}{m}(P - Y)" in latex.value for latex in at.latex)
    trace, check = at.dataframe[0].value, at.dataframe[1].value
    quantities = list(trace["quantity"])
    assert "ŷ = softmax(z)" in quantities and "dL/dz = ŷ − onehot(y)" in quantities
    assert "dW2 = dL/dz·h1ᵀ" in quantities and "dL/dh1 = W2ᵀ·dL/dz" in quantities
    y_hat = trace.loc[trace["quantity"] == "ŷ = softmax(z)", "value"].iloc[0]
    assert y_hat.startswith("[") and y_hat.count(",") == 2  # three probabilities
    assert list(check["parameter"]) == ["W1", "b1", "W2", "b2"]
    passed = bool((check["relative error"] < 1e-6).all())
    assert passed or any("ReLU's corner" in c.value for c in at.caption)  # kinks are reported, not hidden
    at.radio(key="math_model").set_value("logistic").run()
    check = at.dataframe[1].value
    assert list(check["parameter"]) == ["W", "b"] and (check["relative error"] < 1e-6).all()
    assert list(check["agrees"]) == ["✔", "✔"]
    from scratchnet.ui.params import PARAMS_BY_KEY

    one_vs_rest = open_page("math", data="spiral3", classes=PARAMS_BY_KEY["classes"].encode("one-vs-rest"))
    quantities = list(one_vs_rest.dataframe[0].value["quantity"])
    assert "ŷ = σ(z)" in quantities and "ŷ = softmax(z)" not in quantities

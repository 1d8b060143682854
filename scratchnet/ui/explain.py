"""The math page: the derivation, then one example through the model in use and the gradient check, as tables."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from scratchnet import ACTIVATIONS, GradCheckResult, Model, gradcheck, make_model
from scratchnet.gradcheck import MAX_ENTRIES, TOLERANCE
from scratchnet.ui import controls, explain_deep, page, runs
from scratchnet.ui.page import PageContext
from scratchnet.ui.site import PAGES
from scratchnet.ui.text import md_list


def cell_text(values: Any, shown: int = 4) -> str:
    """A number, or the first few entries of a vector / matrix (row by row) — narrow enough for a projector."""
    if isinstance(values, int):
        return str(values)
    arr = np.atleast_1d(np.asarray(values, dtype=np.float64)) + 0.0  # + 0.0 turns −0.0 into 0.0
    text = ", ".join(f"{v:+.3f}" for v in arr.ravel()[:shown])
    return f"[{text}{f', … ({arr.size} in all)' if arr.size > shown else ''}]" if arr.size > 1 else text


def trace_table(model: Model, x: np.ndarray, y: float) -> pd.DataFrame:
    """One example through the model, one row per step of the derivation (scratchnet's Model.trace_steps):
    the loss terms apart (cross-entropy, penalty, objective) and each gradient's data term apart from + λW."""
    return pd.DataFrame([{"quantity": s.label, "value": cell_text(s.value)} for s in model.trace_steps(x, y)])


SHOWN = {"relu": "ReLU"}  # activation names as the text spells them
AGREES = {"agrees": "✔", "rounding": "✔ within the difference's own error", "disagrees": "✘ (see note)"}


def gradcheck_frame(result: GradCheckResult, tol: float = TOLERANCE) -> pd.DataFrame:
    """The check per tensor: ‖a − n‖ / (‖a‖ + ‖n‖) below tol is ✔; above it, ✔ still when the disagreement is
    within the finite difference's own error (it moves that much when ε changes), else ✘. The worst single
    entry is shown beside it."""
    frame = pd.DataFrame(result.table())
    frame["agrees"] = [AGREES[r.status(tol)] for r in result.rows]
    return frame


GRADCHECK_KEY = "math_gradcheck"  # (model and data, result) of the last check, this session only
CHECK_ROWS = 100  # training examples the gradient check uses …
CHECK_WORK = 5e5  # … fewer for a big model: (examples × weights) per loss evaluation at most (issue #21)


def check_rows(model: Model, n_train: int) -> int:
    """How many training examples the check uses: CHECK_ROWS, fewer (at least 10) when the model is big: a 6×32
    net on 299 inputs (14,720 weights) takes 33, so its ~600 loss evaluations cost 0.05 s of CPU, not 0.14 s."""
    return int(min(n_train, CHECK_ROWS, max(10, CHECK_WORK // max(1, model.n_params))))


def checked(model: Model, problem: Any) -> GradCheckResult:
    """The gradient check on check_rows training examples, once per model state and data set in this session: a
    rerun that changes neither (the example shown, a page switch back) reuses it."""
    n = check_rows(model, problem.dataset.n_train)
    params = model.get_params()
    digest = hashlib.sha256()
    for name in sorted(params):
        digest.update(name.encode() + np.ascontiguousarray(params[name]).tobytes())
    key = (problem.signature, type(model).__name__, repr(sorted(model.config().items())), digest.hexdigest(), n)
    kept = st.session_state.get(GRADCHECK_KEY)
    if kept is None or kept[0] != key:
        kept = (key, gradcheck(model, problem.X_train[:n], problem.y_train[:n]))
        st.session_state[GRADCHECK_KEY] = kept
    return kept[1]


# --- the page ----------------------------------------------------------------------------------------
def math_page(ctx: PageContext) -> None:
    """The derivation on the left; on the right, one example through the model in use and a gradient check."""
    theory, live_numbers = st.columns([1, 1.05])
    with theory:
        derivation()
        explain_deep.theory()
    with live_numbers:
        kind = controls.draw("math_model", horizontal=True)
        ctx.settings = ctx.settings.replace(math_model=kind)
        if page.require_data(ctx):
            with page.guard("the live numbers"):
                numbers(ctx, kind)
                explain_deep.live_numbers(kind)


def derivation() -> None:
    st.markdown("#### 1 · The loss")
    st.markdown("For m examples with labels y ∈ {0, 1} and predicted probabilities ŷ, the mean binary "
                "cross-entropy measures how surprised the model is by the truth:")
    st.latex(r"L = -\frac{1}{m}\sum_{i=1}^{m}\big[y_i\log\hat y_i + (1-y_i)\log(1-\hat y_i)\big]")
    st.latex(r"\hat y = \sigma(z) = \frac{1}{1+e^{-z}}")
    st.markdown("In code we never take log(ŷ): with log σ(z) = −softplus(−z) each term is "
                "softplus(z) − y·z, finite even when ŷ rounds to exactly 0 or 1.")
    st.markdown("#### 2 · The sigmoid's slope")
    st.latex(r"\begin{aligned}\sigma'(z) &= \frac{e^{-z}}{(1+e^{-z})^2}"
             r" = \frac{1}{1+e^{-z}}\cdot\frac{e^{-z}}{1+e^{-z}} \\ &= \sigma(z)\,\big(1-\sigma(z)\big)\end{aligned}")
    st.markdown("#### 3 · The error at the output")
    st.latex(r"\frac{\partial L_i}{\partial z_i} = \Big(-\frac{y_i}{\hat y_i} + \frac{1-y_i}{1-\hat y_i}\Big)"
             r"\,\hat y_i(1-\hat y_i) = \hat y_i - y_i")
    st.markdown("Everything below is this one quantity, ŷ − y, passed backwards by the chain rule.")
    st.markdown("#### 4 · Logistic regression: z = w·x + b")
    st.latex(r"\frac{\partial L}{\partial w} = \frac{1}{m}X^\top(\hat y - y),\qquad"
             r"\frac{\partial L}{\partial b} = \frac{1}{m}\sum_i(\hat y_i - y_i)")
    st.markdown("No formula solves Xᵀ(σ(Xw + b) − y) = 0 for w, so we walk downhill instead:")
    st.latex(r"\theta \leftarrow \theta - \alpha\,\frac{\partial L}{\partial \theta}")
    st.markdown("The learning rate α sets the step: too small and learning crawls; too large and a step lands "
                "past the minimum, up the valley's far side, so the loss rises. Here that rarely means a blow-up: "
                "|ŷ − y| ≤ 1 bounds each step of logistic regression, which zig-zags across the valley instead, "
                "and a network's loss can spike far above its start, then usually comes back down. A true "
                "blow-up, a number overflowing, comes from the L2 penalty below when λ·α > 2.")
    st.markdown("#### 5 · The network: a1 = W1x + b1, h1 = g(a1), z = w2·h1 + b2")
    st.markdown("Per example, reading the chain from the output back to the input:")
    st.latex(r"\frac{\partial L}{\partial b_2} = \hat y - y \qquad"
             r"\frac{\partial L}{\partial w_2} = (\hat y - y)\,h_1")
    st.latex(r"\frac{\partial L}{\partial h_1} = (\hat y - y)\,w_2 \qquad"
             r"\frac{\partial L}{\partial a_1} = \frac{\partial L}{\partial h_1}\odot g'(a_1)")
    st.latex(r"g'(a) = \begin{cases}1 & a>0\\ 0 & a\le 0\end{cases}\quad\text{(ReLU)}")
    st.latex(r"\frac{\partial L}{\partial b_1} = \frac{\partial L}{\partial a_1} \qquad"
             r"\frac{\partial L}{\partial W_1} = \frac{\partial L}{\partial a_1}\,x^\top")
    st.markdown("Over the whole training set each gradient is the mean of these per-example terms — in matrix "
                "form dW1 = (dL/dA1)ᵀX / m, one product for all m examples. tanh has g' = 1 − tanh², the "
                "sigmoid g' = σ(1 − σ) ≤ 0.25: a gradient passing back through it shrinks (vanishing gradients).")
    st.markdown("#### 6 · The L2 penalty, apart from the loss")
    st.markdown("With λ > 0 gradient descent minimises the objective J = L + (λ/2)·‖W‖², summed over the weight "
                "matrices (biases are not penalised). Each weight gradient gains + λW, so a step multiplies W by "
                "1 − λα before the data term moves it: with λ·α > 2 that factor is below −1, the weights flip sign "
                "and grow until a number overflows — the run diverges. The loss curves show the cross-entropy L "
                "alone; the penalty and the objective are shown apart.")
    st.latex(r"J = L + \frac{\lambda}{2}\lVert W\rVert^2,\qquad"
             r"\frac{\partial J}{\partial W} = \frac{\partial L}{\partial W} + \lambda W")
    st.markdown("#### 7 · Where the steps start")
    st.markdown(initialisation_text())
    softmax_derivation()


def softmax_derivation() -> None:
    """K ≥ 3 classes: softmax, its cross-entropy, the same error ŷ − y at the output, and the shared shift."""
    st.markdown("#### 8 · More than two classes: softmax")
    st.markdown("With K classes the model has K outputs z₁ … z_K, one score per class (logistic regression: "
                "z = Wx + b with one row of W per class; the network: z = W2·h1 + b2). The softmax turns them into "
                "probabilities that are positive and sum to 1:")
    st.latex(r"\hat y_k = \operatorname{softmax}(z)_k = \frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}}")
    st.markdown("The cross-entropy is again the surprise at the true class y, −log ŷ_y:")
    st.latex(r"L_i = -\log \hat y_{i,y_i} = \log\sum_{j} e^{z_{ij}} - z_{i,y_i}")
    st.markdown("In code the log-sum-exp is taken as c + log Σⱼ e^(z_j − c) with c = max z: no e^ overflows and "
                "the sum is at least 1, so the loss is exact even for scores of ±10⁴.")
    st.latex(r"\frac{\partial L_i}{\partial z_k} = \frac{e^{z_k}}{\sum_j e^{z_j}} - [k = y_i] = \hat y_k - Y_k"
             r"\qquad\Longrightarrow\qquad \frac{\partial L}{\partial Z} = \frac{1}{m}(P - Y)")
    st.markdown("Y is y one-hot (1 for the true class, 0 elsewhere), P the m × K probabilities. It is the same "
                "error ŷ − y as for two classes, one column per class, and the chain rule goes on as before: "
                "dW = (P − Y)ᵀX / m, db = column means of P − Y; in the network dW2 = (P − Y)ᵀH1 / m and "
                "dL/dH1 = (P − Y)·W2. A point is coloured by the class with the largest probability.")
    st.markdown("**The coefficients are defined only up to a shared shift.** Adding the same vector to every row "
                "of W (and the same number to every bᵢ) adds the same amount to every score, and the softmax "
                "cancels it: the probabilities do not change. So two correct fits can have different weights. "
                "Gradient descent never moves that shift (each row of P − Y sums to 0), and an L2 penalty picks "
                "the weights whose rows sum to 0.")


def _and(words: list[str]) -> str:
    """["tanh", "sigmoid", "linear"] → "tanh, sigmoid and linear"."""
    return " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


def initialisation_text() -> str:
    """The starting weights as scratchnet draws them, each scheme under its author's name."""
    schemes = {}
    for name, act in ACTIVATIONS.items():
        schemes.setdefault((act.init_gain, act.init_name), []).append(name)
    w1 = "; ".join(f"N(0, {gain:g}/fan_in) for {_and([SHOWN.get(n, n) for n in names])} ({who}'s)"
                   for (gain, who), names in schemes.items())
    return (f"Biases start at 0. The network's W1 is drawn from {w1}, where fan_in is the number of inputs; "
            "w2 from N(0, 1/h), h the number of hidden units (LeCun's). Logistic regression starts from small "
            "random weights, w ~ N(0, 0.1²). With K classes every row of W2 and of W starts the same way. "
            "A deeper network draws every hidden layer's W_l like W1 (fan_in: the layer below's units) and its "
            "output weights like w2. The data seed and the weights seed fix all of them: same seeds, same start "
            "('New weights' changes only the weights seed).")


def numbers(ctx: PageContext, kind: str) -> None:
    """The model its page is training (else fresh starting weights): one example's trace, and the gradient check."""
    problem = ctx.problem
    assert problem is not None
    in_use = runs.model_in_use(kind, problem.n_inputs)
    if in_use is not None:
        model = in_use.model
        st.caption(f"Using the model from the {PAGES[in_use.page].label} page, at iteration {in_use.iteration}.")
    else:
        model = make_model(kind, problem.n_inputs, problem.n_classes, **ctx.settings.model_hyper())
        st.caption("Using fresh starting weights (train on the model page to see these numbers move).")
    ds = problem.dataset
    index = st.number_input("Training example #", 0, ds.n_train - 1, 0, key="math_example")
    x, y = problem.X_train[index], problem.y_train[index]
    st.markdown(f"**One example, forward and backward** — inputs {md_list(problem.input_names)} (standardised); "
                f"λ = {model.l2:g}")
    table = trace_table(model, x, y)
    st.dataframe(table, hide_index=True, width="stretch", height=35 * (len(table) + 1) + 3,
                 column_config={"quantity": st.column_config.TextColumn(width="medium"),
                                "value": st.column_config.TextColumn(width="large")})
    rows = check_rows(model, ds.n_train)
    st.markdown("**Gradient check** — the hand-derived gradients of the objective J = L + penalty against finite "
                "differences (L(θ+ε) − L(θ−ε)) / 2ε, the penalty's differenced apart, on "
                + (f"up to {CHECK_ROWS} training examples" if rows == min(CHECK_ROWS, ds.n_train) else
                   f"{rows} training examples (fewer than {CHECK_ROWS} for a model of {model.n_params:,} weights: "
                   "the check's two loss evaluations per entry stay quick)"))
    result = checked(model, problem)
    st.dataframe(gradcheck_frame(result), hide_index=True, width="stretch",
                 column_order=("parameter", "checked", "relative error", "agrees", "max relative error",
                               "‖analytic‖"),
                 column_config={
                     "relative error": st.column_config.NumberColumn("‖a − n‖ / (‖a‖ + ‖n‖)", format="%.1e"),
                     "max relative error": st.column_config.NumberColumn("worst entry", format="%.1e"),
                     "‖analytic‖": st.column_config.NumberColumn(format="%.3g")})
    st.caption("a is the hand-derived gradient of a tensor, n the finite difference. Pass or fail is per tensor: "
               "‖a − n‖ / (‖a‖ + ‖n‖) over its checked entries, the measure CS231n and scikit-learn's tests use. "
               "'worst entry' is the largest |a − n| / (|a| + |n|) of a single entry: where a gradient is nearly 0, "
               "rounding noise in the finite difference (about 10⁻¹¹) makes that large although the tensor is right.")
    if result.sampled:
        st.caption(f"A tensor with more than {MAX_ENTRIES} entries is checked on {MAX_ENTRIES} of them, chosen at "
                   "random ('checked'): two loss evaluations per entry would otherwise take seconds for a large "
                   "network. A wrong formula shows up in any sample of its entries.")
    if any(r.status() == "rounding" for r in result.rows):
        st.caption("'✔ within the difference's own error': above 10⁻⁶, but the finite difference itself moves that "
                   "much when ε is halved or doubled. That is its rounding (the loss is computed to about 16 "
                   "digits, then divided by 2ε) or its truncation, not the gradient being wrong: a wrong gradient "
                   "disagrees by the same amount at every ε. L and the penalty are differenced apart, ε scaled to "
                   "each, so a huge objective does not drown the data term.")
    if result.near_kink:
        st.caption(f"{result.near_kink} hidden pre-activations sit within a hair of ReLU's corner at 0; "
                   "there a finite difference straddles the kink and can disagree — that is the "
                   "check being honest, not the gradient being wrong.")
    elif all(r.status() == "agrees" for r in result.rows):
        st.caption("Every tensor's relative error is below 10⁻⁶: the derivation and the code agree.")
    elif result.passed():
        st.caption("Every tensor agrees, to 10⁻⁶ or within the finite difference's own error: the derivation and "
                   "the code agree.")
    else:
        st.caption("✘ marks a tensor whose relative error is 10⁻⁶ or more and more than three times what the finite "
                   "difference moves when ε is halved or doubled: there the hand-derived gradient and the finite "
                   "difference disagree by more than the difference's own error explains.")

"""The math page: the derivation, then one example through the model in use and the gradient check, as tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from scratchnet import GradCheckResult, Model, TwoLayerNet, gradcheck, make_model
from ui import controls, page, runs
from ui.page import PageContext
from ui.site import PAGES


def _cells(values: Any, shown: int = 4) -> str:
    """A number, or the first few entries of a vector / matrix (row by row) — narrow enough for a projector."""
    if isinstance(values, int):
        return str(values)
    arr = np.atleast_1d(np.asarray(values, dtype=np.float64))
    text = ", ".join(f"{v:+.3f}" for v in arr.ravel()[:shown])
    return f"[{text}{f', … ({arr.size} in all)' if arr.size > shown else ''}]" if arr.size > 1 else text


def trace_table(model: Model, trace: dict[str, Any]) -> pd.DataFrame:
    """Every intermediate value of one example, in the order of the derivation."""
    g = trace["grads"]
    rows: list[tuple[str, Any]] = [("x (standardised)", trace["X"][0])]
    if isinstance(model, TwoLayerNet):
        rows += [
            ("a1 = W1·x + b1", trace["a1"][0]),
            ("h1 = g(a1)", trace["h1"][0]),
            ("z = w2·h1 + b2", trace["z"]),
            ("ŷ = σ(z)", trace["y_hat"]),
            ("y", int(trace["y"])),
            ("L", trace["loss"]),
            ("dL/dz = ŷ − y", trace["dL_dz"]),
            ("dw2 = (ŷ − y)·h1", g["w2"]),
            ("db2 = ŷ − y", g["b2"]),
            ("dL/dh1 = (ŷ − y)·w2", trace["dL_dh1"][0]),
            ("g'(a1)", model.activation.g_prime(trace["a1"][0])),
            ("dL/da1 = dL/dh1 ⊙ g'(a1)", trace["dL_da1"][0]),
            ("db1 = dL/da1", g["b1"]),
            ("dW1 = dL/da1 · xᵀ", g["W1"]),
        ]
    else:
        rows += [
            ("z = w·x + b", trace["z"]),
            ("ŷ = σ(z)", trace["y_hat"]),
            ("y", int(trace["y"])),
            ("L", trace["loss"]),
            ("dL/dz = ŷ − y", trace["dL_dz"]),
            ("dw = (ŷ − y)·x", g["w"]),
            ("db = ŷ − y", g["b"]),
        ]
    return pd.DataFrame([{"quantity": q, "value": _cells(v)} for q, v in rows])


def gradcheck_frame(result: GradCheckResult, tol: float = 1e-6) -> pd.DataFrame:
    frame = pd.DataFrame(result.table())
    frame["agrees"] = np.where(frame["max relative error"] < tol, "✔", "✘ (see note)")
    return frame


# --- the page ----------------------------------------------------------------------------------------
def math_page(ctx: PageContext) -> None:
    """The derivation on the left; on the right, one example through the model in use and a gradient check."""
    theory, live_numbers = st.columns([1, 1.05])
    with theory:
        derivation()
    with live_numbers:
        kind = controls.draw("math_model", horizontal=True)
        ctx.settings = ctx.settings.replace(math_model=kind)
        if page.require_data(ctx):
            with page.guard("the live numbers"):
                numbers(ctx, kind)


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
    st.markdown("The learning rate α sets the step: too small and learning crawls; too large and each step "
                "overshoots the minimum, the loss rises and can blow up.")
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
    st.markdown("With an L2 penalty (λ/2)·‖W‖², each weight gradient gains + λW; biases are not penalised.")


def numbers(ctx: PageContext, kind: str) -> None:
    """The model its page is training (else fresh starting weights): one example's trace, and the gradient check."""
    problem = ctx.problem
    assert problem is not None
    in_use = runs.model_in_use(kind, problem.n_inputs)
    if in_use is not None:
        model = in_use.model
        st.caption(f"Using the model from the {PAGES[in_use.page].label} page, at iteration {in_use.iteration}.")
    else:
        model = make_model(kind, problem.n_inputs, **ctx.settings.model_hyper())
        st.caption("Using fresh starting weights (train on the model page to see these numbers move).")
    ds = problem.dataset
    index = st.number_input("Training example #", 0, ds.n_train - 1, 0, key="math_example")
    x, y = problem.X_train[index], ds.y_train[index]
    st.markdown(f"**One example, forward and backward** — features {', '.join(problem.input_names)}")
    table = trace_table(model, model.trace(x, y))
    st.dataframe(table, hide_index=True, width="stretch", height=35 * (len(table) + 1) + 3,
                 column_config={"quantity": st.column_config.TextColumn(width="medium"),
                                "value": st.column_config.TextColumn(width="large")})
    st.markdown("**Gradient check** — the hand-derived gradients against finite differences "
                "(L(θ+ε) − L(θ−ε)) / 2ε, on up to 100 training examples")
    n = min(100, ds.n_train)
    result = gradcheck(model, problem.X_train[:n], ds.y_train[:n])
    st.dataframe(gradcheck_frame(result), hide_index=True, width="stretch",
                 column_order=("parameter", "max relative error", "agrees", "‖analytic‖"),
                 column_config={"max relative error": st.column_config.NumberColumn(format="%.1e"),
                                "‖analytic‖": st.column_config.NumberColumn(format="%.3g")})
    if result.near_kink:
        st.caption(f"{result.near_kink} hidden pre-activations sit within a hair of ReLU's corner at 0; "
                   "there a finite difference straddles the kink and can disagree — that is the "
                   "check being honest, not the gradient being wrong.")
    elif result.passed():
        st.caption("Every relative error is below 10⁻⁶: the derivation and the code agree.")

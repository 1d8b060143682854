"""Why α overshoots, as pictures: the loss along the gradient for one step of α, and (logistic regression with
two inputs) the loss surface with the path gradient descent took.

The learning-rate lab draws these for its sweep; a model page calls overshoot_panel when its run is paused.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from scratchnet import History, LogisticRegression, Model, figures, loss_along_gradient, loss_surface, max_step_length
from scratchnet.landscape import penalty_diverges, weight_path
from scratchnet.problem import Problem
from scratchnet.ui.params import fmt

SCAN_HEIGHT = 400
SURFACE_HEIGHT = 420
CHART_CONFIG = {"displayModeBar": False}
SCAN_CAPTION = ("The curve is the loss a step of any length t along −∇L (the full-batch gradient) would reach; "
                "the dot is where α's step lands. Left of the lowest point a step falls short; right of it, it "
                "jumps past the floor; above the start, it overshoots: the loss goes up.")
SURFACE_CAPTION = ("The path is gradient descent from its start (white) to now (★). A path that crosses the "
                   "valley back and forth means α is too large for the valley's steep side.")


def num(x: float) -> str:
    """A number as the captions print it: 3 significant digits, a true minus sign."""
    return f"{x:.3g}".replace("-", "−")


def has_surface(model: Model) -> bool:
    """The loss surface over (w1, w2) is drawn for logistic regression with exactly two inputs."""
    return isinstance(model, LogisticRegression) and model.n_features == 2 and model.n_classes == 2


def line_scan_chart(model: Model, problem: Problem, lr: float, *, key: str, caption: str = SCAN_CAPTION,
                    title: str | None = None) -> None:
    """The objective along the full-batch gradient at the model's θ, with where one step of α lands: named
    J = L + penalty on its axis when λ > 0 (what the scan computes), the loss L otherwise."""
    scan = loss_along_gradient(model, problem.X_train, problem.y_train, lr)
    quantity = "objective J = L + penalty" if model.l2 else "loss L"
    st.plotly_chart(figures.line_scan_figure(scan, height=SCAN_HEIGHT, title=title or figures.SCAN_TITLE,
                                             quantity=quantity), key=key, config=CHART_CONFIG)
    st.caption(caption)


def surface_chart(model: LogisticRegression, problem: Problem, history: History, *, key: str) -> None:
    """The loss over (w1, w2) at the model's b, and the path: the run's snapshots of w, then the current w.
    A diverged run's weights grew without bound: no picture can hold its path, so a sentence says so."""
    if history.diverged_at is not None:
        st.caption(f"No loss surface for this run: it diverged at iteration {history.diverged_at}, its weights "
                   "growing far beyond any picture.")
        return
    path = np.vstack([weight_path(history).reshape(-1, 2), model.params["w"][None, :]])
    surface = loss_surface(model, problem.X_train, problem.y_train, path)
    st.plotly_chart(figures.loss_surface_figure(surface, height=SURFACE_HEIGHT), key=key, config=CHART_CONFIG)
    st.caption(SURFACE_CAPTION)


def step_bound_note(model: Model, problem: Problem, lr: float, batch_size: int | None = None) -> str:
    """What a large α can and cannot do to this model, in one or two sentences: λ·α > 2 blows up any model
    (the penalty's own step overshoots); logistic regression's steps are bounded otherwise; "" for a network."""
    if penalty_diverges(lr, model.l2):
        return (f"λ·α = {fmt(model.l2)} × {fmt(lr)} > 2: the penalty's part of each step multiplies the weights by "
                f"1 − λα = {num(1 - model.l2 * lr)}, so its pull towards zero overshoots zero. The weights flip sign "
                "and grow until a number overflows: a true blow-up.")
    if not isinstance(model, LogisticRegression):
        return ""
    bound = max_step_length(problem.X_train, lr, batch_size, model.n_classes)
    penalty = " (with λ·α ≤ 2 the penalty keeps the weights bounded too)" if model.l2 else ""
    if model.n_classes > 2:
        return (f"Softmax regression cannot blow up here: ‖ŷ − y‖ ≤ √2 (y one-hot), so one step moves (W, b) by at "
                f"most √2·α·mean‖(x, 1)‖, {num(bound)} here{penalty}. Too large an α zig-zags instead.")
    return (f"Logistic regression cannot blow up here: |ŷ − y| ≤ 1, so one step moves (w, b) by at most "
            f"α·mean‖(x, 1)‖, {num(bound)} here{penalty}. Too large an α zig-zags across the valley instead.")


def overshoot_panel(model: Model, problem: Problem, history: History, lr: float, *, batch_size: int | None = None,
                    key: str = "overshoot") -> None:
    """Why α overshoots, for a paused run: the loss along the current gradient with where α's next step lands,
    and for logistic regression with two inputs the loss surface with the path this run took.

    `model` is the run's model now (left unchanged), `history` its History (its snapshots make the path), `lr`
    the α the next step would use, `batch_size` the run's (None: full batch). `key` prefixes the charts' keys.
    """
    st.markdown("**Why α overshoots** — where the next step of α lands")
    note = step_bound_note(model, problem, lr, batch_size)
    if history.diverged_at is not None:  # its last finite weights are far beyond any picture
        st.caption(f"The run diverged at iteration {history.diverged_at}: there is no valley left to picture. "
                   f"{note} Press Reset to start again.")
        return
    if has_surface(model):
        left, right = st.columns(2)
        with left:
            line_scan_chart(model, problem, lr, key=f"{key}_scan")
        with right:
            surface_chart(model, problem, history, key=f"{key}_surface")
    else:
        line_scan_chart(model, problem, lr, key=f"{key}_scan")
        if isinstance(model, LogisticRegression) and model.n_classes > 2:
            st.caption(f"The loss surface over (w1, w2) is for two classes; this model has {model.n_classes} rows of "
                       "weights, too many to draw as one surface.")
        elif isinstance(model, LogisticRegression):
            st.caption(f"The loss surface over (w1, w2) needs exactly two inputs; this model has {model.n_features}.")
    if note:
        st.caption(note)

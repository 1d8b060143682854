"""The math page's sections for deeper networks and their training: the L-layer recursion, L1's zero rule and the
three update rules, with this run's numbers (the core computes every number; this module only shows them)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from scratchnet import TrainingRun
from scratchnet.optimizers import OptimizerState, flatten
from scratchnet.ui import runs
from scratchnet.ui.params import OPTIMIZER_LABELS
from scratchnet.ui.site import live_page_for

SHOWN_ENTRIES = 4  # of the first weight tensor, in the update table


def theory() -> None:
    """The left column's sections after the two-layer derivation."""
    st.markdown("#### Deeper · L hidden layers, one recursion")
    st.latex(r"a_l = h_{l-1} W_l^\top + b_l,\qquad h_l = g(a_l)\qquad (l = 1,\dots,L;\ h_0 = X)")
    st.latex(r"\delta_{L+1} = P - Y,\qquad \delta_l = \left(\delta_{l+1} W_{l+1}\right) \odot g'(a_l),\qquad "
             r"\frac{\partial L}{\partial W_l} = \frac{1}{m}\,\delta_l^\top h_{l-1},\qquad "
             r"\frac{\partial L}{\partial b_l} = \frac{1}{m}\sum_i \delta_{l,i}")
    st.markdown("δ_l = ∂L/∂a_l, one row per example. Each layer's error is the next layer's error sent back "
                "through its weights, times the slope of this layer's units: with one hidden layer this is the "
                "network's derivation above, with none it is logistic regression's. With linear units (g′ = 1) "
                "every layer is a linear map, so the whole network is one: its boundary stays straight.")
    st.markdown("#### L1 · weights that reach exactly 0")
    st.latex(r"J = L + \lambda_1 \sum_{w} |w|,\qquad w \leftarrow w - \alpha\,\lambda_1\,\mathrm{sign}(w)")
    st.markdown("As TF Playground does it, the L1 term is a step of its own after the gradient step: each weight "
                "moves α·λ₁ towards 0, and a weight that this would carry past 0 is set to **exactly 0**. So "
                "weights really reach 0 and can be counted, where L2's λ·w only shrinks them. Biases carry no "
                "penalty.")
    st.markdown("#### Three ways to take a step")
    st.latex(r"\text{Gradient descent:}\quad \theta_{t+1} = \theta_t - \alpha\, g_t")
    st.latex(r"\text{Momentum:}\quad v_{t+1} = \beta\, v_t - \alpha\, g_t,\qquad \theta_{t+1} = \theta_t + v_{t+1}")
    st.latex(r"\text{Adam:}\quad m_{t+1} = \beta_1 m_t + (1-\beta_1)\, g_t,\quad "
             r"v_{t+1} = \beta_2 v_t + (1-\beta_2)\, g_t^2,\quad "
             r"\theta_{t+1} = \theta_t - \alpha\,\frac{\sqrt{1-\beta_2^{\,t+1}}}{1-\beta_1^{\,t+1}}\cdot"
             r"\frac{m_{t+1}}{\sqrt{v_{t+1}}+\varepsilon}")
    st.markdown("g_t is ∂J/∂θ at θ_t (the L1 step comes after). Momentum's velocity keeps a β-weighted memory of "
                "past steps: on a bowl of curvature h it starts to oscillate once αh > (1 − √β)², yet diverges "
                "only past αh = 2(1 + β). Adam divides each entry's step by the running size of its own "
                "gradient, so its first step moves every weight by about α.")


def update_table(run: TrainingRun) -> pd.DataFrame:
    """The run's next update of its first weight tensor's first entries: θ_t, g_t, what the optimizer remembers,
    and θ_{t+1} − θ_t, from the optimizer itself on a copy of the run's state (the run is untouched)."""
    model = run.model
    _, cache = model.forward(run.X)
    g_tensors = model.smooth_backward(cache, np.asarray(run.y, dtype=np.float64))
    theta, _ = flatten(model.params)
    g, _ = flatten(g_tensors)
    before = run.state_at(run.iteration)
    after = OptimizerState(before.t, dict(before.slots))
    step = run.optimizer.update(theta, g, run.lr, after) - theta
    name = model.weight_names[0]
    n = min(SHOWN_ENTRIES, model.params[name].size)
    rows = {f"{name} (θ_t)": theta[:n], "g_t = ∂J/∂θ": g[:n]}
    for slot, value in after.slots.items():
        rows[f"{slot}_(t+1)"] = value[:n]
    rows["θ_(t+1) − θ_t"] = step[:n]
    return pd.DataFrame({"quantity": list(rows), **{f"[{k}]": [float(v[k]) for v in rows.values()]
                                                    for k in range(n)}})


def live_numbers(kind: str) -> None:
    """Under the gradient check: the live run's optimizer and its next step, and how many weights L1 has zeroed."""
    live = runs.get(live_page_for(kind))
    if live is None:
        return
    run: TrainingRun = live.run
    st.markdown(f"**The next step** — {OPTIMIZER_LABELS[run.optimizer.name]} at α = {run.lr:g}, iteration "
                f"{run.iteration:,} (the first {SHOWN_ENTRIES} entries of {run.model.weight_names[0]})")
    st.dataframe(update_table(run), hide_index=True, width="stretch")
    if run.model.l1:
        weights = [run.model.params[w] for w in run.model.weight_names]
        zeros, total = sum(int(np.count_nonzero(w == 0.0)) for w in weights), sum(w.size for w in weights)
        st.caption(f"L1 (λ₁ = {run.model.l1:g}) has set {zeros} of the {total} weights to exactly 0.")

"""How a step turns the gradient g_t = ∂J/∂θ at θ_t into θ_{t+1}: plain descent, heavy-ball momentum, Adam.

Each works on θ as one flat vector (training.py keeps it so). What an optimizer remembers between steps (the
velocity v, Adam's moments m and v, its step count t) lives in an OptimizerState that the run owns, not in the
optimizer: the same SGD()/Momentum()/Adam() can drive many runs, and a run's state is copied, kept and put back
with its weights (Pause, Step, look-back, a fork).

    SGD        θ_{t+1} = θ_t − α·g_t
    Momentum   v_{t+1} = β·v_t − α·g_t,   θ_{t+1} = θ_t + v_{t+1}        (v_0 = 0; heavy ball, not Nesterov)
    Adam       m_{t+1} = β₁·m_t + (1 − β₁)·g_t,   v_{t+1} = β₂·v_t + (1 − β₂)·g_t²      (m_0 = v_0 = 0)
               α_t = α·√(1 − β₂^(t+1)) / (1 − β₁^(t+1))      (both bias corrections folded into the step size)
               θ_{t+1} = θ_t − α_t·m_{t+1} / (√v_{t+1} + ε)
These are scikit-learn's updates (sklearn/neural_network/_stochastic_optimizers.py), written in the same order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

Params = dict[str, np.ndarray]


@dataclass
class OptimizerState:
    """What an optimizer carries from step to step: `t` updates taken, and named flat vectors in θ's order.

    A step replaces the vectors, never changes them in place, so a copy (`copy()`) is cheap and stays exact."""

    t: int = 0
    slots: dict[str, np.ndarray] = field(default_factory=dict)

    def copy(self) -> OptimizerState:
        return OptimizerState(self.t, dict(self.slots))


class Optimizer:
    """An update rule with its settings; the state it needs is passed in and updated (see OptimizerState)."""

    name: ClassVar[str]

    def update(self, theta: np.ndarray, g: np.ndarray, alpha: float, state: OptimizerState) -> np.ndarray:
        """θ_{t+1} from θ_t, g_t and α (a new vector); `state` moves on to t + 1."""
        raise NotImplementedError

    @property
    def stateful(self) -> bool:
        """True when a step depends on earlier steps (a run must keep the state to go back exactly)."""
        return True


@dataclass(frozen=True)
class SGD(Optimizer):
    """Plain gradient descent: θ ← θ − α·g."""

    name: ClassVar[str] = "sgd"

    def update(self, theta: np.ndarray, g: np.ndarray, alpha: float, state: OptimizerState) -> np.ndarray:
        state.t += 1
        return theta - alpha * g  # θ_{t+1} = θ_t − α·g_t

    @property
    def stateful(self) -> bool:
        return False


@dataclass(frozen=True)
class Momentum(Optimizer):
    """Heavy-ball momentum: the step is a velocity that remembers a β-weighted sum of past gradients."""

    beta: float = 0.9
    name: ClassVar[str] = "momentum"

    def __post_init__(self) -> None:
        if not 0.0 <= self.beta < 1.0:
            raise ValueError(f"β must be in [0, 1), not {self.beta!r}")

    def update(self, theta: np.ndarray, g: np.ndarray, alpha: float, state: OptimizerState) -> np.ndarray:
        v = state.slots.get("v")
        v = -alpha * g if v is None else self.beta * v - alpha * g  # v_{t+1} = β·v_t − α·g_t (v_0 = 0)
        state.slots["v"], state.t = v, state.t + 1
        return theta + v  # θ_{t+1} = θ_t + v_{t+1}


@dataclass(frozen=True)
class Adam(Optimizer):
    """Adam: a step along the running mean of g, scaled per entry by the running root-mean-square of g."""

    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    name: ClassVar[str] = "adam"

    def __post_init__(self) -> None:
        if not (0.0 <= self.beta1 < 1.0 and 0.0 <= self.beta2 < 1.0):
            raise ValueError(f"β₁ and β₂ must be in [0, 1), not {self.beta1!r} and {self.beta2!r}")
        if not self.eps > 0:
            raise ValueError(f"ε must be > 0, not {self.eps!r}")

    def update(self, theta: np.ndarray, g: np.ndarray, alpha: float, state: OptimizerState) -> np.ndarray:
        zero = np.zeros_like(g)
        m, v = state.slots.get("m", zero), state.slots.get("v", zero)
        t = state.t + 1
        m = self.beta1 * m + (1 - self.beta1) * g  # m_{t+1} = β₁·m_t + (1 − β₁)·g_t
        v = self.beta2 * v + (1 - self.beta2) * (g**2)  # v_{t+1} = β₂·v_t + (1 − β₂)·g_t²
        alpha_t = alpha * math.sqrt(1 - self.beta2**t) / (1 - self.beta1**t)  # α·√(1 − β₂ᵗ)/(1 − β₁ᵗ)
        state.slots["m"], state.slots["v"], state.t = m, v, t
        return theta + -alpha_t * m / (np.sqrt(v) + self.eps)  # θ_{t+1} = θ_t − α_t·m / (√v + ε)


def flatten(params: Params) -> tuple[np.ndarray, Params]:
    """θ as one vector, and params as views into it: one op then updates or checks every tensor."""
    theta = np.concatenate([p.reshape(-1) for p in params.values()]).astype(np.float64, copy=False)
    return theta, flat_views(theta, params)


def flat_views(vector: np.ndarray, like: Params) -> Params:
    """`vector` cut into tensors named and shaped as `like`'s (views, no copies)."""
    out, at = {}, 0
    for name, p in like.items():
        out[name] = vector[at : at + p.size].reshape(p.shape)
        at += p.size
    return out


def l1_shrink(theta: np.ndarray, shrink: np.ndarray) -> np.ndarray:
    """θ − shrink, where shrink = α·λ₁·sign(w_t) on the weights (0 on biases), as TF Playground's nn.ts takes
    the L1 step: a weight that the shrink carries across zero ("crossed 0 due to the regularization term") is
    set to exactly 0, so weights really reach 0. (nn.ts also marks such a link dead and never updates it again;
    here a weight at 0 gets no L1 push, sign(0) = 0, and moves again only if the data's gradient moves it.)"""
    shrunk = theta - shrink
    shrunk[theta * shrunk < 0] = 0.0
    return shrunk


OPTIMIZERS: dict[str, type[Optimizer]] = {cls.name: cls for cls in (SGD, Momentum, Adam)}


def make_optimizer(name: str, beta: float = 0.9, beta2: float = 0.999) -> Optimizer:
    """The optimizer the app names ("sgd", "momentum", "adam") with its β (Adam: β₁ = β and β₂)."""
    if name == "sgd":
        return SGD()
    if name == "momentum":
        return Momentum(beta)
    if name == "adam":
        return Adam(beta, beta2)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}")

"""Check the hand-derived gradients against central finite differences.

A finite difference carries its own error: rounding (about 1e-16·|L| divided by 2ε, growing as ε shrinks,
swamping it when the objective is far from 1, a blow-up at J ≈ 1e6) and truncation (of order ε²). So:
- the data term L and the penalty are differenced apart, each with ε scaled to its size (|L|, max |W|);
- a tensor that disagrees is differenced again at ε/2 and 2ε: those differ from the first by about the
  finite difference's own error (rounding doubles at ε/2, truncation grows 4× at 2ε), while a wrong
  gradient's error stays the same at every ε. It fails only when it disagrees by SPREAD_FACTOR times that.
A ReLU kink between θ − ε and θ + ε is counted in `near_kink` and reported rather than hidden.

Cost: at most `max_entries` entries per tensor are differenced (a seeded sample; all of them when the tensor
is smaller), so a 1,000-input network costs what a small one does. The table says how many were checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .models import Model

TINY = 1e-12
TOLERANCE = 1e-6  # a tensor agrees when ‖a − n‖ / (‖a‖ + ‖n‖) is below this
MAX_ENTRIES = 24  # entries differenced per tensor (a sample beyond this): bounds the check's cost
SPREAD_FACTOR = 3.0  # disagrees only if ‖a − n‖ exceeds this many times ‖n(ε) − n(kε)‖ (k = ½, 2): its own error


@dataclass(frozen=True)
class GradCheckRow:
    name: str  # parameter tensor, e.g. "W1"
    shape: tuple[int, ...]
    analytic_norm: float  # over the checked entries
    numeric_norm: float
    max_abs_diff: float
    max_rel_error: float  # worst single entry, |a − n| / (|a| + |n|): for display, not for pass/fail
    rel_error: float  # ‖a − n‖ / (‖a‖ + ‖n‖) over the checked entries: the data term's or the penalty's, the worse
    checked: int = 0  # entries differenced (0: all of them, for rows built by hand)
    spread: float | None = None  # max ‖n(ε) − n(kε)‖ / (‖a‖ + ‖n‖), k = ½, 2: the difference's own error (if measured)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape)) if self.shape else 1

    def status(self, tol: float = TOLERANCE) -> str:
        """'agrees' (below tol), 'rounding' (not below tol, but within SPREAD_FACTOR times the finite
        difference's own error: the disagreement is the difference's rounding or truncation) or 'disagrees'."""
        if self.rel_error < tol:
            return "agrees"
        if self.spread is not None and self.rel_error <= SPREAD_FACTOR * self.spread:
            return "rounding"
        return "disagrees"


def relative_error(a: np.ndarray, n: np.ndarray) -> float:
    """‖a − n‖ / (‖a‖ + ‖n‖), the per-tensor measure of CS231n and scikit-learn's tests; 0 when both are 0.

    Per entry, an entry whose true gradient is tiny (6.8e-7, say) turns the finite difference's rounding
    noise (~1e-12) into a large relative error although the tensor is right; over the tensor it cannot.
    """
    scale = float(np.linalg.norm(a) + np.linalg.norm(n))
    return float(np.linalg.norm(a - n)) / scale if scale > 0 else 0.0


class GradCheckResult(dict):
    """Relative error ‖a − n‖ / (‖a‖ + ‖n‖) per parameter tensor at the base ε (a dict name → float), with
    the details.

    `near_kink` counts hidden pre-activations within eps of a ReLU kink: there a finite difference straddles
    the corner and can disagree with the (one-sided) analytic gradient. They are reported, not hidden.
    """

    def __init__(self, rows: list[GradCheckRow], near_kink: int, eps: float) -> None:
        super().__init__({r.name: r.rel_error for r in rows})
        self.rows = rows
        self.near_kink = near_kink
        self.eps = eps

    @property
    def worst(self) -> float:
        return max(self.values()) if self else 0.0

    @property
    def sampled(self) -> bool:
        """Some tensor was checked on a sample of its entries."""
        return any(0 < r.checked < r.size for r in self.rows)

    def passed(self, tol: float = TOLERANCE) -> bool:
        """No tensor disagrees (one that agrees only at a larger ε, its error falling as ε grew, passes)."""
        return all(r.status(tol) != "disagrees" for r in self.rows)

    def table(self) -> list[dict[str, object]]:
        return [
            {
                "parameter": r.name,
                "shape": "×".join(map(str, r.shape)) or "scalar",
                "checked": f"{r.checked:,} of {r.size:,}" if 0 < r.checked < r.size else "all",
                "‖analytic‖": r.analytic_norm,
                "‖finite difference‖": r.numeric_norm,
                "relative error": r.rel_error,
                "finite difference's error": r.spread,
                "max |difference|": r.max_abs_diff,
                "max relative error": r.max_rel_error,
            }
            for r in self.rows
        ]


def _sample(size: int, max_entries: int | None, seed: int) -> np.ndarray:
    """Flat indices to difference: all of them, or a seeded sample of max_entries, in order."""
    if max_entries is None or size <= max_entries:
        return np.arange(size)
    return np.sort(np.random.default_rng(seed).choice(size, max_entries, replace=False))


def _differences(model: Model, name: str, index: np.ndarray, f: Callable[[], float], eps: float) -> np.ndarray:
    """(f(θ + ε·e_i) − f(θ − ε·e_i)) / 2ε for each flat index i of parameter `name`; the model is restored."""
    original = model.params[name]
    # perturb a private contiguous copy in place (a numpy scalar or a strided view cannot be)
    param = np.array(original, dtype=np.float64)
    flat = param.reshape(-1)
    out = np.empty(index.size)
    model.params[name] = param
    try:
        for k, i in enumerate(index):
            old = flat[i]
            flat[i] = old + eps
            plus = f()
            flat[i] = old - eps
            minus = f()
            flat[i] = old
            out[k] = (plus - minus) / (2 * eps)
    finally:
        model.params[name] = original
    return out


def gradcheck(model: Model, X: np.ndarray, y: np.ndarray, eps: float = 1e-5, *, max_entries: int | None = MAX_ENTRIES,
              tol: float = TOLERANCE, seed: int = 0) -> GradCheckResult:
    """Compare backward() with central differences of the objective J = L + penalty, tensor by tensor.

    The data term L and the penalty are differenced apart, each at its own scale, and compared apart (the worse
    decides). Pass/fail is per tensor, ‖a − n‖ / (‖a‖ + ‖n‖) over the checked entries (at most
    `max_entries`, a sample seeded by `seed`; None checks all). A tensor at tol or above is differenced again
    at ε/2 and 2ε: within SPREAD_FACTOR times how far that moves the difference, it is the difference's error.
    The model is left unchanged.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    _, cache = model.forward(X)
    data_grads = model.data_backward(cache, y)
    penalty_grads = {k: g - data_grads[k] for k, g in model.add_penalty_gradients(data_grads).items()}  # λW
    near_kink = 0
    if model.has_kink:
        near_kink = int(np.sum(np.abs(cache["a1"]) < eps * 10))

    def data() -> float:
        return model.data_loss(X, y)

    # ε scaled to what it perturbs: L's rounding grows with |L|, the penalty's with |W| (a blow-up's θ ≈ 1e60)
    data_scale = max(1.0, abs(data()))
    weight_scale = max([1.0] + [float(np.max(np.abs(model.params[k]), initial=0.0)) for k in model.weight_names])

    def parts(name: str, index: np.ndarray, step: float) -> list[tuple[np.ndarray, np.ndarray]]:
        """(analytic, finite difference) of the data term, and of the penalty when it has one, at `index`."""
        out = [(data_grads[name].reshape(-1)[index], _differences(model, name, index, data, step * data_scale))]
        if model.l2 and name in model.weight_names:
            out.append((penalty_grads[name].reshape(-1)[index],
                        _differences(model, name, index, model.penalty, step * weight_scale)))
        return out

    rows = []
    for t, name in enumerate(list(model.params)):
        shape = tuple(np.shape(data_grads[name]))
        index = _sample(int(np.prod(shape)) if shape else 1, max_entries, seed + t)
        checked = parts(name, index, eps)
        a = sum(p[0] for p in checked)  # ∂J/∂θ = data term + λW, as backward() gives it
        n = sum(p[1] for p in checked)
        errors = [relative_error(pa, pn) for pa, pn in checked]
        worst = int(np.argmax(errors))
        rel = errors[worst]  # each term apart: a wrong data term is not hidden by a large λW beside it
        spread = None
        if rel >= tol:  # how far the difference itself moves when ε halves or doubles: its own error
            pa, pn = checked[worst]
            scale = float(np.linalg.norm(pa) + np.linalg.norm(pn))
            gap = max(float(np.linalg.norm(pn - parts(name, index, k * eps)[worst][1])) for k in (0.5, 2.0))
            spread = gap / scale if scale > 0 else 0.0
        diff = np.abs(a - n)
        rows.append(
            GradCheckRow(
                name=name,
                shape=shape,
                analytic_norm=float(np.linalg.norm(a)),
                numeric_norm=float(np.linalg.norm(n)),
                max_abs_diff=float(diff.max(initial=0.0)),
                max_rel_error=float((diff / np.maximum(np.abs(a) + np.abs(n), TINY)).max(initial=0.0)),
                rel_error=rel,
                checked=int(index.size),
                spread=spread,
            )
        )
    return GradCheckResult(rows, near_kink, eps)

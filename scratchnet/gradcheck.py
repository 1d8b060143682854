"""Check the hand-derived gradients against central finite differences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .models import Model

TINY = 1e-12


@dataclass(frozen=True)
class GradCheckRow:
    name: str  # parameter tensor, e.g. "W1"
    shape: tuple[int, ...]
    analytic_norm: float
    numeric_norm: float
    max_abs_diff: float
    max_rel_error: float  # worst single entry, |a − n| / (|a| + |n|): for display, not for pass/fail
    rel_error: float  # the tensor's ‖a − n‖ / (‖a‖ + ‖n‖): the pass/fail number


def relative_error(a: np.ndarray, n: np.ndarray) -> float:
    """‖a − n‖ / (‖a‖ + ‖n‖), the per-tensor measure of CS231n and scikit-learn's tests; 0 when both are 0.

    Per entry, an entry whose true gradient is tiny (6.8e-7, say) turns the finite difference's rounding
    noise (~1e-12) into a large relative error although the tensor is right; over the tensor it cannot.
    """
    scale = float(np.linalg.norm(a) + np.linalg.norm(n))
    return float(np.linalg.norm(a - n)) / scale if scale > 0 else 0.0


class GradCheckResult(dict):
    """Relative error ‖a − n‖ / (‖a‖ + ‖n‖) per parameter tensor (a dict name → float), with the details.

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

    def passed(self, tol: float = 1e-6) -> bool:
        return self.worst < tol

    def table(self) -> list[dict[str, object]]:
        return [
            {
                "parameter": r.name,
                "shape": "×".join(map(str, r.shape)) or "scalar",
                "‖analytic‖": r.analytic_norm,
                "‖finite difference‖": r.numeric_norm,
                "relative error": r.rel_error,
                "max |difference|": r.max_abs_diff,
                "max relative error": r.max_rel_error,
            }
            for r in self.rows
        ]


def gradcheck(model: Model, X: np.ndarray, y: np.ndarray, eps: float = 1e-5) -> GradCheckResult:
    """Compare backward() with (L(θ+ε) − L(θ−ε)) / 2ε for every parameter entry.

    Pass/fail is per tensor: ‖a − n‖ / (‖a‖ + ‖n‖). The per-entry |a − n| / max(|a| + |n|, tiny) stays in
    the table as the worst entry's error. The model is left unchanged.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    _, cache = model.forward(X)
    analytic = model.backward(cache, y)
    near_kink = 0
    if model.has_kink:
        near_kink = int(np.sum(np.abs(cache["a1"]) < eps * 10))
    rows = []
    for name in list(model.params):
        original = model.params[name]
        # perturb a private contiguous copy in place (a numpy scalar or a strided view cannot be)
        param = np.array(original, dtype=np.float64)
        numeric = np.zeros_like(param)
        flat_param, flat_num = param.reshape(-1), numeric.reshape(-1)  # views into param / numeric
        model.params[name] = param
        try:
            for i in range(flat_param.size):
                old = flat_param[i]
                flat_param[i] = old + eps
                plus = model.loss(X, y)
                flat_param[i] = old - eps
                minus = model.loss(X, y)
                flat_param[i] = old
                flat_num[i] = (plus - minus) / (2 * eps)
        finally:
            model.params[name] = original
        a = analytic[name]
        diff = np.abs(a - numeric)
        rel = diff / np.maximum(np.abs(a) + np.abs(numeric), TINY)
        rows.append(
            GradCheckRow(
                name=name,
                shape=tuple(param.shape),
                analytic_norm=float(np.linalg.norm(a)),
                numeric_norm=float(np.linalg.norm(numeric)),
                max_abs_diff=float(diff.max(initial=0.0)),
                max_rel_error=float(rel.max(initial=0.0)),
                rel_error=relative_error(a, numeric),
            )
        )
    return GradCheckResult(rows, near_kink, eps)

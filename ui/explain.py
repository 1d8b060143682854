"""Tables for the math page: one example through the model, and the gradient check."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scratchnet import GradCheckResult, Model, TwoLayerNet


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

"""What a student's run reports to the board, and the check every report passes before it is stored.

Only numbers and short setting names: the losses, accuracies, iterations, whether it diverged, the network's
size, and the boundary as a THUMB × THUMB grid of (winning class, confidence) bytes. Never the data itself: an
uploaded CSV stays in its session (the thumbnail is the model's prediction over an empty grid).
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..plane import PlaneGrid, decision_grid

THUMB = 24  # cells per side of a boundary thumbnail
MAX_CLASSES = 8
# name → (low, high) accepted; a value outside (or NaN, ±inf) is stored as None: "not a number"
NUMBERS: dict[str, tuple[float, float]] = {
    "train_loss": (0.0, 1e6), "test_loss": (0.0, 1e6), "train_acc": (0.0, 1.0), "test_acc": (0.0, 1.0),
    "lr": (1e-6, 100.0), "l2": (0.0, 100.0), "l1": (0.0, 100.0), "noise": (0.0, 1.0),
}
INTEGERS: dict[str, tuple[int, int]] = {
    "iterations": (0, 10**7), "iters": (1, 10**7), "hidden": (0, 4096), "n_params": (0, 10**8), "seed": (0, 10**6),
    "n_classes": (2, MAX_CLASSES), "n_inputs": (1, 10**4), "depth": (0, 64), "wseed": (0, 10**6),
}
NAMES = ("page", "kind", "data", "act", "batch", "opt")  # short setting names, [A-Za-z0-9_.-]{1,24}
OUTCOME_COLUMNS = ("train_loss", "test_loss", "train_acc", "test_acc", "iterations", "diverged", "n_params")


def run_result(model: Any, history: Any, grid: PlaneGrid, transform: Any = None) -> dict[str, Any]:
    """The outcome of a run (a TrainingRun's model and history): final losses and accuracies, iterations, whether
    it diverged, the number of parameters, and the boundary thumbnail over the drawn axes."""
    diverged = history.diverged_at is not None
    return {
        "train_loss": history.last("train_loss"), "test_loss": history.last("test_loss"),
        "train_acc": history.last("train_acc"), "test_acc": history.last("test_acc"),
        "iterations": len(history) if not diverged else history.diverged_at, "diverged": diverged,
        "n_params": int(model.n_params), "n_classes": int(model.n_classes),
        "thumb": thumbnail(model, grid, transform),
    }


def thumbnail(model: Any, grid: PlaneGrid, transform: Any = None) -> dict[str, Any]:
    """The decision regions on a grid (THUMB² cells, e.g. Problem.plane_grid(THUMB)): per cell the winning class
    and its probability (as a byte)."""
    with np.errstate(all="ignore"):
        p = np.nan_to_num(decision_grid(model, grid, transform), nan=0.5)
        if p.ndim == 2:  # two classes: P(class 1)
            p = np.stack([1 - p, p], axis=-1)
        cls, conf = p.argmax(axis=-1), p.max(axis=-1)
    sure = np.clip(conf * 255, 0, 255).astype(np.uint8)
    return {"res": grid.shape[0], "cls": _b64(cls.astype(np.uint8)), "p": _b64(sure)}


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(a.tobytes()).decode()


def thumb_arrays(thumb: Mapping[str, Any] | None) -> tuple[np.ndarray, np.ndarray] | None:
    """A stored thumbnail back as (class, confidence in 0–1) arrays of shape (res, res)."""
    if not thumb:
        return None
    res = int(thumb["res"])
    cls = np.frombuffer(base64.b64decode(thumb["cls"]), dtype=np.uint8).reshape(res, res)
    p = np.frombuffer(base64.b64decode(thumb["p"]), dtype=np.uint8).reshape(res, res) / 255.0
    return cls, p


def _clean_thumb(thumb: Any) -> dict[str, Any] | None:
    """A thumbnail exactly as `thumbnail` makes it, or None."""
    try:
        res = int(thumb["res"])
        if not 4 <= res <= 32:
            return None
        cls = base64.b64decode(str(thumb["cls"])[:2000], validate=True)
        p = base64.b64decode(str(thumb["p"])[:2000], validate=True)
    except (KeyError, TypeError, ValueError):
        return None
    if len(cls) != res * res or len(p) != res * res or max(cls) >= MAX_CLASSES:
        return None
    return {"res": res, "cls": _b64(np.frombuffer(cls, np.uint8)), "p": _b64(np.frombuffer(p, np.uint8))}


def _number(value: Any, lo: float, hi: float) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return x if math.isfinite(x) and lo <= x <= hi else None


def clean_result(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Only the known fields, each checked: numbers in range (else None), integers, booleans, short names, a
    well-formed thumbnail. Anything else a client sends is dropped."""
    out: dict[str, Any] = {}
    for name, (lo, hi) in NUMBERS.items():
        out[name] = _number(raw.get(name), lo, hi)
    for name, (lo, hi) in INTEGERS.items():
        x = _number(raw.get(name), lo, hi)
        out[name] = int(x) if x is not None and float(x).is_integer() else None
    for name in NAMES:
        text = str(raw.get(name, ""))[:24]
        out[name] = text if re.fullmatch(r"[A-Za-z0-9_.\-]{1,24}", text) else None
    out["diverged"] = raw.get("diverged") is True
    out["thumb"] = _clean_thumb(raw.get("thumb"))
    return out

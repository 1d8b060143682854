"""What a training run saw: one Record per iteration, and a History of them kept as columns (cheap to append,
cheap to plot) with parameter snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .models import Params


@dataclass
class Record:
    """What iteration t saw: losses and gradients at the parameters θ_t, before the update θ_t → θ_t+1.

    train_loss and test_loss are cross-entropy only, what a student compares between runs. With an L2
    penalty, gradient descent minimises `objective` = train_loss + `penalty`, and the gradients are its.
    """

    iteration: int
    lr: float
    train_loss: float  # mean cross-entropy on the training set
    train_acc: float
    grad_norms: dict[str, float]  # ‖∂L/∂θ‖₂ per parameter tensor, of the objective
    grads: Params  # the gradients themselves; abs() gives the per-entry magnitudes
    test_loss: float | None = None  # mean cross-entropy on the test set
    test_acc: float | None = None
    params: Params | None = None  # θ_t, on snapshot iterations only
    diverged: bool = False
    message: str = ""
    penalty: float = 0.0  # (λ/2)·‖W‖² at θ_t
    dead_units: int | None = None  # hidden units that output 0 on every training example (None: no hidden layer)
    step_cosine: float | None = None  # cos(∇L_t, ∇L_t−1): −1 when the step reverses the last one (zig-zag)
    objective: float | None = None  # train_loss + penalty (filled in when not given)
    row_norms: dict[str, float] = field(default_factory=dict)  # K classes: ‖row k‖ of W / W2's gradient, "W2[k]"

    def __post_init__(self) -> None:
        if self.objective is None:
            self.objective = self.train_loss + self.penalty


HISTORY_COLUMNS = (
    "iteration", "lr", "train_loss", "test_loss", "train_acc", "test_acc", "penalty", "objective", "dead_units",
    "step_cosine",
)


@dataclass
class History:
    """Records kept as columns (cheap to append, cheap to plot), plus parameter snapshots."""

    param_names: tuple[str, ...]
    columns: dict[str, list[float]] = field(default_factory=dict)
    snapshots: dict[int, Params] = field(default_factory=dict)  # iteration → θ_t
    snapshot_grads: dict[int, Params] = field(default_factory=dict)  # iteration → ∂L/∂θ at θ_t
    diverged_at: int | None = None
    message: str = ""
    epoch_length: int = 1  # updates per pass over the training set: 1 full batch, ⌈m / batch⌉ mini-batch

    def __post_init__(self) -> None:
        for name in (*HISTORY_COLUMNS, *self.norm_columns):
            self.columns.setdefault(name, [])

    @property
    def norm_columns(self) -> tuple[str, ...]:
        """‖g‖ per tensor (the rows of a K-class W2 have their own columns, "grad_norm_W2[k]", not in these)."""
        return tuple(f"grad_norm_{n}" for n in self.param_names)

    def append(self, rec: Record) -> None:
        c = self.columns
        c["iteration"].append(rec.iteration)
        c["lr"].append(rec.lr)
        c["train_loss"].append(rec.train_loss)
        c["test_loss"].append(np.nan if rec.test_loss is None else rec.test_loss)
        c["train_acc"].append(rec.train_acc)
        c["test_acc"].append(np.nan if rec.test_acc is None else rec.test_acc)
        c["penalty"].append(rec.penalty)
        c["objective"].append(rec.objective)
        c["dead_units"].append(np.nan if rec.dead_units is None else rec.dead_units)
        c["step_cosine"].append(np.nan if rec.step_cosine is None else rec.step_cosine)
        for name in self.param_names:
            c[f"grad_norm_{name}"].append(rec.grad_norms[name])
        for name, value in rec.row_norms.items():  # per class row (K classes): a column once the first arrives
            c.setdefault(f"grad_norm_{name}", [np.nan] * (len(c["iteration"]) - 1)).append(value)
        if rec.params is not None:
            self.snapshots[rec.iteration] = rec.params
            self.snapshot_grads[rec.iteration] = rec.grads
        if rec.diverged:
            self.diverged_at, self.message = rec.iteration, rec.message

    def extend(self, other: History) -> None:
        """Append `other`'s records (the history of a fork of this run, TrainingRun.adopt)."""
        n, k = len(self), len(other)
        for name, col in other.columns.items():
            self.columns.setdefault(name, [np.nan] * n).extend(col)
        for col in self.columns.values():  # a per-class column that started only here, or only in `other`
            col.extend([np.nan] * (n + k - len(col)))
        self.snapshots.update(other.snapshots)
        self.snapshot_grads.update(other.snapshot_grads)
        if other.diverged_at is not None:
            self.diverged_at, self.message = other.diverged_at, other.message

    def __len__(self) -> int:
        return len(self.columns["iteration"])

    def array(self, name: str) -> np.ndarray:
        return np.asarray(self.columns[name], dtype=np.float64)

    def last(self, name: str) -> float:
        col = self.columns[name]
        return float(col[-1]) if col else float("nan")

    def smoothed(self, name: str = "objective") -> np.ndarray:
        """The column averaged over the last epoch_length iterations (itself for full batch): single mini-batch
        steps wobble, an epoch average is what the run achieved. Early values average what there is."""
        values = self.array(name)
        k = self.epoch_length
        if k <= 1 or values.size == 0:
            return values
        with np.errstate(invalid="ignore"):  # a diverged run's last value may be inf: inf − inf is nan there
            sums = np.concatenate([[0.0], np.cumsum(values)])
            ends = np.arange(1, values.size + 1)
            starts = np.maximum(ends - k, 0)
            return (sums[ends] - sums[starts]) / (ends - starts)

    def nearest_snapshot(self, iteration: int) -> int | None:
        """The snapshot iteration closest to (and not after) `iteration`."""
        keys = [k for k in self.snapshots if k <= iteration]
        return max(keys) if keys else None

    def to_frame(self):  # -> pandas.DataFrame (imported lazily: the core stays numpy-first)
        import pandas as pd

        frame = pd.DataFrame({k: self.array(k) for k in self.columns})
        frame["iteration"] = frame["iteration"].astype(int)
        return frame

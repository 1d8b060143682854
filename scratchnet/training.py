"""Gradient descent as a generator of per-iteration records, a columnar history, and a steppable run."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from .models import Model, Params

LearningRate = float | Callable[[], float]


@dataclass
class Record:
    """What iteration t saw: loss and gradients at the parameters θ_t, before the update θ_t → θ_t+1."""

    iteration: int
    lr: float
    train_loss: float
    train_acc: float
    grad_norms: dict[str, float]  # ‖∂L/∂θ‖₂ per parameter tensor
    grads: Params  # the gradients themselves; abs() gives the per-entry magnitudes
    test_loss: float | None = None
    test_acc: float | None = None
    params: Params | None = None  # θ_t, on snapshot iterations only
    diverged: bool = False
    message: str = ""


def _accuracy(z: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((z > 0) == (y > 0.5))) if y.size else float("nan")


def evaluate(model: Model, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(loss, accuracy) of `model` on (X, y), as a Record reports them; nan for an empty set."""
    y = np.asarray(y, dtype=np.float64)
    if y.size == 0:
        return float("nan"), float("nan")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        z, _ = model.forward(X)
        return model.loss_from_logits(z, y), _accuracy(z, y)


def _all_finite(arrays: dict[str, np.ndarray]) -> bool:
    return all(np.all(np.isfinite(a)) for a in arrays.values())


def train(
    model: Model,
    X: np.ndarray,
    y: np.ndarray,
    lr: LearningRate,
    iterations: int,
    X_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    snapshot_every: int = 0,
    start: int = 0,
    max_loss: float | None = 100.0,
) -> Iterator[Record]:
    """Train `model` in place, yielding one Record per iteration (one parameter update).

    batch_size=None is full-batch gradient descent, as derived; a number gives seeded mini-batch SGD
    (a fresh permutation each epoch). `lr` may be a callable, read before every update, so a caller
    can change it mid-run. When the loss or a parameter becomes non-finite, or the loss explodes past
    `max_loss` (a mean cross-entropy of 100 nats: the model bets e^-100 against the truth), the record
    says diverged=True and the generator stops; the model keeps its last finite parameters.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] != y.shape[0] or X.shape[1] != model.n_features:
        raise ValueError(f"X must be (m, {model.n_features}) and y (m,); got {X.shape} and {y.shape}")
    has_test = X_test is not None and y_test is not None and len(y_test) > 0
    if has_test:
        X_test = np.asarray(X_test, dtype=np.float64)
        y_test = np.asarray(y_test, dtype=np.float64)
    m = X.shape[0]
    mini = batch_size is not None and 0 < batch_size < m
    rng = np.random.default_rng([seed, start])
    order = np.arange(m)
    pos = m  # forces a fresh permutation at the first mini-batch

    for t in range(start, start + iterations):
        step = float(lr() if callable(lr) else lr)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            z, cache = model.forward(X)
            loss = model.loss_from_logits(z, y)
            if mini:
                if pos >= m:
                    order, pos = rng.permutation(m), 0
                idx = order[pos : pos + batch_size]  # an epoch's last batch may be smaller: all m are seen
                pos += batch_size
                _, cache = model.forward(X[idx])
                grads = model.backward(cache, y[idx])
            else:
                grads = model.backward(cache, y)
            rec = Record(
                iteration=t,
                lr=step,
                train_loss=loss,
                train_acc=_accuracy(z, y),
                grad_norms={k: float(np.sqrt(np.vdot(g, g))) for k, g in grads.items()},  # ‖g‖₂
                grads=grads,
                params=model.get_params() if snapshot_every and t % snapshot_every == 0 else None,
            )
            if has_test:
                z_test, _ = model.forward(X_test)
                rec.test_loss = model.loss_from_logits(z_test, y_test)
                rec.test_acc = _accuracy(z_test, y_test)
            if not (np.isfinite(loss) and np.isfinite(sum(rec.grad_norms.values()))):  # a nan/inf entry spoils its norm
                rec.diverged, rec.message = True, f"the loss became infinite at iteration {t}"
            elif max_loss is not None and loss > max_loss:
                rec.diverged, rec.message = True, f"the loss exploded past {max_loss:g} at iteration {t}"
            if not rec.diverged:
                # θ ← θ − α·∂L/∂θ; asarray keeps 0-d biases arrays (a 0-d ufunc result is a numpy scalar)
                new = {k: np.asarray(p - step * grads[k]) for k, p in model.params.items()}
        # Yield only outside the errstate block: a generator suspended inside it (a TrainingRun never resumes
        # after a divergence) would leave the caller's numpy error state at "ignore".
        if rec.diverged:
            yield rec
            return
        if not _all_finite(new):
            rec.diverged, rec.message = True, f"a parameter overflowed at iteration {t}"
            yield rec
            return
        model.params = new
        yield rec


HISTORY_COLUMNS = ("iteration", "lr", "train_loss", "test_loss", "train_acc", "test_acc")


@dataclass
class History:
    """Records kept as columns (cheap to append, cheap to plot), plus parameter snapshots."""

    param_names: tuple[str, ...]
    columns: dict[str, list[float]] = field(default_factory=dict)
    snapshots: dict[int, Params] = field(default_factory=dict)  # iteration → θ_t
    snapshot_grads: dict[int, Params] = field(default_factory=dict)  # iteration → ∂L/∂θ at θ_t
    diverged_at: int | None = None
    message: str = ""

    def __post_init__(self) -> None:
        for name in (*HISTORY_COLUMNS, *self.norm_columns):
            self.columns.setdefault(name, [])

    @property
    def norm_columns(self) -> tuple[str, ...]:
        return tuple(f"grad_norm_{n}" for n in self.param_names)

    def append(self, rec: Record) -> None:
        c = self.columns
        c["iteration"].append(rec.iteration)
        c["lr"].append(rec.lr)
        c["train_loss"].append(rec.train_loss)
        c["test_loss"].append(np.nan if rec.test_loss is None else rec.test_loss)
        c["train_acc"].append(rec.train_acc)
        c["test_acc"].append(np.nan if rec.test_acc is None else rec.test_acc)
        for name in self.param_names:
            c[f"grad_norm_{name}"].append(rec.grad_norms[name])
        if rec.params is not None:
            self.snapshots[rec.iteration] = rec.params
            self.snapshot_grads[rec.iteration] = rec.grads
        if rec.diverged:
            self.diverged_at, self.message = rec.iteration, rec.message

    def __len__(self) -> int:
        return len(self.columns["iteration"])

    def array(self, name: str) -> np.ndarray:
        return np.asarray(self.columns[name], dtype=np.float64)

    def last(self, name: str) -> float:
        col = self.columns[name]
        return float(col[-1]) if col else float("nan")

    def nearest_snapshot(self, iteration: int) -> int | None:
        """The snapshot iteration closest to (and not after) `iteration`."""
        keys = [k for k in self.snapshots if k <= iteration]
        return max(keys) if keys else None

    def to_frame(self):  # -> pandas.DataFrame (imported lazily: the core stays numpy-first)
        import pandas as pd

        frame = pd.DataFrame({k: self.array(k) for k in self.columns})
        frame["iteration"] = frame["iteration"].astype(int)
        return frame


def fit(model: Model, X: np.ndarray, y: np.ndarray, lr: float, iterations: int, **kwargs) -> History:
    """Run `train` to the end and return its History (the generator is the primitive)."""
    history = History(tuple(model.params))
    for rec in train(model, X, y, lr, iterations, **kwargs):
        history.append(rec)
    return history


class TrainingRun:
    """A run a UI advances a few iterations at a time (Play / Step); lr may change between chunks.

    The model is trained in place; `iteration` counts the updates done so far.
    """

    def __init__(
        self,
        model: Model,
        X: np.ndarray,
        y: np.ndarray,
        X_test: np.ndarray | None = None,
        y_test: np.ndarray | None = None,
        lr: float = 0.1,
        batch_size: int | None = None,
        seed: int = 0,
        snapshot_every: int = 10,
    ) -> None:
        self.model = model
        self.X, self.y = X, y
        self.initial_params = model.get_params()
        self.lr = float(lr)
        self.history = History(tuple(model.params))
        self.snapshot_every = snapshot_every
        self._records = train(
            model, X, y, lambda: self.lr, 10**12, X_test, y_test,
            batch_size=batch_size, seed=seed, snapshot_every=snapshot_every,
        )
        self.last_record: Record | None = None
        self._train_args = (X_test, y_test, batch_size, seed)  # to restart the generator (rewind)

    @property
    def iteration(self) -> int:
        return len(self.history) if self.history.diverged_at is None else self.history.diverged_at

    @property
    def diverged(self) -> bool:
        return self.history.diverged_at is not None

    def current_grads(self) -> Params:
        """The gradients the run would show now: the last step's, or at the start the starting weights'."""
        if self.last_record is not None:
            return self.last_record.grads
        return self.model.gradients(self.X, self.y)

    def advance(
        self, n: int, lr: float | None = None, l2: float | None = None, time_budget: float | None = None
    ) -> int:
        """Do up to n updates (fewer on divergence or after `time_budget` seconds); return how many ran.

        The one way in for α and λ: both may change between calls, as a student moves the sliders mid-run.
        """
        if lr is not None:
            self.lr = float(lr)
        if l2 is not None:
            if l2 < 0:
                raise ValueError("l2 must be >= 0")
            self.model.l2 = float(l2)
        done = 0
        deadline = None if time_budget is None else time.perf_counter() + time_budget
        while done < n and not self.diverged:
            rec = next(self._records)
            self.history.append(rec)
            self.last_record = rec
            if rec.diverged:
                break
            done += 1
            if deadline is not None and time.perf_counter() > deadline:
                break
        return done

    def rewind(self, iteration: int, params: Params) -> None:
        """Put the run back at `iteration` with θ = `params` (the weights it had there, e.g. kept by a UI that
        trained ahead of what it has shown). Records from `iteration` on are dropped, divergence after it is
        forgotten, and training continues from there; a mini-batch run draws new batches from that point."""
        if not 0 <= iteration <= self.iteration:
            raise ValueError(f"can only rewind to 0…{self.iteration}, not {iteration}")
        missing = set(self.model.params) ^ set(params)
        if missing:
            raise ValueError(f"params must name exactly {sorted(self.model.params)}")
        h = self.history
        for column in h.columns.values():
            del column[iteration:]
        for store in (h.snapshots, h.snapshot_grads):
            for t in [t for t in store if t >= iteration]:
                del store[t]
        if h.diverged_at is not None and h.diverged_at >= iteration:
            h.diverged_at, h.message = None, ""
        self.model.params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
        self.last_record = None
        X_test, y_test, batch_size, seed = self._train_args
        self._records = train(
            self.model, self.X, self.y, lambda: self.lr, 10**12, X_test, y_test,
            batch_size=batch_size, seed=seed, snapshot_every=self.snapshot_every, start=iteration,
        )

    def lookahead(self, lr: float, l2: float | None = None) -> Iterator[tuple[Record, Model]]:
        """The iterations that would come next, run on a copy: (record, the copy's model after that update), the run
        itself untouched. After `rewind(iteration, params)` to where the lookahead started, the run takes exactly
        these steps (the same mini-batches too), so a UI can show them before the run has taken them."""
        model = self.model.copy()
        if l2 is not None:
            model.l2 = float(l2)
        X_test, y_test, batch_size, seed = self._train_args
        for rec in train(model, self.X, self.y, lr, 10**12, X_test, y_test, batch_size=batch_size, seed=seed,
                         start=self.iteration):
            yield rec, model


def compare_learning_rates(
    model: Model,
    X: np.ndarray,
    y: np.ndarray,
    lrs: Sequence[float],
    iterations: int,
    X_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    batch_size: int | None = None,
    seed: int = 0,
) -> dict[float, tuple[Model, History]]:
    """Train a copy of the same initial model once per learning rate: same data, same start."""
    out: dict[float, tuple[Model, History]] = {}
    for lr in lrs:
        twin = model.copy()
        out[float(lr)] = (twin, fit(twin, X, y, lr, iterations, X_test=X_test, y_test=y_test,
                                    batch_size=batch_size, seed=seed))
    return out


def lr_verdict(history: History) -> str:
    """'diverged', 'too large' (loss went up or oscillates), 'too small' (barely moved) or 'good'."""
    if history.diverged_at is not None:
        return "diverged"
    loss = history.array("train_loss")
    if loss.size < 2:
        return "too small"
    start, end = loss[0], loss[-1]
    rises = np.diff(loss) > 1e-12
    if end > start or rises.mean() > 0.2:
        return "too large"
    if start - end < 0.1 * start:
        return "too small"
    return "good"


def sweep_verdicts(histories: dict[float, History], share: float = 0.5) -> dict[float, str]:
    """Verdicts for runs from the same start: 'too small' now means 'got less than `share` of the best
    run's loss reduction' — the comparison a student makes when the curves are side by side."""
    verdicts = {lr: lr_verdict(h) for lr, h in histories.items()}
    calm = [lr for lr, v in verdicts.items() if v in ("good", "too small")]
    drops = {lr: histories[lr].array("train_loss")[0] - histories[lr].array("train_loss")[-1] for lr in calm}
    best = max(drops.values(), default=0.0)
    for lr in calm:
        verdicts[lr] = "too small" if drops[lr] < share * best else "good"
    return verdicts

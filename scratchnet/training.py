"""Gradient descent as a generator of per-iteration records, a columnar history, and a steppable run."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from .models import Model, Params
from .optimizers import SGD, Optimizer, OptimizerState, flat_views, flatten, l1_shrink

LearningRate = float | Callable[[], float]


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


def evaluate(model: Model, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(cross-entropy, accuracy) of `model` on (X, y), as a Record reports them; nan for an empty set."""
    y = np.asarray(y, dtype=np.float64)
    if y.size == 0:
        return float("nan"), float("nan")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        z, _ = model.forward(X)
        return model.cross_entropy(z, y), model.accuracy(z, model.targets(y))


def _non_finite(loss: float, penalty: float, grad_norms: dict[str, float]) -> str:
    """What stopped being a finite number, in words ("" when all is finite)."""
    if not math.isfinite(loss):  # NaN too: with finite inputs only an overflow (inf − inf) makes one
        return "the loss became infinite"
    if not math.isfinite(penalty):
        return "the weights grew so large that the L2 penalty overflowed"
    bad = [name for name, norm in grad_norms.items() if not math.isfinite(norm)]  # a nan/inf entry spoils its norm
    return f"the gradient of {bad[0]} overflowed" if bad else ""


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
    max_loss: float | None = None,
    optimizer: Optimizer | None = None,
    state: OptimizerState | None = None,
) -> Iterator[Record]:
    """Train `model` in place, yielding one Record per iteration (one parameter update).

    batch_size=None is full-batch gradient descent, as derived; a number gives seeded mini-batch SGD
    (a fresh permutation each epoch). `lr` may be a callable, read before every update, so a caller
    can change it mid-run.

    Diverged means a value stopped being finite: the cross-entropy, the penalty, a gradient or an updated
    parameter. The record says diverged=True, the generator stops, the model keeps its last finite θ. No
    finite loss bound separates divergence from an overshoot that recovers (64 ReLU units on moons at α = 10
    climb to 728 nats, then end at 0.17); an overflow cannot recover (inf − α·g stays inf). `max_loss` is
    only a caller's own stop rule.

    `optimizer` (SGD() if None) turns each gradient into a step; `state` (what it remembers between steps, a fresh
    one if None) is updated in place, so a caller that owns it can keep or copy it. With λ₁ > 0 the L1 term is a
    step of its own after the optimizer's, as TF Playground takes it (optimizers.l1_shrink).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0] or X.shape[1] != model.n_features:
        raise ValueError(f"X must be (m, {model.n_features}) and y (m,); got {X.shape} and {y.shape}")
    has_test = X_test is not None and y_test is not None and len(y_test) > 0
    m = X.shape[0]
    target = model.targets(y)  # for accuracy, once (and a clear error for labels the model cannot have)
    y_all, target_all = y, target
    if has_test:  # losses and accuracies of both sets come from one pass over their logits, stacked
        X_test = np.asarray(X_test, dtype=np.float64)
        y_all = np.concatenate([y, np.asarray(y_test, dtype=np.float64)])
        target_all = np.concatenate([target, model.targets(y_test)])
    mini = batch_size is not None and 0 < batch_size < m
    rng = np.random.default_rng([seed, start])
    order = np.arange(m)
    pos = m  # forces a fresh permutation at the first mini-batch
    previous: tuple[np.ndarray, float] | None = None  # the last step's gradient (flat, θ's order) and its norm
    per_class = [p.name for p in model.param_info if p.per_class and not p.is_bias]  # K classes: W or W2, by row
    theta, views = None, None  # θ as one vector while the model's params are views into it
    optimizer, state = optimizer or SGD(), OptimizerState() if state is None else state
    weights = None  # 1.0 on the entries of θ an L1 penalty applies to (weights, not biases)

    for t in range(start, start + iterations):
        step = float(lr() if callable(lr) else lr)
        if theta is None or any(model.params.get(k) is not v for k, v in views.items()):  # params replaced
            theta, views = flatten(model.params)
            model.params = dict(views)  # a dict of its own: set_params replaces entries in place
            weights = np.concatenate([np.full(v.size, float(k in model.weight_names)) for k, v in views.items()])
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            z, cache = model.forward(X)
            # each set's own forward pass: BLAS may round a row differently with other rows around it
            z_all = np.concatenate([z, model.forward(X_test)[0]]) if has_test else z
            losses, y_hat = model.row_losses_and_proba(z_all, y_all)
            right = model.decide(z_all) == target_all
            dead = model.dead_units(cache)  # from h1 of this full-set pass: no second forward
            loss = float(np.add.reduce(losses[:m])) / m  # cross-entropy alone: the curves and the status line
            penalty = model.penalty()
            if mini:
                if pos >= m:
                    order, pos = rng.permutation(m), 0
                idx = order[pos : pos + batch_size]  # an epoch's last batch may be smaller: all m are seen
                pos += batch_size
                _, cache = model.forward(X[idx])
                smooth = model.smooth_backward(cache, y[idx])
            else:
                cache["y_hat"] = y_hat[:m]  # backward needs σ(z) too
                smooth = model.smooth_backward(cache, y)
            g = g_smooth = np.concatenate([smooth[k] for k in views], axis=None)  # ∂J/∂θ as one vector, θ's order
            l1_step = model.l1 * np.sign(theta) * weights if model.l1 else None  # λ₁·sign(w), 0 on biases
            if l1_step is not None:  # the records show the whole objective's gradient, the L1 term too
                g = g_smooth + l1_step
            grads = smooth if l1_step is None else flat_views(g, views)
            norms = {k: math.sqrt(np.vdot(v, v)) for k, v in grads.items()}  # ‖g‖₂ per tensor
            rows = {f"{name}[{c}]": float(v) for name in per_class
                    for c, v in enumerate(np.sqrt(np.einsum("ij,ij->i", grads[name], grads[name])))}
            norm = math.sqrt(np.vdot(g, g))
            cosine = None
            if previous is not None and norm * previous[1] > 0:
                cosine = float(np.vdot(g, previous[0])) / (norm * previous[1])
            previous = g, norm
            rec = Record(
                iteration=t,
                lr=step,
                train_loss=loss,
                train_acc=np.count_nonzero(right[:m]) / m,
                grad_norms=norms,
                grads=grads,
                params=model.get_params() if snapshot_every and t % snapshot_every == 0 else None,
                penalty=penalty,
                dead_units=dead,
                step_cosine=cosine,
                row_norms=rows,
            )
            if has_test:
                rec.test_loss = float(np.add.reduce(losses[m:])) / (len(losses) - m)
                rec.test_acc = np.count_nonzero(right[m:]) / (len(right) - m)
            problem = _non_finite(loss, penalty, rec.grad_norms)
            if problem:
                rec.diverged, rec.message = True, f"{problem} at iteration {t}"
            elif max_loss is not None and rec.objective > max_loss:
                rec.diverged, rec.message = True, f"the loss exploded past {max_loss:g} at iteration {t}"
            if not rec.diverged:
                # the optimizer's step (SGD: θ ← θ − α·∂J/∂θ) on the flat vector, a new one: records keep the old
                theta_new = optimizer.update(theta, g_smooth, step, state)
                if l1_step is not None:
                    theta_new = l1_shrink(theta_new, step * l1_step)
        # Yield only outside the errstate block: a generator suspended inside it (a TrainingRun never resumes
        # after a divergence) would leave the caller's numpy error state at "ignore".
        if rec.diverged:
            yield rec
            return
        if not np.isfinite(theta_new).all():
            rec.diverged, rec.message = True, f"a parameter overflowed at iteration {t}"
            yield rec
            return
        theta, views = theta_new, flat_views(theta_new, views)
        model.params = dict(views)
        yield rec


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


def epoch_length(m: int, batch_size: int | None) -> int:
    """Updates per pass over m examples: 1 for full batch, ⌈m / batch_size⌉ for mini-batches."""
    return -(-m // batch_size) if batch_size is not None and 0 < batch_size < m else 1


def fit(model: Model, X: np.ndarray, y: np.ndarray, lr: float, iterations: int, **kwargs) -> History:
    """Run `train` to the end and return its History (the generator is the primitive)."""
    history = History(tuple(model.params), epoch_length=epoch_length(len(X), kwargs.get("batch_size")))
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
        optimizer: Optimizer | None = None,
    ) -> None:
        self.model = model
        self.X, self.y = X, y
        self.initial_params = model.get_params()
        self.lr = float(lr)
        self.history = History(tuple(model.params), epoch_length=epoch_length(len(X), batch_size))
        self.snapshot_every = snapshot_every
        self.optimizer = SGD() if optimizer is None else optimizer
        self.optimizer_state = OptimizerState()  # velocity, moments: the run's own, back and forth with θ
        self._states: dict[int, OptimizerState] = {}  # iteration → the state there, for a stateful optimizer
        self._train_args = (X_test, y_test, batch_size, seed)  # to restart the generator (rewind)
        self._restart(0)
        self.last_record: Record | None = None

    def _restart(self, start: int) -> None:
        X_test, y_test, batch_size, seed = self._train_args
        self._records = train(
            self.model, self.X, self.y, lambda: self.lr, 10**12, X_test, y_test, batch_size=batch_size, seed=seed,
            snapshot_every=self.snapshot_every, start=start, optimizer=self.optimizer, state=self.optimizer_state,
        )

    def state_at(self, iteration: int) -> OptimizerState:
        """A copy of the optimizer's state at an iteration the run has passed (or is at)."""
        if iteration == self.iteration:
            return self.optimizer_state.copy()
        if self.optimizer.stateful and iteration and iteration not in self._states:
            raise ValueError(f"the run kept no optimizer state at iteration {iteration}")
        return self._states.get(iteration, OptimizerState()).copy()

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
            if self.optimizer.stateful:  # the state at θ_t, before update t (its vectors are never changed)
                self._states[self.iteration] = self.optimizer_state.copy()
            rec = next(self._records)
            self.history.append(rec)
            self.last_record = rec
            if rec.diverged:
                break
            done += 1
            if deadline is not None and time.perf_counter() > deadline:
                break
        return done

    def rewind(self, iteration: int, params: Params, state: OptimizerState | None = None) -> None:
        """Put the run back at `iteration` with θ = `params` (the weights it had there, e.g. kept by a UI that
        trained ahead of what it has shown) and the optimizer's state there (`state`, or the one the run kept).
        Records from `iteration` on are dropped, divergence after it is forgotten, and training continues from
        there; a mini-batch run draws new batches from that point."""
        if not 0 <= iteration <= self.iteration:
            raise ValueError(f"can only rewind to 0…{self.iteration}, not {iteration}")
        missing = set(self.model.params) ^ set(params)
        if missing:
            raise ValueError(f"params must name exactly {sorted(self.model.params)}")
        state = self.state_at(iteration) if state is None else state.copy()
        h = self.history
        for column in h.columns.values():
            del column[iteration:]
        for store in (h.snapshots, h.snapshot_grads, self._states):
            for t in [t for t in store if t >= iteration]:
                del store[t]
        if h.diverged_at is not None and h.diverged_at >= iteration:
            h.diverged_at, h.message = None, ""
        self.model.params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
        self.last_record = None
        self.optimizer_state = state
        self._restart(iteration)

    def lookahead(self, lr: float, l2: float | None = None, *, start: int | None = None,
                  params: Params | None = None, state: OptimizerState | None = None) -> Iterator[tuple[Record, Model]]:
        """The iterations that would come next, run on a copy: (record, the copy's model after that update), the run
        itself untouched. After `rewind(iteration, params)` to where the lookahead started, the run takes exactly
        these steps (the same mini-batches too), so a UI can show them before the run has taken them. `start` and
        `params` begin it at an earlier iteration the run passed, with the weights it had there."""
        model = self.model.copy()
        if params is not None:
            model.params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
        if l2 is not None:
            model.l2 = float(l2)
        start = self.iteration if start is None else start
        state = self.state_at(start) if state is None else state.copy()
        X_test, y_test, batch_size, seed = self._train_args
        for rec in train(model, self.X, self.y, lr, 10**12, X_test, y_test, batch_size=batch_size, seed=seed,
                         start=start, optimizer=self.optimizer, state=state):
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
    snapshot_every: int = 0,
) -> dict[float, tuple[Model, History]]:
    """Train a copy of the same initial model once per learning rate: same data, same start.

    snapshot_every > 0 keeps θ every that many iterations in each History (the path a picture draws)."""
    out: dict[float, tuple[Model, History]] = {}
    for lr in lrs:
        twin = model.copy()
        out[float(lr)] = (twin, fit(twin, X, y, lr, iterations, X_test=X_test, y_test=y_test,
                                    batch_size=batch_size, seed=seed, snapshot_every=snapshot_every))
    return out

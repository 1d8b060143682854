"""Gradient descent as a generator of per-iteration records, a columnar history, and a steppable run."""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .history import HISTORY_COLUMNS, History, Record  # noqa: F401 (importable from here, as before)
from .models import Model, Params
from .optimizers import SGD, Optimizer, OptimizerState, flat_views, flatten, l1_shrink

LearningRate = float | Callable[[], float]


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


@dataclass
class Cursor:
    """What `train` carries from one update to the next besides θ: the mini-batch generator, the epoch's order and
    where in it the next batch starts, and the last step's gradient (for step_cosine). A copy continues exactly as
    the original would (TrainingRun.fork); state a later optimizer keeps between steps belongs here too."""

    rng: np.random.Generator
    order: np.ndarray
    pos: int
    previous: tuple[np.ndarray, float] | None = None  # the last step's gradient (flat, θ's order) and its norm

    @classmethod
    def fresh(cls, m: int, seed: int, start: int) -> Cursor:
        """The state at iteration `start` of a run seeded `seed` that (re)starts there: pos = m forces a fresh
        permutation at the first mini-batch."""
        return cls(np.random.default_rng([seed, start]), np.arange(m), m)


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
    cursor: Cursor | None = None,
) -> Iterator[Record]:
    """Train `model` in place, yielding one Record per iteration (one parameter update).

    batch_size=None is full-batch gradient descent, as derived; a number gives seeded mini-batch SGD
    (a fresh permutation each epoch). `lr` may be a callable, read before every update, so a caller
    can change it mid-run.

    Diverged means a value stopped being finite: the cross-entropy, the penalty, a gradient or an updated
    parameter. The record says diverged=True, the generator stops, the model keeps its last finite θ. No
    finite loss bound separates divergence from an overshoot that recovers (64 ReLU units on moons at α = 10
    climb to 728 nats, then end at 0.17); an overflow cannot recover (inf − α·g stays inf). `max_loss` is
    only a caller's own stop rule. `cursor` (updated in place) continues another generator's batches and step
    history; without one a run starts afresh at `start`.

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
    cur = Cursor.fresh(m, seed, start) if cursor is None else cursor
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
                if cur.pos >= m:
                    cur.order, cur.pos = cur.rng.permutation(m), 0
                idx = cur.order[cur.pos : cur.pos + batch_size]  # an epoch's last batch may be smaller: all m seen
                cur.pos += batch_size
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
            cosine, previous = None, cur.previous
            if previous is not None and norm * previous[1] > 0:
                cosine = float(np.vdot(g, previous[0])) / (norm * previous[1])
            cur.previous = g, norm
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


def epoch_length(m: int, batch_size: int | None) -> int:
    """Updates per pass over m examples: 1 for full batch, ⌈m / batch_size⌉ for mini-batches."""
    return -(-m // batch_size) if batch_size is not None and 0 < batch_size < m else 1


def fit(model: Model, X: np.ndarray, y: np.ndarray, lr: float, iterations: int, **kwargs) -> History:
    """Run `train` to the end and return its History (the generator is the primitive)."""
    history = History(tuple(model.params), epoch_length=epoch_length(len(X), kwargs.get("batch_size")))
    for rec in train(model, X, y, lr, iterations, **kwargs):
        history.append(rec)
    return history


class _Rate:
    """α as the run's generator reads it before every update (a holder: a fork and an adopting run pass it on)."""

    def __init__(self, lr: float) -> None:
        self.lr = float(lr)

    def __call__(self) -> float:
        return self.lr


class TrainingRun:
    """A run a UI advances a few iterations at a time (Play / Step); lr may change between chunks.

    The model is trained in place; `iteration` counts the updates done so far. `fork()` trains ahead on a copy that
    takes exactly the run's next steps; `adopt(fork)` makes those steps the run's own, so none is trained twice.
    """

    # what a fork shares with its run instead of copying (read-only data) or makes anew (records, generator)
    _SHARED = ("X", "y", "initial_params", "_train_args")

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
        self._rate = _Rate(lr)
        self.history = History(tuple(model.params), epoch_length=epoch_length(len(X), batch_size))
        self.snapshot_every = snapshot_every
        self.optimizer = SGD() if optimizer is None else optimizer
        self.optimizer_state = OptimizerState()  # velocity, moments: the run's own, back and forth with θ
        self._states: dict[int, OptimizerState] = {}  # iteration → the state there, for a stateful optimizer
        self.last_record: Record | None = None
        self._train_args = (X_test, y_test, batch_size, seed)  # to restart the generator (rewind)
        self.origin = 0  # the iteration history[0] belongs to (a fork's records start where it was made)
        self.edits = 0  # weights set by hand (edit): a frame of the same iteration may show other weights
        self._restart(0)

    def _restart(self, start: int, cursor: Cursor | None = None) -> None:
        """A generator of the run's records from iteration `start`, continuing `cursor` (None: afresh)."""
        X_test, y_test, batch_size, seed = self._train_args
        self.cursor = Cursor.fresh(len(self.y), seed, start) if cursor is None else cursor
        self._records = train(
            self.model, self.X, self.y, self._rate, 10**12, X_test, y_test, batch_size=batch_size, seed=seed,
            snapshot_every=self.snapshot_every, start=start, cursor=self.cursor, optimizer=self.optimizer,
            state=self.optimizer_state,
        )

    @property
    def lr(self) -> float:
        return self._rate.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._rate.lr = float(value)

    def state_at(self, iteration: int) -> OptimizerState:
        """A copy of the optimizer's state at an iteration the run has passed (or is at)."""
        if iteration == self.iteration:
            return self.optimizer_state.copy()
        if self.optimizer.stateful and iteration and iteration not in self._states:
            raise ValueError(f"the run kept no optimizer state at iteration {iteration}")
        return self._states.get(iteration, OptimizerState()).copy()

    @property
    def iteration(self) -> int:
        h = self.history
        return self.origin + len(h) if h.diverged_at is None else h.diverged_at

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

    def fork(self, at: tuple[int, Params] | None = None) -> TrainingRun:
        """A run of its own from here: a copy of the model and of everything the run carries between steps (the
        cursor: mini-batches, the last gradient; α), with an empty history starting at this iteration. Advanced
        with the same α and λ, it takes exactly the steps this run would take. Every attribute is deep-copied but
        the data (`_SHARED`) and the records, so state added to the run later forks along with it.

        `at` = (iteration, θ there) forks from an earlier iteration the run passed, with the weights it had there
        (kept by the caller): its batches restart there, as after `rewind(iteration, θ)`, which must come before
        the run adopts it."""
        memo: dict[int, Any] = {id(getattr(self, name)): getattr(self, name) for name in self._SHARED}
        memo[id(self.history)] = None
        memo[id(self._records)] = None  # a generator cannot be copied: the fork makes its own from the cursor
        memo[id(self._states)] = {}  # the fork keeps the optimizer's states from its own start (adopt merges them)
        fork = copy.deepcopy(self, memo)
        fork.history = History(self.history.param_names, epoch_length=self.history.epoch_length)
        if at is None:
            fork.origin = self.iteration
            fork.history.diverged_at, fork.history.message = self.history.diverged_at, self.history.message
            fork._restart(self.iteration, fork.cursor)
            return fork
        iteration, params = at
        if not self.origin <= iteration <= self.iteration or set(params) != set(self.model.params):
            raise ValueError(f"can only fork at {self.origin}…{self.iteration} with this model's parameters")
        fork.origin, fork.last_record = iteration, None
        fork.model.params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
        fork.optimizer_state = self.state_at(iteration)
        fork._restart(iteration)
        return fork

    def adopt(self, fork: TrainingRun) -> None:
        """Take the steps `fork` trained as this run's own: its model, generator, cursor and α, its records appended
        to this history. The fork must come from this run at its current iteration (no step taken since)."""
        if fork.origin != self.iteration or fork.history.param_names != self.history.param_names:
            raise ValueError(f"a fork made at iteration {fork.origin} cannot be adopted at {self.iteration}")
        history, states = self.history, self._states
        history.extend(fork.history)
        states.update(fork._states)
        for name, value in vars(fork).items():
            if name not in (*self._SHARED, "history", "origin", "_states"):
                setattr(self, name, value)
        self.history, self._states = history, states

    def edit(self, params: Params) -> None:
        """Take `params` (every tensor, finite; e.g. one weight typed by hand) as θ at this iteration: the records
        so far stay as they were, the next step starts from the new θ with the optimizer's state and α kept, and
        a diverged run goes on from them. A run started from `params` with that state takes the same steps."""
        if set(params) != set(self.model.params):
            raise ValueError(f"params must name exactly {sorted(self.model.params)}")
        for name, value in params.items():
            value = np.asarray(value, dtype=np.float64)
            if value.shape != np.shape(self.model.params[name]) or not np.isfinite(value).all():
                raise ValueError(f"{name} must be finite with shape {np.shape(self.model.params[name])}")
        self.rewind(self.iteration, params)
        self.edits += 1

    def rewind(self, iteration: int, params: Params, state: OptimizerState | None = None) -> None:
        """Put the run back at `iteration` with θ = `params` (the weights it had there, e.g. kept by a UI that
        trained ahead of what it has shown) and the optimizer's state there (`state`, or the one the run kept).
        Records from `iteration` on are dropped, divergence after it is forgotten, and training continues from
        there; a mini-batch run draws new batches from that point."""
        if not self.origin <= iteration <= self.iteration:
            raise ValueError(f"can only rewind to {self.origin}…{self.iteration}, not {iteration}")
        missing = set(self.model.params) ^ set(params)
        if missing:
            raise ValueError(f"params must name exactly {sorted(self.model.params)}")
        state = self.state_at(iteration) if state is None else state.copy()
        h = self.history
        for column in h.columns.values():
            del column[iteration - self.origin:]
        for store in (h.snapshots, h.snapshot_grads, self._states):
            for t in [t for t in store if t >= iteration]:
                del store[t]
        if h.diverged_at is not None and h.diverged_at >= iteration:
            h.diverged_at, h.message = None, ""
        self.model.params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
        self.last_record = None
        self.optimizer_state = state
        self._restart(iteration)


"""Several runs from one start, trained a slice at a time: the learning-rate lab's comparison. A shared server
trains it across several requests, none longer than a budget (issue #21: every rerun ≤ 1 s of server CPU); a
notebook trains it at once (`compare_learning_rates`). Sliced or not, every run has the same numbers as `fit`."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np

from .history import History, Record
from .models import Model
from .optimizers import SGD, Optimizer
from .training import epoch_length, train

Runs = dict[float, tuple[Model, History]]


class Sweep:
    """Train a copy of `start` once per (optimizer, learning rate): same data, same start, each run its own
    optimizer state from 0. `advance(budget)` trains for about `budget` seconds of this thread's CPU (at least
    one step); `runs[name][lr]` is (model, History) once the sweep is `finished`."""

    def __init__(self, start: Model, X: np.ndarray, y: np.ndarray, lrs: Sequence[float], iterations: int,
                 X_test: np.ndarray | None = None, y_test: np.ndarray | None = None, *,
                 optimizers: Mapping[str, Optimizer] | None = None, batch_size: int | None = None, seed: int = 0,
                 snapshot_every: int = 0) -> None:
        self.start, self.iterations = start, int(iterations)
        self._data = (X, y, X_test, y_test)
        self._train_args = {"batch_size": batch_size, "seed": seed, "snapshot_every": snapshot_every}
        self._optimizers = dict(optimizers or {"sgd": SGD()})
        self._todo = [(name, float(lr)) for name in self._optimizers for lr in lrs]
        self.runs: dict[str, Runs] = {name: {} for name in self._optimizers}
        self._steps_done, self._steps_total = 0, len(self._todo) * self.iterations
        self._current: tuple[str, float, Model, History, Iterator[Record]] | None = None

    @property
    def finished(self) -> bool:
        return not self._todo and self._current is None

    @property
    def fraction(self) -> float:
        """How much of the sweep is trained, 0 … 1 (a diverged run counts as done)."""
        return 1.0 if self.finished else self._steps_done / max(1, self._steps_total)

    def advance(self, budget: float = math.inf, clock: Callable[[], float] = time.thread_time) -> bool:
        """Train until `budget` seconds of `clock` have passed (at least one step); True once every run is done."""
        deadline = clock() + budget
        while not self.finished:
            if self._current is None:
                self._current = self._begin(*self._todo.pop(0))
            name, lr, model, history, records = self._current
            rec = next(records, None)
            if rec is None:  # the run ended (all its iterations, or a divergence)
                self.runs[name][lr] = (model, history)
                self._steps_done += self.iterations - len(history)
                self._current = None
                continue
            history.append(rec)
            self._steps_done += 1
            if clock() >= deadline:
                break
        return self.finished

    def _begin(self, name: str, lr: float) -> tuple[str, float, Model, History, Iterator[Record]]:
        X, y, X_test, y_test = self._data
        twin = self.start.copy()
        history = History(tuple(twin.params), epoch_length=epoch_length(len(X), self._train_args["batch_size"]))
        records = train(twin, X, y, lr, self.iterations, X_test=X_test, y_test=y_test,
                        optimizer=self._optimizers[name], **self._train_args)
        return name, lr, twin, history, records


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
    optimizer: Optimizer | None = None,
) -> Runs:
    """Train a copy of the same initial model once per learning rate: same data, same start, same optimizer
    (SGD() if None; each run has its own state, starting at 0).

    snapshot_every > 0 keeps θ every that many iterations in each History (the path a picture draws)."""
    sweep = Sweep(model, X, y, lrs, iterations, X_test, y_test, optimizers={"": optimizer or SGD()},
                  batch_size=batch_size, seed=seed, snapshot_every=snapshot_every)
    sweep.advance()
    return sweep.runs[""]

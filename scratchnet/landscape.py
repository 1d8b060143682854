"""What a learning rate does, and a picture of why it overshoots.

- Reading a run: overshoot events (a jump that may recover) and the verdicts 'too small' / 'good' /
  'too large' / 'diverged', alone (lr_verdict) or side by side (sweep_verdicts).
- Why α overshoots: the objective along the current gradient direction, L(θ − t·∇L), with the point α lands
  on (loss_along_gradient), e.g. from the weights just before a run's first rise (before_first_rise); for
  logistic regression with two inputs, the loss surface over (w1, w2) with the
  path gradient descent took (loss_surface).
- Logistic regression and large α: each step is bounded (max_step_length), so without a penalty it cannot
  blow up; what too large an α does there is zig-zag across the valley (negative step_cosine).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .losses import softplus
from .models import LogisticRegression, Model
from .training import History, fit

# --- what a run says about α: overshoot events and verdicts -----------------------------------------------
SPIKE_RISE = 0.2  # an overshoot: the (epoch-averaged) objective climbs 20 % above the best it had reached …
SPIKE_NATS = 0.01  # … and by 0.01 nats at least (tiny late losses wobble by large fractions of almost nothing)
RECOVERED = 0.05  # recovered: back within 5 % of that best (or within 0.005 nats of a tiny one)


@dataclass(frozen=True)
class Overshoot:
    """A jump of the objective above the best it had reached: "the loss jumped to 728 at iteration 9"."""

    start: int  # first iteration of the jump
    peak_iteration: int
    peak: float  # the objective at its peak (an epoch average for mini-batch runs)
    before: float  # the best objective reached before the jump
    recovered_at: int | None  # first iteration back near `before` (see RECOVERED); None if it never came back

    @property
    def recovered(self) -> bool:
        return self.recovered_at is not None


def overshoot_events(history: History, name: str = "objective") -> list[Overshoot]:
    """Each jump of the smoothed `name` column 20 % (and 0.01 nats) above its best so far, with its peak and
    where it came back within 5 % (or 0.005 nats) of that best. Full-batch descent with a small enough α
    never raises the loss, so such a jump is a step that overshot; an epoch average hides mini-batch noise.
    """
    loss = history.smoothed(name)
    iterations = history.array("iteration").astype(int)
    if loss.size < 2:
        return []
    best = np.minimum.accumulate(np.where(np.isfinite(loss), loss, np.inf))
    trigger = np.maximum(best * (1 + SPIKE_RISE), best + SPIKE_NATS)
    above = np.zeros(loss.size, dtype=bool)
    above[1:] = loss[1:] > trigger[:-1]
    events: list[Overshoot] = []
    t = 1
    while True:
        starts = np.flatnonzero(above[t:])
        if starts.size == 0:
            return events
        a = t + int(starts[0])
        before = float(best[a - 1])
        back = np.flatnonzero(loss[a:] <= max(before * (1 + RECOVERED), before + SPIKE_NATS / 2))
        b = a + int(back[0]) if back.size else loss.size
        peak = a + int(np.nanargmax(loss[a:b]))
        events.append(Overshoot(int(iterations[a]), int(iterations[peak]), float(loss[peak]), before,
                                int(iterations[b]) if b < loss.size else None))
        if b >= loss.size:
            return events
        t = b + 1


ZIGZAG_SHARE = 0.25  # oscillation: in the second half, the loss rises on a quarter of the steps (see _oscillates)
FAR_NATS, FAR_SHARE = 0.05, 0.25  # "far above the best": by more than 0.05 nats and a quarter of the best,
CATCH_UP_RUNS = 2.0  # and at its final pace more than two more runs of the same length away from it,
STILL_TO_GO = 1 / 3  # or still a third of the way back up from the best to where every run started,
COVERED_FACTORS = 1 / 3  # or, counted in factors (log L), less than a third of the way down to the best


def _oscillates(loss: np.ndarray, epoch_length: int) -> bool:
    """The loss keeps going up and down in the second half (a period-2 zig-zag rises every other step). Full
    batch any visible rise (1e-4) is real; an epoch average still wobbles, so there only rises of 1 % count."""
    tail = loss[loss.size // 2 :]
    rises = np.diff(tail) > (1e-4 if epoch_length <= 1 else 1e-2) * tail[:-1]
    return rises.size >= 4 and rises.mean() >= ZIGZAG_SHARE


def falls_steadily(history: History) -> bool:
    """The (epoch-averaged) objective is still falling steadily at the end: its second half fell at least half
    as far as its first (see _falls_straight)."""
    loss = history.smoothed()
    return loss.size >= 2 and _falls_straight(loss)


def _falls_straight(loss: np.ndarray) -> bool:
    """Still falling steadily: the second half fell at least half as far as the first. The curve has not bent
    towards a floor, so nothing says one is near, however small the steps (α = 1e-5 moves 0.0003 in 150)."""
    half = loss.size // 2
    first, second = loss[0] - loss[half], loss[half] - loss[-1]
    return bool(second > 1e-12 * abs(loss[0]) and second >= 0.5 * first)


def _far_behind(loss: np.ndarray, best: float, window: int) -> bool:
    """Still falling, far above `best`, and more than CATCH_UP_RUNS runs from it at its final pace or still
    STILL_TO_GO of the way back up to the start. A 1/t cross-entropy tail is about one run from where it
    heads, a run with too short steps several; a straight-line pace flatters a run that started high and
    fell fast (a poor initialisation), which the share still to go catches. A best near 0 (1e-6 on separable
    blobs) makes any linear share look small: counted in factors, 0.89 → 0.24 is a tenth of the way to 5e-6."""
    window = min(max(window, 1), loss.size - 1)
    gap = loss[-1] - best
    pace = (loss[-1 - window] - loss[-1]) / window  # fall per iteration, near the end
    if not (gap > max(FAR_NATS, FAR_SHARE * best) and pace > 0):
        return False
    factors = best > 0 and loss[0] > best and np.log(loss[0] / loss[-1]) < COVERED_FACTORS * np.log(loss[0] / best)
    return bool(gap > CATCH_UP_RUNS * pace * loss.size or gap > STILL_TO_GO * (loss[0] - best) or factors)


def lr_verdict(history: History) -> str:
    """'diverged', 'too large', 'too small' or 'good', judged on the (epoch-averaged) objective.

    too large: an overshoot (see overshoot_events), a loss that keeps zig-zagging, or one that ends above its
    start. too small: alone a run cannot know how low it could go, so: still falling along a curve that has
    not bent (sweep_verdicts also compares with the best run).
    """
    if history.diverged_at is not None:
        return "diverged"
    loss = history.smoothed()
    if loss.size < 2:
        return "too small"
    if overshoot_events(history) or _oscillates(loss, history.epoch_length) or loss[-1] > loss[0] + SPIKE_NATS:
        return "too large"
    return "too small" if _falls_straight(loss) else "good"


def sweep_verdicts(histories: dict[float, History]) -> dict[float, str]:
    """Verdicts for runs from the same start, as a student compares the curves side by side.

    'too small' means here: still falling at the end, far above the best loss any run reached (more than
    0.05 nats and 25 %), and either more than two more runs from it at its final pace, or still a third of
    the way back up from it to the common start, or less than a third of the way down to it in factors. A run
    close to the best is 'good' even if alone its curve looks unfinished, unless the best run itself is still
    falling steadily (then no run has shown a floor).

    The verdicts agree with one another: 'too small' goes to the smallest α only. Once an α (not too large)
    is judged good, no larger α is 'too small' (its steps are longer than a good one's): it is 'good' too.
    """
    verdicts = {lr: lr_verdict(h) for lr, h in histories.items()}
    smooth = {lr: h.smoothed() for lr, h in histories.items() if h.diverged_at is None and len(h) >= 2}
    if not smooth:
        return verdicts
    best_lr = min(smooth, key=lambda lr: float(np.nanmin(smooth[lr])))
    best = float(np.nanmin(smooth[best_lr]))
    floor_seen = verdicts[best_lr] != "too small"  # else every run may still be on its way down
    short = True  # still in the run of smallest α's that are all too small
    for lr in sorted(smooth):
        if verdicts[lr] not in ("good", "too small"):
            continue
        loss = smooth[lr]
        window = max(loss.size // 10, histories[lr].epoch_length)
        behind = _far_behind(loss, best, window)
        short = short and (behind or (verdicts[lr] == "too small" and not floor_seen))
        verdicts[lr] = "too small" if short else "good"
    return verdicts


# --- what a run did, whatever the optimizer ---------------------------------------------------------------
def what_it_did(history: History, verdict: str) -> str:
    """A verdict (lr_verdict, sweep_verdicts) said as what the run's curve did, and nothing more: the words
    for runs whose steps are not plain descent's (momentum, Adam). Their loss may rise and fall again at an α
    that serves them (on a bowl, momentum oscillates far below the α at which it blows up: momentum_bowl), so
    a rise is no sign that α is "too large". 'diverged' (a number stopped being finite), 'rose, then fell
    back' / 'rose and stayed up' (an overshoot event, see overshoot_events), 'ended higher' (above its start),
    'oscillated' (else: the second half keeps going up and down), 'still falling' (too small), 'fell' (good)."""
    if verdict == "diverged":
        return "diverged"
    if verdict == "too small":
        return "still falling"
    if verdict == "good":
        return "fell"
    events = overshoot_events(history)
    if events:
        return "rose, then fell back" if events[-1].recovered else "rose and stayed up"
    loss = history.smoothed()  # as the lab's line says it: above its start first, else up and down
    return "ended higher" if loss[-1] > loss[0] else "oscillated"


def momentum_bowl(beta: float) -> tuple[float, float]:
    """On a quadratic bowl of curvature h, heavy-ball momentum θ_(t+1) = θ_t + β·(θ_t − θ_(t−1)) − αh·θ_t
    (optimizers.Momentum) has the characteristic roots of r² − (1 + β − αh)·r + β = 0. They are complex (θ
    spirals around the floor, crossing it again and again) once αh > (1 − √β)², and real but negative (θ flips
    sign every step) past (1 + √β)²; both have |r| < 1 until αh = 2(1 + β), where a root passes −1. So
    (αh above which it oscillates, αh above which it blows up): plain descent (β = 0) gives (1, 2)."""
    return (1 - float(np.sqrt(beta))) ** 2, 2 * (1 + beta)


# --- why α overshoots: the objective along the gradient ------------------------------------------------------
MAX_DOUBLINGS = 16  # how far a scan may widen to show the valley a small α has not reached (×65,536)


@dataclass(frozen=True)
class LineScan:
    """The objective along the current gradient direction; where α lands on it."""

    t: np.ndarray  # step sizes, 0 … t_max
    loss: np.ndarray  # objective L(θ − t·∇L) along the current gradient direction
    lr: float  # the chosen α
    loss_at_lr: float  # L(θ − α·∇L): where this α lands
    slope: float  # dL/dt at t = 0, i.e. −‖∇L‖² (for a tangent line)


def loss_along_gradient(model: Model, X: np.ndarray, y: np.ndarray, lr: float, n: int = 81,
                        span: float = 3.0) -> LineScan:
    """L(θ − t·∇L) for t in [0, t_max], with ∇L the full-batch gradient of the objective at the model's θ.

    t_max = span·α, doubled (up to MAX_DOUBLINGS times) while the loss there is still below L(θ), so the
    valley and its far wall are in the picture: a small α lands just past t = 0, a good one near the floor,
    one too large up the far wall. The model is left unchanged.
    """
    if lr <= 0 or n < 2:
        raise ValueError("lr must be > 0 and n at least 2")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    theta = model.get_params()
    grads = model.gradients(X, y)
    probe = model.copy()

    def at(t: float) -> float:
        probe.params = {k: np.asarray(theta[k] - t * grads[k]) for k in theta}
        return probe.loss(X, y)

    slope = -float(sum(np.vdot(g, g) for g in grads.values()))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # far out, logits may overflow
        start = at(0.0)
        t_max = span * lr
        for _ in range(MAX_DOUBLINGS if slope < 0 else 0):
            if not at(t_max) < start:  # the far wall (or an overflow) is in view
                break
            t_max *= 2
        t = np.linspace(0.0, t_max, n)
        loss = np.array([at(ti) for ti in t])
        return LineScan(t=t, loss=loss, lr=float(lr), loss_at_lr=at(lr), slope=slope)


def first_rise(history: History) -> int | None:
    """The first iteration t at which the objective is above the one before it: the step taken from θ_(t−1)
    landed higher than where it started, the overshoot a picture should show. None if it never rose."""
    objective = history.array("objective")
    rises = np.flatnonzero(np.diff(objective) > 0)
    return int(history.array("iteration")[rises[0] + 1]) if rises.size else None


def before_first_rise(start: Model, X: np.ndarray, y: np.ndarray, history: History) -> tuple[int, Model] | None:
    """(t, the model at θ_(t−1)) for the first rise t of a full-batch run from `start` (see first_rise), replayed
    from `start` with the run's α: full-batch descent is deterministic, so its scan's α lands on the run's
    θ_t. None if the run never rose or used mini-batches (its steps followed single batches' gradients)."""
    t = first_rise(history)
    if t is None or history.epoch_length > 1:
        return None
    model = start.copy()
    if t > 1:
        fit(model, X, y, float(history.array("lr")[0]), t - 1)
    return t, model


# --- why α overshoots: the loss surface of logistic regression with two inputs -----------------------------
GRID_BUDGET = 2**21  # logits computed at once (16 MB): the grid is done in blocks of points beyond this


@dataclass(frozen=True)
class LossSurface:
    """The objective over (w1, w2) with b held at its current value, and the path descent took."""

    w1: np.ndarray  # (n,)
    w2: np.ndarray  # (n,)
    loss: np.ndarray  # (n, n) objective, rows follow w2, columns w1, with b held at its current value
    b: float
    path: np.ndarray  # (k, 2): the (w1, w2) gradient descent visited (from snapshots / params given)


def loss_surface(model: LogisticRegression, X: np.ndarray, y: np.ndarray, path: np.ndarray, n: int = 60,
                 margin: float = 0.25) -> LossSurface:
    """The objective on an n × n grid of (w1, w2) around the path and the current weights.

    Both axes get the same width (so a round valley looks round): the larger extent of path and weights,
    at least 1, plus `margin` of it on each side. Every grid point's logits come from one matrix product
    X·Wᵀ (in blocks only when m·n² exceeds GRID_BUDGET). The model is left unchanged.
    """
    if not isinstance(model, LogisticRegression) or model.n_features != 2 or model.n_classes != 2:
        raise ValueError("the loss surface is drawn for two-class logistic regression with exactly two inputs")
    if n < 2:
        raise ValueError("n must be at least 2")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    path = np.asarray(path, dtype=np.float64).reshape(-1, 2)
    w, b = model.params["w"], float(model.params["b"])
    points = np.vstack([path, w])
    lo, hi = points.min(axis=0), points.max(axis=0)
    half = max(float(np.max(hi - lo)) / 2, 0.5) * (1 + 2 * margin)
    w1 = np.linspace(-half, half, n) + (lo[0] + hi[0]) / 2
    w2 = np.linspace(-half, half, n) + (lo[1] + hi[1]) / 2
    W = np.stack(np.meshgrid(w1, w2), axis=-1).reshape(-1, 2)  # row-major: rows follow w2, columns w1
    loss = np.empty(W.shape[0])
    block = max(1, GRID_BUDGET // max(X.shape[0], 1))
    for i in range(0, W.shape[0], block):  # one block unless the data set is large
        Z = X @ W[i : i + block].T + b  # (m, points): every example's logit at every grid point
        loss[i : i + block] = np.mean(softplus(Z) - y[:, None] * Z, axis=0)
    loss += 0.5 * model.l2 * np.sum(W * W, axis=1)
    return LossSurface(w1=w1, w2=w2, loss=loss.reshape(n, n), b=b, path=path)


def weight_path(history: History, name: str = "w") -> np.ndarray:
    """The snapshots of parameter `name`, in iteration order, one row each: (k, 2) for logistic regression's w."""
    return np.array([history.snapshots[t][name] for t in sorted(history.snapshots)], dtype=np.float64)


# --- logistic regression and large α ------------------------------------------------------------------------
def max_step_length(X: np.ndarray, lr: float, batch_size: int | None = None, n_classes: int = 2) -> float:
    """The longest step logistic regression without a penalty can take: α·mean‖(x, 1)‖ over a batch.

    Softmax regression (K ≥ 3): each example's ŷ − onehot(y) has length at most √2 (its entries are
    −(1 − ŷ_y) and the other ŷ_k ≥ 0, which sum to 1 − ŷ_y), so the bound is √2 times as long.

    ∂L_i/∂(w, b) = (ŷ_i − y_i)·(x_i, 1) with |ŷ_i − y_i| ≤ 1, so the mean gradient is no longer than the mean
    ‖(x_i, 1)‖; for mini-batches, the worst batch is the smallest one (an epoch's last) holding the longest
    rows. The weights can therefore grow at most linearly, and the loss (at most ‖(x, 1)‖·‖θ‖ + log 2 per
    example) with them: no blow-up.
    """
    norms = np.sqrt(np.sum(np.asarray(X, dtype=np.float64) ** 2, axis=1) + 1.0)
    if batch_size is not None and 0 < batch_size < norms.size:
        norms = np.sort(norms)[-(norms.size % batch_size or batch_size) :]
    return float(lr * norms.mean()) * (np.sqrt(2.0) if n_classes > 2 else 1.0)


def penalty_diverges(lr: float, l2: float) -> bool:
    """λ·α > 2: the penalty's part of each step multiplies W by 1 − λα < −1, so logistic regression's weights
    (whose data gradient is bounded) flip sign and grow geometrically until they overflow."""
    return lr * l2 > 2


def zigzag(history: History) -> tuple[int, int | None]:
    """(how many steps reversed the one before, cos(∇L_t, ∇L_t−1) < 0; the last iteration that did).

    Full batch, that is α bouncing across a valley even while the loss falls; mini-batch gradients differ
    from batch to batch, so there the count says little.
    """
    cos = history.array("step_cosine")
    back = np.flatnonzero(cos < 0)
    return int(back.size), (int(history.columns["iteration"][back[-1]]) if back.size else None)

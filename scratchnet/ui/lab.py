"""The learning-rate lab: one start, several learning rates (and optimizers), results kept per session."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import streamlit as st

from scratchnet import (
    History,
    LogisticRegression,
    Model,
    Sweep,
    TwoLayerNet,
    falls_steadily,
    figures,
    make_model,
    overshoot_events,
    sweep_verdicts,
    zigzag,
)
from scratchnet.figures.curves import DASHES
from scratchnet.landscape import before_first_rise, momentum_bowl, what_it_did
from scratchnet.optimizers import make_optimizer
from scratchnet.plane import PlaneGrid, class_regions, decision_grid
from scratchnet.problem import Problem
from scratchnet.ui import controls, page
from scratchnet.ui.landscape_panel import has_surface, line_scan_chart, num, step_bound_note, surface_chart
from scratchnet.ui.page import PageContext
from scratchnet.ui.params import Settings, fmt

RESULT_KEY = "lab_result"
SWEEP_KEY = "lab_sweep"  # (signature, Sweep): the comparison being trained, a slice per page run
SLICE_SECONDS = 0.5  # CPU one page run may train it for (issue #21: every rerun ≤ 1 s of server CPU)
BOUNDARY_KEY = "lab_boundary_opt"  # whose boundaries are drawn, when several optimizers are compared
ENTRIES_PER_SECOND = 2e8  # (example × hidden unit × iteration) entries a second, measured on a 2-core server
# (example × weight × iteration) a second: the matrix products, which dominate with many inputs (an upload of 299
# features: 2.8e9 for logistic regression, 3.9e9 for a net of 8 units, measured on the 2-core server; kept low)
WEIGHT_ENTRIES_PER_SECOND = 2e9
# run without a click only when it should take less than this: a rerun's budget is 1 s of server CPU (issue #21)
AUTO_RUN_SECONDS = 0.3
PATH_SNAPSHOTS = 200
VERDICT_WORDS = {"too small": "too small", "good": "just right", "too large": "too large", "diverged": "diverged"}


@dataclass
class LabResult:
    signature: tuple[Any, ...]
    start: Model  # the common starting weights (untrained)
    runs: dict[float, tuple[Model, History]]
    verdicts: dict[float, str]
    grid: PlaneGrid
    probas: dict[float, np.ndarray]
    before_rise: dict[float, tuple[int, Model] | None] = field(default_factory=dict)  # see overshot_step
    optimizer: str = "sgd"  # the optimizer every run of this sweep took (optimizers.make_optimizer's name)

    @property
    def plain(self) -> bool:
        """Plain gradient descent: the verdicts' words (too small / just right / too large) and the picture
        along −∇ are its own; momentum's and Adam's runs are said in what they did (landscape.what_it_did)."""
        return self.optimizer == "sgd"


@dataclass
class LabComparison:
    """One sweep of α per optimizer, every run from the same start on the same data."""

    signature: tuple[Any, ...]
    start: Model
    results: dict[str, LabResult]  # optimizer name → its sweep, in the order chosen
    labels: dict[str, str]  # optimizer name → how the legend and the texts name it


def optimizer_label(name: str, settings: Settings) -> str:
    """gradient descent / momentum β = 0.9 / Adam β₁ = 0.9, β₂ = 0.999."""
    return {"sgd": "gradient descent", "momentum": f"momentum β = {fmt(settings.beta)}"}.get(
        name, f"Adam β₁ = {fmt(settings.beta)}, β₂ = {fmt(settings.beta2)}")


def lab_signature(problem: Problem, settings: Settings, kind: str) -> tuple[Any, ...]:
    return (problem.signature, kind, settings.architecture(kind), settings.lab_lrs, settings.iters, settings.batch,
            settings.l2, tuple(optimizer_label(o, settings) for o in settings.lab_opts))


def estimated_seconds(problem: Problem, settings: Settings, kind: str) -> float:
    """Rough time for the comparison: per example and iteration, the (m × h) array passes of a small model, or the
    products with every weight when there are many inputs or layers (a 299-feature upload: 15 s of CPU once ran
    without a click when the estimate counted hidden units only); one run per (α, optimizer)."""
    width = sum(settings.hidden_layers) if kind == "net" else 1
    weights = make_model(kind, problem.n_inputs, problem.n_classes, **settings.model_hyper()).n_params
    runs = len(settings.lab_lrs) * max(1, len(settings.lab_opts))
    entries = (problem.dataset.n_train + problem.dataset.n_test) * settings.iters * runs
    return entries * max(width / ENTRIES_PER_SECOND, weights / WEIGHT_ENTRIES_PER_SECOND)


def stored(signature: tuple[Any, ...]) -> LabComparison | None:
    result = st.session_state.get(RESULT_KEY)
    return result if result is not None and result.signature == signature else None


def run_lab(problem: Problem, settings: Settings, kind: str) -> LabComparison | None:
    """Every (α, optimizer) pair from one start, trained SLICE_SECONDS of CPU per page run (the sweep in progress
    stays in the session); verdicts judged within each optimizer's sweep of α. None until all are done."""
    signature = lab_signature(problem, settings, kind)
    sweep = training(signature)
    if sweep is None:  # new settings: a new sweep (one in progress for others is dropped)
        start = make_model(kind, problem.n_inputs, problem.n_classes, **settings.model_hyper())
        # the loss surface draws each run's path: keep about PATH_SNAPSHOTS points of it (two weights each)
        every = max(1, settings.iters // PATH_SNAPSHOTS) if has_surface(start) else 0
        optimizers = {name: make_optimizer(name, settings.beta, settings.beta2)
                      for name in settings.lab_opts or ("sgd",)}
        sweep = Sweep(start, problem.X_train, problem.y_train, settings.lab_lrs, settings.iters, problem.X_test,
                      problem.y_test, optimizers=optimizers, batch_size=settings.batch_size, seed=settings.seed,
                      snapshot_every=every)
        st.session_state[SWEEP_KEY] = signature, sweep
    if not sweep.advance(SLICE_SECONDS):
        return None
    del st.session_state[SWEEP_KEY]
    results = {name: LabResult(signature=signature, start=sweep.start, runs=runs,
                               verdicts=sweep_verdicts({lr: h for lr, (_, h) in runs.items()}),
                               grid=problem.plane_grid(resolution=30 if problem.n_classes == 2 else 60),
                               probas={}, optimizer=name)
               for name, runs in sweep.runs.items()}
    comparison = LabComparison(signature, sweep.start, results,
                               {name: optimizer_label(name, settings) for name in results})
    st.session_state[RESULT_KEY] = comparison
    return comparison


def training(signature: tuple[Any, ...]) -> Sweep | None:
    """The sweep this page's settings started and that is still training, if any."""
    job = st.session_state.get(SWEEP_KEY)
    return job[1] if job is not None and job[0] == signature else None


def draw_over_plotted_axes(result: LabResult, problem: Problem) -> None:
    """Each final model's P(class 1) over the features the sidebar draws (the others at their training mean).
    Choosing other features redraws from the stored models: nothing is trained again."""
    if result.probas and result.grid.axes == problem.plot_axes:
        return
    result.grid = grid = problem.plane_grid(resolution=30 if problem.n_classes == 2 else 60)  # regions: finer cells
    probas = {lr: decision_grid(m, grid, problem.transform) for lr, (m, _) in result.runs.items()}
    # K ≥ 3 classes: each panel draws the class regions
    result.probas = probas if problem.n_classes == 2 else {lr: class_regions(p) for lr, p in probas.items()}


# --- what each run did, in words ------------------------------------------------------------------------
def penalised(h: History) -> bool:
    """λ > 0 in this run: the lab then shows the objective J = L + penalty, the quantity descent minimises."""
    return bool(np.any(h.array("penalty") > 0))


def quantity(histories: Any) -> tuple[str, str]:
    """(History column, its name in words) of the one quantity the lab's curves and texts show: the
    cross-entropy L, or with λ > 0 the objective J = L + penalty (verdicts judge J: descent minimises it)."""
    if any(penalised(h) for h in histories):
        return "objective", "objective J = L + penalty"
    return "train_loss", "loss"


def _spikes(h: History, what: str, end: float, ended_lowest: bool = False, plain: bool = True) -> str:
    """An overshoot in words: the highest jump, where it peaked, whether and when it came back (`plain`: called an
    overshoot; momentum's and Adam's rises are only said, see what_it_did)."""
    events = overshoot_events(h)
    e = max(events, key=lambda ev: ev.peak)
    more = f" ({len(events)} spikes in all)" if len(events) > 1 else ""
    last = events[-1]
    if e.recovered and not last.recovered:  # the highest spike came back, a later one did not
        more += (f"; the last rise, to {num(last.peak)} at iteration {last.peak_iteration}, never came back down "
                 f"to {num(last.before)}")
    if e.recovered:
        ending = (f"then ended lowest of these runs, at {num(end)}" if ended_lowest else f"it ended at {num(end)}")
        return (("overshoot spikes — " if plain else "") + f"the {what} jumped to {num(e.peak)} at iteration "
                f"{e.peak_iteration}, then recovered by iteration {e.recovered_at}{more}; {ending}.")
    return (("overshoot — " if plain else "") + f"the {what} jumped to {num(e.peak)} at iteration "
            f"{e.peak_iteration} and never came back down to {num(e.before)}{more}; it ended at {num(end)}.")


def describe(verdict: str, lr: float, model: Model, h: History, best: tuple[float, float] | None,
             what: str = "loss", lowest_end: float | None = None, plain: bool = True) -> str:
    """One run in the words of its verdict. `best` is (lowest value any run of the sweep reached, its α),
    `what` the quantity's name (see quantity), `lowest_end` the lowest final value of the sweep. `plain`: a
    plain-descent run; otherwise (momentum, Adam) only what the run did is said, never why."""
    if verdict == "diverged":
        return f"diverged — {h.message}: a number stopped being finite, and no step can bring it back."
    loss = h.smoothed()  # the objective (= L when λ = 0), epoch averages for mini-batch: what verdicts judge
    start, end = float(loss[0]), float(loss[-1])
    ended_lowest = lowest_end is not None and end <= lowest_end
    if verdict == "too large":
        if overshoot_events(h):
            text = _spikes(h, what, end, ended_lowest, plain)
        elif end > start:
            text = f"the {what} ended above where it started ({num(start)} → {num(end)})."
        else:
            text = (f"oscillation — the {what} kept going up and down (lowest {num(float(np.nanmin(loss)))}, "
                    f"ended {num(end)}).")
        reversed_steps, _ = zigzag(h)
        if plain and h.epoch_length == 1 and len(h) > 2 and reversed_steps >= (len(h) - 1) / 2:
            text += f" {reversed_steps} of its {len(h) - 1} steps reversed the one before: a zig-zag across the valley."
    elif verdict == "too small":
        falling = "still falling steadily" if falls_steadily(h) else "still falling"
        if best is not None and best[0] < float(np.nanmin(loss)):
            text = (f"{falling} at the end ({num(start)} → {num(end)}), far above the lowest {what} reached "
                    f"({num(best[0])}, α = {fmt(best[1])})" + (": right direction, steps too short." if plain else "."))
        else:
            text = (f"{falling} at the end ({num(start)} → {num(end)}): no run here has reached a floor yet — try "
                    "a larger α or more iterations.")
    else:
        text = f"the {what} fell from {num(start)} to {num(end)}" + (", the lowest end of these runs."
                                                                   if ended_lowest else ".")
    dead = h.last("dead_units")
    if isinstance(model, TwoLayerNet) and dead > 0:
        text += f" {int(dead)} of its {model.hidden_units} hidden units ended dead (0 on every training point)."
    return text


def explanation_line(result: LabResult, lr: float) -> str:
    """What the run at `lr` did, in the words of its verdict, next to the best value of the sweep."""
    finite = {a: h.smoothed() for a, (_, h) in result.runs.items() if h.diverged_at is None and len(h)}
    lowest = {a: float(np.nanmin(v)) for a, v in finite.items()}
    best_lr = min(lowest, key=lowest.get) if lowest else None
    best = (lowest[best_lr], best_lr) if best_lr is not None else None
    lowest_end = min(float(v[-1]) for v in finite.values()) if finite else None
    model, history = result.runs[lr]
    _, what = quantity(h for _, h in result.runs.values())
    return describe(result.verdicts[lr], lr, model, history, best, what, lowest_end, result.plain)


def verdict_words(result: LabResult, lr: float) -> str:
    """Plain descent: too small / just right / too large / diverged. Momentum, Adam: what the run did."""
    verdict = result.verdicts[lr]
    return VERDICT_WORDS[verdict] if result.plain else what_it_did(result.runs[lr][1], verdict)


def explanation(result: LabResult) -> list[str]:
    """One line per learning rate: its verdict (see verdict_words), and what the run did."""
    return [f"**α = {fmt(lr)} — {verdict_words(result, lr)}**: {explanation_line(result, lr)}"
            for lr in sorted(result.runs)]


def optimizer_caption(result: LabResult, settings: Settings) -> str:
    """Why momentum's and Adam's runs are said in what they did, not as too small or too large."""
    if result.optimizer == "momentum":
        wobble, blowup = momentum_bowl(settings.beta)
        return (f"Momentum (β = {fmt(settings.beta)}) is not plain descent: its velocity carries the weights past "
                "the floor and back, so its loss can rise and fall again at an α that serves it. On a bowl of "
                f"curvature h it oscillates once αh > (1 − √β)² = {num(wobble)}, and blows up only past "
                f"αh = 2(1 + β) = {num(blowup)}; plain descent's limits are 1 and 2. So its lines say only what "
                "each run did.")
    return ("Adam divides each step by the running root-mean-square of the gradient (multiply the loss by any "
            "factor and its steps stay the same, bar ε), so plain descent's too small and too large do not carry "
            "over: its lines say only what each run did.")


def caption(result: LabResult, problem: Problem, batch_size: int | None = None) -> str:
    """What the three verdicts mean, true for the model compared (a network's loss can spike far above its
    start and usually recovers; logistic regression's steps are bounded)."""
    text = ("Too small: every step is safe but short, so the loss is still falling at the end, far "
            "above where a larger α got. Too large: a step lands past the valley's floor, up its far wall (the "
            "picture below), so the loss goes up. ")
    if not isinstance(result.start, LogisticRegression):  # softmax regression's steps are bounded too (|P − Y| ≤ 1)
        text += ("A network's loss can spike far above its start and usually comes back down; ReLU units that "
                 "end up at 0 on every point die on the way. Diverged means a number stopped being finite. ")
    note = step_bound_note(result.start, problem, max(result.runs), batch_size)
    text += note + " " if note else ""
    return text + "Just right: long steps that still land lower."


# --- the page ----------------------------------------------------------------------------------------
def lab_page(ctx: PageContext) -> None:
    """The model, learning rates and optimizers to compare, then the comparison: run at once when quick, else on
    a click. The optimizers (and their β, β₂) hide with the 'advanced' group in presentation mode."""
    if not page.require_data(ctx):
        return
    top = st.columns([1.4, 3.2, 2.2], vertical_alignment="bottom")
    with top[0]:
        kind = controls.draw("lab_model", horizontal=True)
    with top[1]:
        lrs = controls.draw("lab_lrs")
    with top[2]:
        iters = controls.iterations_control()
    opts = _optimizer_controls(ctx.hidden)
    ctx.settings = settings = ctx.settings.replace(lab_model=kind, lab_lrs=sorted(lrs), iters=iters,
                                                   lab_opts=opts or ("sgd",))
    if not settings.lab_lrs:
        st.info("Choose at least one learning rate.")
    else:
        with page.guard("the learning-rate lab"):
            _comparison(ctx, settings, kind)
    page.data_notes(ctx)


def _optimizer_controls(hidden: set[str]) -> tuple[str, ...]:
    """The optimizers to compare, with β beside them when momentum or Adam is chosen (and β₂ for Adam)."""
    row = st.columns([3.2, 1.8, 1.8], vertical_alignment="bottom")
    with row[0]:
        opts = tuple(controls.shown("lab_opts", hidden))
    if "momentum" in opts or "adam" in opts:
        with row[1]:
            controls.shown("beta", hidden)
    if "adam" in opts:
        with row[2]:
            controls.shown("beta2", hidden)
    return opts


def _comparison(ctx: PageContext, settings: Settings, kind: str) -> None:
    problem = ctx.problem
    assert problem is not None
    signature = lab_signature(problem, settings, kind)
    comparison = stored(signature)
    seconds = estimated_seconds(problem, settings, kind)
    if comparison is None and (seconds < AUTO_RUN_SECONDS or training(signature) is not None
                               or st.button(f"Run the comparison (about {seconds:.0f} s)", type="primary")):
        comparison = run_lab(problem, settings, kind)
        if comparison is None:  # trained a slice this page run: show how far, then run the page again
            fraction = st.session_state[SWEEP_KEY][1].fraction
            st.progress(fraction, text=f"Training one copy per learning rate… {fraction:.0%}")
            st.rerun()
    if comparison is None:
        st.info("This comparison is large (many points, features, units or iterations): press the button to run it.")
        return
    results = comparison.results
    several = len(results) > 1 or "sgd" not in results
    left, right = st.columns([1.5, 1])
    with left:
        column, what = quantity(h for r in results.values() for _, h in r.runs.values())
        curves = [(lr, comparison.labels[name] if several else "", h,
                   figures.verdict_label(r.verdicts[lr]) if r.plain else verdict_words(r, lr))
                  for name, r in results.items() for lr, (_, h) in r.runs.items()]
        st.plotly_chart(figures.lab_loss_figure(curves, column=column, title="training " + what,
                                                height=330 + 28 * len(curves) * several),
                        key="lab_losses", config={"displayModeBar": False})
    with right:
        for name, result in results.items():
            if several:
                st.markdown(f"**{comparison.labels[name].capitalize()}** ({_dash(list(results), name)})")
            st.markdown("\n".join(f"- {line}" for line in explanation(result)))
        if "sgd" in results:
            st.caption(caption(results["sgd"], problem, settings.batch_size))
        for result in results.values():
            if not result.plain:
                st.caption(optimizer_caption(result, settings))
    shown = next(iter(results))
    if len(results) > 1:
        shown = st.radio("Boundaries of", list(results), format_func=comparison.labels.__getitem__, horizontal=True,
                         key=BOUNDARY_KEY)
    result = results[shown]
    draw_over_plotted_axes(result, problem)
    titles = result.verdicts if result.plain else {lr: verdict_words(result, lr) for lr in result.runs}
    st.plotly_chart(figures.lr_lab_boundaries_figure(problem.view, result.grid, result.probas, titles,
                                                     fade=problem.fade),
                    key="lab_boundaries", config={"displayModeBar": False})
    if "sgd" in results:
        overshoot_section(results["sgd"], problem)
    else:
        st.caption("Why α overshoots is drawn for plain gradient descent: momentum's and Adam's steps do not "
                   "follow −∇, so the line along it would not show them. Add gradient descent to see it.")


def _dash(names: list[str], name: str) -> str:
    """How the loss chart draws this optimizer's curves (figures.curves.DASHES, in the order chosen)."""
    return {"solid": "solid lines", "dash": "dashed lines", "dot": "dotted lines"}.get(
        DASHES[names.index(name) % len(DASHES)], "dash-dot lines")


def _default_lr(result: LabResult) -> float:
    """The largest α judged too large (the one worth a picture), else the largest α."""
    large = [lr for lr, v in result.verdicts.items() if v in ("too large", "diverged")]
    return max(large or result.runs)


def overshot_step(result: LabResult, problem: Problem, lr: float) -> tuple[int, Model] | None:
    """(t, the model at θ_(t−1)) for the first step of α's run that raised the objective (replayed once from the
    common start, then kept with the result); None if it never rose or used mini-batches."""
    if lr not in result.before_rise:
        result.before_rise[lr] = before_first_rise(result.start, problem.X_train, problem.y_train, result.runs[lr][1])
    return result.before_rise[lr]


def step_words(lr: float, verdict: str, history: History, step: tuple[int, Model] | None, what: str) -> str:
    """What the line-scan picture shows, from the run's own numbers: the step that first raised the objective
    (its iteration, where it started and landed), or the first step from the common start."""
    said = f"α = {fmt(lr)} was **{VERDICT_WORDS[verdict]}**. "
    objective = history.array("objective")
    if step is not None:
        t, _ = step
        return said + (f"The step that overshot first was the one into iteration {t}: from the weights of iteration "
                       f"{t - 1} ({what} {num(float(objective[t - 1]))}) it landed at {num(float(objective[t]))}, "
                       "higher than it started. The picture follows −∇ from those weights.")
    if history.epoch_length > 1:
        return said + ("With mini-batches each step follows one batch's gradient, not the line drawn here: the "
                       "picture shows a first full-batch step from the common start.")
    return said + ("Its " + what + " never rose from one iteration to the next: the picture shows its first step "
                   "from the common start.")


def overshoot_section(result: LabResult, problem: Problem) -> None:
    """Why α overshoots: for the chosen α, the line along −∇ from the weights just before its first rise (else
    from the common start); for logistic regression with two inputs, the loss surface and the path α took."""
    st.markdown("#### Why α overshoots")
    lrs = sorted(result.runs)
    pick, words = st.columns([1, 3], vertical_alignment="bottom")
    with pick:
        lr = st.selectbox("Learning rate to look at", lrs, index=lrs.index(_default_lr(result)), format_func=fmt,
                          key=f"lab_scan_lr_{'_'.join(map(fmt, lrs))}")  # a new sweep, a new choice
    model, history = result.runs[lr]
    step = overshot_step(result, problem, lr)
    _, what = quantity(h for _, h in result.runs.values())
    with words:
        st.markdown(step_words(lr, result.verdicts[lr], history, step, what))
    at, where = (step[1], f"the weights of iteration {step[0] - 1}") if step else (result.start, "the common start")
    scan_caption = (f"The {what} a step of any length t along −∇ would reach from {where}; the dot is where α's "
                    "step lands. A step that lands above the start overshoots.")
    title = f"Loss along the gradient, iteration {step[0] - 1}" if step else None
    left, right = st.columns(2)
    with left:
        line_scan_chart(at, problem, lr, key="lab_scan", caption=scan_caption, title=title)
    with right:
        if has_surface(model):
            surface_chart(model, problem, history, key="lab_surface")
        else:
            st.markdown(f"**α = {fmt(lr)}**: {explanation_line(result, lr)}")
            st.caption("A network's loss surface has too many directions to draw; the line along the gradient is "
                       "the slice a step travels.")

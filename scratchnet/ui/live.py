"""The live-training view: one keyed component (live_component/) that stays mounted for the whole run.

The browser plays frames and owns Play / Pause / Step / Reset; a fragment answers its requests (live_engine.py)
with a few frames at a time. The α / iterations / speed sliders sit inside the same fragment, below the view;
what only matters when paused (look back, downloads, the divergence message) comes after them.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
from pathlib import Path
from typing import Any

import streamlit as st

import scratchnet
from scratchnet import TrainingRun
from scratchnet.diagram import apply_edits, parse_edits
from scratchnet.landscape import overshoot_events
from scratchnet.problem import Problem
from scratchnet.ui import class_link, controls, diagram_payload, drawing, runs
from scratchnet.ui import params as S
from scratchnet.ui.landscape_panel import overshoot_panel
from scratchnet.ui.live_engine import MAX_SPEED_STRIDE, LiveRun, LiveSettings, max_speed_stride
from scratchnet.ui.live_payload import PROTOCOL
from scratchnet.ui.page import PageContext, data_notes, guard, require_data
from scratchnet.ui.params import Settings


def live_settings(ctx: PageContext) -> LiveSettings:
    """Every setting the live view reads, in one place (the page's settings: sidebar + toolbar); 'max' speed's
    iterations per frame from the size of the model and the data."""
    v, problem = ctx.settings, ctx.problem
    stride = MAX_SPEED_STRIDE
    if problem is not None:
        n_train, n_test = len(problem.y_train), len(problem.y_test)
        widths = (problem.n_inputs, *(v.hidden_layers if ctx.kind == "net" else ()),
                  problem.n_classes if problem.n_classes > 2 else 1)
        stride = max_speed_stride(min(v.batch_size or n_train, n_train) + n_test, widths)
    return LiveSettings(lr=v.lr, l2=v.l2, iters=v.iters, speed=v.speed, logy=v.logy, hidden=v.hidden, act=v.act,
                        batch=v.batch, seed=v.seed, max_stride=stride)


# --- the component: a tiny loader; the view's module and CSS come once per mount, in a page run's payload -----
ASSETS = Path(__file__).with_name("live_component")
JS_FILES = ("plane.js", "regions.js", "charts.js", "units.js", "diagram.js", "actions.js", "playback.js", "draw.js",
            "live.js")
SERVER_SESSION_KEY = "live_server_session"  # session_state: see server_session


def _compact(source: str) -> str:
    """Drop comment-only lines and indentation (the JS is written with comments on their own lines)."""
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


CODE = {  # the mount payload's: the view's module, its CSS, and the protocol it shares with the server
    "protocol": PROTOCOL,
    "js": _compact("\n".join((ASSETS / name).read_text() for name in JS_FILES)),
    "css": "\n".join(line.strip() for line in re.sub(r"/\*.*?\*/", "", (ASSETS / "live.css").read_text(),
                                                      flags=re.S).splitlines() if line.strip()),
}
_component = st.components.v2.component("scratchnet_live", html="", js=_compact((ASSETS / "loader.js").read_text()),
                                        isolate_styles=False)
_channel = st.components.v2.component("scratchnet_live_panel", html="",
                                      js=_compact((ASSETS / "channel.js").read_text()),
                                      isolate_styles=False)


def component_key(page: str) -> str:
    return f"sn_live_{page}"


def panel_channel_key(page: str) -> str:
    return f"sn_panel_{page}"


def _receive(page: str, key: str) -> None:
    """Trigger callback (runs before the rerun it causes, once per event of the message): note which component
    has a request; the run reads it once (_answer). Read here, each call would cost Streamlit a pass over all the
    message's events: a forged message with thousands of them cost minutes. Requests for frames come from the view
    (they rerun only its fragment); Play, Pause, Step, Reset and the end of a run, which change what shows around
    the view, come through the panel's channel (they rerun the panel)."""
    live = runs.get(page)
    if isinstance(live, LiveRun):
        live.arrived.add(key)


# --- runs -------------------------------------------------------------------------------------------------
def run_signature(kind: str, problem: Problem, settings: Settings) -> tuple[Any, ...]:
    """What, when changed, starts a new run: the data, the inputs, the architecture, the batch size (not the
    two features drawn: a new pair only redraws the plane)."""
    return (kind, problem.signature, settings.architecture(kind), settings.batch, settings.edits)


ARCHITECTURE_NAMES = {"net": ("Hidden units", "Activation", "L1 penalty λ₁", "Weights seed", "Optimizer"),
                      "logistic": ("Weights seed", "Optimizer")}  # Settings.architecture's entries, in its order


def _spell(value: Any) -> str:
    """A setting in a notice: (6, 4) → 6,4; ("momentum", 0.9) → momentum β=0.9."""
    if isinstance(value, tuple) and value and isinstance(value[0], str):
        return " ".join([value[0], *(f"{b}={v:g}" for b, v in zip(("β", "β₂"), value[1:], strict=False))])
    return ",".join(str(v) for v in value) if isinstance(value, tuple) else f"{value:g}" if isinstance(
        value, float) else str(value)


def _restart_notice(old: tuple[Any, ...], new: tuple[Any, ...], iteration: int) -> str:
    """Why a run that had started is back at iteration 0 (a different model, start, optimizer or data cannot
    continue)."""
    if iteration == 0:
        return ""
    what = []
    if old[0] == new[0]:
        what += [f"{name} changed ({_spell(a)} → {_spell(b)})"
                 for name, a, b in zip(ARCHITECTURE_NAMES.get(new[0], ()), old[2], new[2], strict=False) if a != b]
    if old[3] != new[3]:
        what.append(f"Batch size changed ({old[3]} → {new[3]})")
    if old[1] != new[1]:
        what.append("The data changed")
    reason = "; ".join(what) or "The setup changed"
    return (f"{reason}: that is a new model, so the run restarted from iteration 0 "
            f"(the old run had reached iteration {iteration:,}).")


def get_live(page: str, kind: str, problem: Problem, settings: Settings, s: LiveSettings) -> LiveRun:
    sig = run_signature(kind, problem, settings)
    live = runs.get(page)
    if not isinstance(live, LiveRun) or live.signature != sig:
        old = live if isinstance(live, LiveRun) else None
        carried = _carried_weights(old, sig)  # only the drawn points changed: go on from these weights, once
        notes: list[str] = []

        def new_run() -> TrainingRun:
            model = scratchnet.make_model(kind, problem.n_inputs, problem.n_classes, **settings.model_hyper())
            if carried:
                try:
                    model.set_params(carried.pop())
                    notes.clear()
                    return _training_run(model)
                except (KeyError, ValueError):  # another number of classes: a fresh start
                    pass
            notes[:] = [start_edits(model, settings.edits)]  # the link's weight edits are part of the start
            return _training_run(model)

        def _training_run(model) -> TrainingRun:
            return TrainingRun(model, problem.X_train, problem.y_train, problem.X_test, problem.y_test, lr=s.lr,
                               batch_size=settings.batch_size, seed=s.seed, snapshot_every=max(1, s.iters // 100),
                               optimizer=settings.optimizer())

        keep = bool(carried)
        live = LiveRun(page, sig, problem, new_run, s)
        if old is not None:
            live.epoch = old.epoch + 1  # a browser still showing the old run takes the new one
            # the same view goes on: its request that made the new run is answered, and the new run's payloads
            # are newer than the old one's (they would be dropped as old if their numbers started again)
            live.mount, live.last_req, live.seq = old.mount, old.last_req, old.seq
            live.notice = _restart_notice(old.signature, sig, old.run.iteration)
        if keep:
            live.notice = (f"The drawn points changed ({len(problem.y_train)} now): training goes on from the "
                           "weights it had (the iteration count starts again; Reset gives fresh weights).")
        live.notice = " ".join(n for n in (live.notice, *notes) if n)
        runs.put(page, live)
    else:
        live.replot(problem)  # other drawn features: the same run, a new plane
    return live


def _carried_weights(old: LiveRun | None, sig: tuple[Any, ...]) -> list[Any]:
    """The old run's weights when only the drawn points changed (same model, same inputs): a student who adds a
    point expects the boundary to move on from where it was, as ConvNetJS does. [] otherwise."""
    if old is None or old.run.diverged or old.run.iteration == 0:
        return []
    before, after = old.signature, sig
    drawn = before[1][0] == after[1][0] == S.DRAWN and before[1][2:] == after[1][2:]
    return [old.run.model.get_params()] if drawn and before[0] == after[0] and before[2:] == after[2:] else []


# --- the panel ---------------------------------------------------------------------------------------------
def model_page(ctx: PageContext) -> None:
    """A model page's body (logistic regression, the network): the training panel on the data in use."""
    if require_data(ctx):
        with guard("the training panel"):
            training_panel(ctx)
        data_notes(ctx)


def training_panel(ctx: PageContext) -> None:
    """The live view with its sliders and paused views, as one fragment: a slider, the look-back or a request
    that changes the run's state reruns this part of the page. A request for frames reruns only the view, a
    fragment inside it: every page rerun costs the browser a re-render (~80 ms of a weak laptop's CPU), and the
    sliders need not be sent again several times a run."""
    st.fragment(_panel)(ctx)


def _panel(ctx: PageContext) -> None:
    # Guarded inside the fragment: Streamlit handles a fragment's own exceptions before a guard around the
    # fragment call could see them.
    with guard("the live view"):
        top, view, bar, after = st.container(), st.container(), st.container(), st.container()
        with top:
            draw = _picture_row(ctx)
        with bar:
            _toolbar(ctx)
        s = live_settings(ctx)
        assert ctx.problem is not None and ctx.kind is not None
        live = get_live(ctx.page, ctx.kind, ctx.problem, ctx.settings, s)
        diagram_payload.show(live, ctx.settings.diagram, s.playback()[1])  # its numbers: only while on screen
        # α, λ or the limit first: a request that came in the same page run as a slider change (Streamlit merges
        # them) must not get frames trained past the frame on screen with the new values
        live.apply(s)
        answer = _answer(live, s)  # before the paused views: a Pause shows them in this run
        class_link.report_run(ctx.page, live, ctx.settings)  # joined to a class: a paused/finished run reports
        with after:
            look = _paused_views(ctx, live, s)
        with view:
            key = panel_channel_key(ctx.page)
            _channel(key=key, data={"page": ctx.page}, on_cmd_change=functools.partial(_receive, ctx.page, key))
            extra = {"show": {"test": ctx.settings.showtest, "discrete": ctx.settings.discrete}, "draw": draw}
            st.fragment(_view)(ctx.page, live, s, look, {"answer": answer, "extra": extra})


def _answer(live: LiveRun, s: LiveSettings) -> tuple[dict[str, Any] | None, bool]:
    """The payload for the browser's requests since the last run (None: none asked for frames), and whether a
    view was mounted (it said hello: it needs the code)."""
    for key in live.arrived:
        value = st.session_state.get(key)
        if isinstance(value, dict):
            live.take(value.get("cmd"))  # checked there: the newest valid request of a view is kept
    live.arrived.clear()
    (cmd, live.inbox), (mounting, live.mounting) = (live.inbox, None), (live.mounting, False)
    if cmd is not None and cmd["op"] == "input":  # an input node clicked: the same as the Extra inputs control
        feats = diagram_payload.input_toggle(live, cmd, live.plane.problem.extras)
        if feats is not None:
            st.session_state[controls.PENDING_FEATS] = feats
            st.rerun(scope="app")
        cmd = None
    payload = None if cmd is None else live.handle(cmd, s)
    if payload is None and live.splice:  # α or λ moved mid-run: frames with the new values, at once
        payload = live.splice_payload(s, ack=live.last_req)
    return payload, mounting


def _view(page: str, live: LiveRun, s: LiveSettings, look: int | None, first: dict[str, Any]) -> None:
    """The component. In the panel's run it shows the panel's answer; rerun alone (a request for frames, with
    the panel's settings of its last run) it answers the requests itself."""
    with guard("the live view"):
        if drawing.take_edit():
            st.rerun()  # the drawn points changed: the whole page, whose data they are
        payload, mounting = first.pop("answer", None) or _answer(live, s)
        if payload is None:
            mounting = mounting or not controls.in_fragment_rerun()  # a fragment rerun keeps the mounted view
            payload = live.snapshot(s, meta=mounting, look=look)
        if mounting:
            payload["code"] = CODE
        payload["sid"] = server_session()
        payload.update(first.get("extra", {}))
        key = component_key(page)
        _component(key=key, data=payload, on_cmd_change=functools.partial(_receive, page, key),
                   on_draw_change=functools.partial(drawing.note_edit, key))


def server_session() -> str:
    """This server session's mark, in every payload. A browser that sees it change was reconnected to a server
    session without its run (a replica died or restarted): it starts over from that session's frame and says so
    (live.js `restarted`), instead of ignoring the new session's payloads until their numbers caught up."""
    return st.session_state.setdefault(SERVER_SESSION_KEY, secrets.token_hex(6))


def _toolbar(ctx: PageContext) -> None:
    """α always shows (presentation mode too: it is what a class changes); the rest hides with `model`."""
    hidden = ctx.hidden
    cols = st.columns([3, 3, 2.4, 1.6], vertical_alignment="bottom")
    with cols[0]:
        lr = controls.lr_control()
    with cols[1]:
        iters = controls.current("iters") if "model" in hidden else controls.iterations_control()
    with cols[2]:
        speed = controls.speed_control()
    with cols[3]:
        logy = controls.log_y_control()
        diagram = controls.draw("diagram")
    ctx.settings = ctx.settings.replace(lr=lr, iters=iters, speed=speed, logy=logy, diagram=diagram)


def _picture_row(ctx: PageContext) -> dict[str, Any] | None:
    """Above the plane: TF Playground's two picture checkboxes (they only redraw: no retraining) and, with drawn
    data, the Draw toggle and the class a click adds. Returns what the view needs for drawing (None: no drawn data)."""
    drawn = drawing.in_use()
    # one row that wraps where it must: columns would stack one control a row on a phone (five rows above the
    # plane with drawn data); a wrapping row keeps each control its own width and fits two or three
    row = st.container(horizontal=True, vertical_alignment="center", gap="small", key="sn_picture_row")
    with row:
        showtest = controls.draw("showtest")
        discrete = controls.draw("discrete")
    ctx.settings = ctx.settings.replace(showtest=showtest, discrete=discrete)
    return drawing.draw_bar(row) if drawn else None


def _paused_views(ctx: PageContext, live: LiveRun, s: LiveSettings) -> int | None:
    """Under the sliders, only when not playing: what went wrong, the look-back slider, downloads.
    Returns the snapshot iteration looked back at (None = now)."""
    if live.playing:
        return None
    run = live.run
    if run.diverged:
        _divergence_message(run, s.lr)
    else:
        _overshoot_message(run)
    look = None
    if len(run.history) >= 2:
        now = run.iteration
        picked = st.slider(
            "Look back through the run", 0, now, now, key=f"{ctx.page}_view_{id(run)}_{now}",
            help="Drag to see the boundary, the loss, the gradients and the hidden units as they were at an "
            "earlier iteration.",
        )
        look = None if picked >= now else run.history.nearest_snapshot(picked)
    units = live.units_payload(look)
    if units is not None:
        _component(key=f"sn_units_{ctx.page}", data=units)
    if look is None and len(run.history):
        # drawn only once opened: a closed expander's plotly chart still costs the browser its plotly.js
        # (~2 s of CPU on a weak machine, at the end of every run) and the server a line scan
        why = st.expander("Why α overshoots: where the next step lands", key=f"{ctx.page}_overshoot_open",
                          on_change="rerun")
        if why.open:
            with why:
                overshoot_panel(run.model, live.plane.problem, run.history, s.lr, batch_size=S.batch_size(s.batch),
                                key=f"{ctx.page}_overshoot")
    if len(run.history):
        left, right, _ = st.columns([1, 1, 3])
        with left:
            st.download_button(
                "⬇ Parameters (JSON)", data=lambda: json.dumps(run.model.to_dict(), indent=1),
                file_name=f"scratchnet_{ctx.page}_params.json", mime="application/json",
                key=f"{ctx.page}_dl_params",
            )
        with right:
            st.download_button(
                "⬇ History (CSV)", data=lambda: run.history.to_frame().to_csv(index=False),
                file_name=f"scratchnet_{ctx.page}_history.csv", mime="text/csv", key=f"{ctx.page}_dl_history",
            )
    return look


def start_edits(model: scratchnet.Model, text: str) -> str:
    """Apply a link's weight edits (edits=W1[2,0]:1;b2:-0.5) to a fresh model; a notice when one cannot be."""
    if not text:
        return ""
    try:
        model.set_params(apply_edits(model, parse_edits(text)))
    except ValueError as err:
        return f"The link's weight edits were not applied: {err}."
    return f"Starting weights edited by the link: {text.replace(';', ', ')}."


def _overshoot_message(run: TrainingRun) -> None:
    """The largest jump of the loss, in words: a spike that recovers is an overshoot, not a divergence. It
    quotes the training loss the chart plots (the cross-entropy L, without the penalty even when λ > 0)."""
    events = overshoot_events(run.history, "train_loss")
    if not events:
        return
    worst = max(events, key=lambda e: e.peak)
    more = f" ({len(events) - 1} smaller jump{'s' if len(events) > 2 else ''} too)" if len(events) > 1 else ""
    after = (f"then recovered by iteration {worst.recovered_at:,}" if worst.recovered
             else "and has not come back down yet")
    st.warning(
        f"**Overshoot:** the training loss jumped from {worst.before:.3g} to **{worst.peak:.3g}** at iteration "
        f"{worst.peak_iteration:,}, {after}{more}. A step θ ← θ − α·∂L/∂θ went past the bottom of the valley and "
        "landed higher up the far side. Press Step to watch it one step at a time, or try a smaller α.",
        icon="📈",
    )


def _divergence_message(run: TrainingRun, lr: float) -> None:
    smaller = max([o for o in S.LR_OPTIONS if o <= lr / 10] or [S.LR_OPTIONS[0]])
    st.error(
        f"**The run diverged at iteration {run.history.diverged_at}**: {run.history.message}, so no further step "
        f"can be computed. With α = {S.fmt(lr)}, each step θ ← θ − α·∂L/∂θ overshot further than the last until "
        f"the numbers overflowed. Lower the learning rate (try {S.fmt(smaller)}) and press **Reset**. The plots "
        "show the last weights that were still finite.",
        icon="💥",
    )

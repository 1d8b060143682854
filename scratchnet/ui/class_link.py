"""A student's link to a class, on every page: the seat in the session, following the teacher's pushes, and
the hook that reports a paused or finished run (called from the live view's panel).

A joined page polls the store once a second in a small fragment (one read of the class record); when the teacher
pushed a newer setup, the page switches to it. The settings arrive through the session (applied before any widget
is drawn), except those the teacher left free, which keep the student's own values.
"""

from __future__ import annotations

import functools
import secrets
from typing import Any

import streamlit as st

from scratchnet.classroom import ClassError, Classroom, Setup, open_store
from scratchnet.classroom.outcome import THUMB, run_result
from scratchnet.classroom.room import Seat
from scratchnet.ui.drawing import DRAWN_KEY
from scratchnet.ui.params import DRAWN, PARAMS, PARAMS_BY_KEY, PTS, Settings
from scratchnet.ui.site import PAGES

SEAT, SEEN, PENDING, REPORTED, RUN_IDS = "class_seat", "class_seen", "class_pending", "class_reported", "class_runs"
POLL_S = 1.0  # push → switched: one poll interval plus a page run (when the server cannot wake the page)
SAFETY_POLL_S = 30.0  # with the watcher: the browser still looks now and then (a missed wake, a watcher gone)


@functools.cache
def classroom() -> Classroom:
    """One store connection holder per process (the store is shared by every replica; nothing per user here)."""
    return Classroom(open_store())


def seat() -> Seat | None:
    return st.session_state.get(SEAT)


def take_seat(new: Seat) -> None:
    st.session_state[SEAT] = new
    st.session_state[SEEN] = 0


def leave() -> None:
    from scratchnet.ui import class_watch

    class_watch.unwatch()
    for name in (SEAT, SEEN, PENDING, REPORTED):
        st.session_state.pop(name, None)


def _values(setup: Setup) -> dict[str, Any]:
    """The settings a push sets: every setting to the setup's value or its default, except the free ones (and a
    plotted feature the setup does not name: the data set picks its own)."""
    out: dict[str, Any] = {}
    for p in PARAMS:
        if p.key in setup.free:
            continue
        value = p.decode(setup.query.get(p.key, []))
        if value is None and p.from_data:
            out[p.key] = None  # dropped from the session: the page chooses
        else:
            out[p.key] = p.default if value is None else value
    return out


def apply_pending(page: str) -> None:
    """Before any widget is drawn, on the pushed setup's page: its settings, into the session. Only arriving there
    marks the setup as seen: a switch that another run overtook (a wake, a click) is made again by `follow`."""
    pending = st.session_state.get(PENDING)
    if pending is None or pending[0] != page:
        return
    _, version, values = st.session_state.pop(PENDING)
    st.session_state[SEEN] = max(version, st.session_state.get(SEEN, 0))
    if values.get("data") == DRAWN and PTS in st.query_params:  # the teacher's drawn points, not the student's
        st.session_state.pop(DRAWN_KEY, None)
    for key, value in values.items():
        if value is None:
            st.session_state.pop(key, None)
        else:
            st.session_state[key] = list(value) if PARAMS_BY_KEY[key].many else value


def switch_to(setup: Setup) -> None:
    """Open the setup's page with its settings (free ones stay as they are)."""
    st.session_state[PENDING] = (setup.page, setup.version, _values(setup))
    # the settings' widgets write their own URL query; the rest (hide=, lesson=) goes in the switch
    query = {k: v for k, v in setup.query.items() if k not in PARAMS_BY_KEY}
    st.switch_page(PAGES[setup.page].script, query_params=query)


def follow(page: str) -> None:
    """Under every page's heading (a phone hides the sidebar): which class this is, and what follows the teacher's
    pushes: the server's watcher (class_watch.py) wakes this session; only without it does the browser poll."""
    me = seat()
    if me is None:
        return
    from scratchnet.ui import class_watch  # it imports this module

    woken = class_watch.watch(me.code, st.session_state.get(SEEN, 0))
    st.fragment(_poll, run_every=SAFETY_POLL_S if woken else POLL_S)(page)


def _poll(page: str) -> None:
    me = seat()
    if me is None:
        return
    view = classroom().view(me.code)
    if view is None or view.closed:
        st.warning(f"Class {me.code} has ended.", icon="🎓")
        if st.button("Leave the class", key="class_leave_ended"):
            leave()
            st.rerun()
        return
    setup = view.setup
    if setup is not None and setup.version > st.session_state.get(SEEN, 0):
        switch_to(setup)
    note = f"🎓 Class **{me.code}**, as “{as_text(me.nick)}”"
    if setup is not None and setup.page == page:
        labels = ", ".join(PARAMS_BY_KEY[k].label for k in setup.free if k in PARAMS_BY_KEY)
        note += f" · your teacher set this page up{'; yours to choose: ' + labels if labels else ''}"
        note += " · your result goes to the board when the run pauses or finishes"
    st.caption(note + ".")


def as_text(value: object) -> str:
    """A student's text for Markdown: every Markdown and HTML character escaped, so it shows as typed."""
    return "".join("\\" + c if c in "\\`*_{}[]()<>#+-.!|~$&=\"'" else c for c in str(value))


# --- the hook in the live view ----------------------------------------------------------------------------
def report_run(page: str, live: Any, settings: Settings) -> None:
    """Called by the live view's panel on every run of it: when the run is paused or finished at an iteration
    not yet reported, send its result (one per run: a later report of the same run replaces it)."""
    me = seat()
    if me is None:
        return
    run = live.run
    run_id = st.session_state.setdefault(RUN_IDS, {}).setdefault(id(run), secrets.token_hex(4))
    if live.playing:
        if st.session_state.get(REPORTED) != (run_id, "playing"):
            st.session_state[REPORTED] = (run_id, "playing")
            classroom().set_state(me, "playing")
        return
    tag = (run_id, run.iteration)
    if run.iteration == 0 or st.session_state.get(REPORTED) == tag:
        return
    st.session_state[REPORTED] = tag
    problem, net = live.plane.problem, PAGES[page].kind == "net"
    result = run_result(run.model, run.history, problem.plane_grid(THUMB), problem.transform) | {
        "page": page, "kind": PAGES[page].kind, "data": settings.data, "lr": settings.lr, "iters": settings.iters,
        "hidden": sum(settings.hidden_layers) if net else 0, "depth": len(settings.hidden_layers) if net else 0,
        "act": settings.act, "batch": settings.batch, "l2": settings.l2, "l1": settings.l1, "opt": settings.opt,
        "seed": settings.seed, "wseed": settings.wseed, "noise": settings.noise, "n_inputs": problem.n_inputs,
    }
    try:
        classroom().report(me, run_id, result)
    except ClassError as e:
        st.warning(str(e), icon="🎓")
    else:
        st.toast("Your result is on the class board.", icon="🎓")

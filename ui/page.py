"""Everything a page does first: page config, presentation mode, navigation, data controls, error guard."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from ui import controls, data_source
from ui import settings as S

log = logging.getLogger("scratchnet")

HIDE_KEY = "presentation_hide"
ACTIVE_PAGE_KEY = "active_page"
LIVE_PREFIX = "live:"


@dataclass
class PageContext:
    page: str
    values: dict[str, Any] = field(default_factory=dict)
    problem: data_source.Problem | None = None
    data_error: str | None = None
    hidden: set[str] = field(default_factory=set)
    lesson: S.Preset | None = None


def hidden_groups() -> set[str]:
    """Presentation mode: ?hide=... on any page; remembered for the session so page links keep it."""
    raw = st.query_params.get_all("hide")
    if raw:
        st.session_state[HIDE_KEY] = S.parse_hidden(raw)
    return set(st.session_state.get(HIDE_KEY, set()))


def _pause_runs_on_page_switch(page: str) -> None:
    """A run never keeps playing on a page nobody is looking at."""
    if st.session_state.get(ACTIVE_PAGE_KEY) != page:
        for key, live in list(st.session_state.items()):
            if isinstance(key, str) and key.startswith(LIVE_PREFIX):
                live.playing = False
        st.session_state[ACTIVE_PAGE_KEY] = page


def navigation(hidden: set[str]) -> None:
    extra = {"hide": ",".join(sorted(hidden))} if hidden else None
    for script, label, icon in S.PAGES.values():
        st.page_link(script, label=label, icon=icon, query_params=extra)


def setup(page: str) -> PageContext:
    """Call first on every page. Draws the sidebar and resolves the data set (never raises on bad data)."""
    _, label, icon = S.PAGES[page]
    hidden = hidden_groups()
    # presentation mode starts with the sidebar collapsed; "auto" collapses it on a phone, opens it elsewhere
    st.set_page_config(page_title=f"{label} · scratchnet", page_icon=icon, layout="wide",
                       initial_sidebar_state="collapsed" if hidden else "auto")
    st.markdown(_CSS, unsafe_allow_html=True)
    ctx = PageContext(page=page, hidden=hidden)
    lesson = S.PRESETS_BY_KEY.get(st.query_params.get("lesson", ""))
    ctx.lesson = lesson if lesson is not None and lesson.page == page else None
    _pause_runs_on_page_switch(page)
    with st.sidebar:
        st.markdown("## scratchnet")
        if "nav" not in ctx.hidden:
            navigation(ctx.hidden)
        controls.data_controls(ctx.hidden, ctx.values)
        controls.model_controls(page, ctx.hidden, ctx.values)
    ctx.problem, ctx.data_error = data_source.resolve(ctx.values)
    return ctx


@contextlib.contextmanager
def guard(what: str = "this part of the page") -> Iterator[None]:
    """Show a friendly message instead of a traceback; the rest of the app keeps working."""
    try:
        yield
    except Exception:  # noqa: BLE001 — Streamlit's rerun/stop signals are BaseExceptions and pass through
        log.exception("error in %s", what)
        st.error(
            f"Something went wrong in {what}. Your settings and data are kept — try **Reset**, another "
            "setting, or reload the page. (The details are in the server log.)",
            icon="⚠️",
        )


# Tighter vertical rhythm so the controls and all three plots fit a 1366×768 projector.
_CSS = """
<style>
.block-container {padding-top: 1.2rem; padding-bottom: 1rem;}
section[data-testid="stSidebar"] .block-container {padding-top: 1rem;}
h1 {font-size: 1.6rem !important; padding-bottom: .2rem !important;}
.sn-status {font-size: 1.05rem; margin: .1rem 0 .2rem 0;}
.sn-status b {font-variant-numeric: tabular-nums;}
</style>
"""


def require_data(ctx: PageContext) -> bool:
    """True when a data set is ready; otherwise explain what is wrong (the settings are untouched)."""
    if ctx.problem is not None:
        return True
    st.error(ctx.data_error or "No data set is selected.", icon="📄")
    st.page_link(S.PAGES["upload"][0], label="Open “Your data (CSV)”", icon="📄")
    return False


def data_notes(ctx: PageContext) -> None:
    """What the data loader changed or decided, in one caption (e.g. which label value is class 1)."""
    if ctx.problem is None:
        return
    notes = list(ctx.problem.dataset.notes)
    if ctx.values.get("feats") and not ctx.problem.extras:
        notes.append(f"Extra inputs (x1², sin(x1), …) need data with exactly two features; this data set has "
                     f"{ctx.problem.dataset.n_features}, so they are off.")
    if notes:
        st.caption(" · ".join(notes))


def share_link(ctx: PageContext) -> None:
    """Sidebar: a link that reopens exactly this page with these settings (copy button on the code box)."""
    base = st.context.url or f"/{S.page_url_path(ctx.page)}"
    query = urlencode(S.share_query(ctx.values, ctx.hidden), doseq=True)
    with st.sidebar.popover("🔗 Copy link for this setup", width="stretch"):
        st.caption("Everything you set here is in this link: data, seed, learning rate, iterations, units, "
                   "features. Add &hide=data,model to hide those controls (presentation mode).")
        st.code(f"{base}?{query}" if query else base, language=None, wrap_lines=True)


def lesson_banner(ctx: PageContext) -> None:
    """Opened from a lesson link: say what to look for."""
    if ctx.lesson is not None:
        st.info(f"**Lesson — {ctx.lesson.title}.** {ctx.lesson.look_for}", icon="🎓")

"""Everything a page does first: page config, presentation mode, navigation, controls, heading, error guard."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from scratchnet.problem import Problem
from scratchnet.ui import class_link, controls, data_source, drawing, presenting, runs, server
from scratchnet.ui.copy_link import copy_box
from scratchnet.ui.lessons import LESSON, Preset, lesson_for
from scratchnet.ui.params import PARAMS_BY_KEY, SIDEBAR_KEYS, Settings, hide_query, parse_hidden
from scratchnet.ui.runs import LIVE_PREFIX  # noqa: F401 — re-exported: pages and the live view imported it from here
from scratchnet.ui.site import PAGES, Page
from scratchnet.ui.text import md

log = logging.getLogger("scratchnet")

HIDE_KEY = "presentation_hide"
ACTIVE_PAGE_KEY = "active_page"


@dataclass
class PageContext:
    page: str
    settings: Settings
    problem: Problem | None = None
    data_error: str | None = None
    hidden: set[str] = field(default_factory=set)
    lesson: Preset | None = None

    @property
    def info(self) -> Page:
        return PAGES[self.page]

    @property
    def kind(self) -> str | None:
        """The model kind this page trains or shows ("logistic" / "net"), None on a page without a model."""
        return self.info.model_kind(self.settings)


def hidden_groups() -> set[str]:
    """Presentation mode: ?hide=... on any page; remembered for the session so page links keep it."""
    raw = st.query_params.get_all("hide")
    if raw:
        st.session_state[HIDE_KEY] = parse_hidden(raw)
    return set(st.session_state.get(HIDE_KEY, set()))


def _pause_runs_on_page_switch(page: str) -> None:
    """A run never keeps playing on a page nobody is looking at."""
    if st.session_state.get(ACTIVE_PAGE_KEY) != page:
        runs.pause_all()
        st.session_state[ACTIVE_PAGE_KEY] = page


_closes_on_a_phone = st.components.v2.component(
    "scratchnet_sidebar_links", html="", js=Path(__file__).with_name("sidebar_links.js").read_text())


def navigation(hidden: set[str]) -> None:
    for p in PAGES.values():
        st.page_link(p.script, label=p.label, icon=p.icon, query_params=hide_query(hidden) or None)
    _closes_on_a_phone(key="sn_sidebar_links")  # a tap on a link closes a sidebar that hides the page


def setup(page: str) -> PageContext:
    """Call first on every page. Draws the sidebar, resolves the data set (never raises on bad data), then the
    page's heading and, when a lesson link opened it, what to look for."""
    server.tune_allocator_once()
    info = PAGES[page]
    hidden = hidden_groups()
    # presentation mode starts with the sidebar closed; "auto" keeps it open on a wide screen, closed on a phone
    st.set_page_config(page_title=f"{info.label} · scratchnet", page_icon=info.icon, layout="wide",
                       initial_sidebar_state="collapsed" if hidden or info.projector else "auto")
    st.markdown(_CSS, unsafe_allow_html=True)
    _pause_runs_on_page_switch(page)
    class_link.apply_pending(page)  # a setup the teacher pushed: its settings before any widget is drawn
    snapped = controls.read_url(page)
    controls.apply_pending_inputs()
    with st.sidebar:
        st.markdown("## scratchnet")
        if "nav" not in hidden:
            navigation(hidden)
        controls.data_controls(hidden)
        plot_slot = st.container()  # filled once the data set is known: its features
        controls.model_controls(info, hidden)
    if snapped:
        st.rerun()  # once, so the snapped values reach their widgets (controls.read_url)
    ctx = PageContext(page, controls.settings(), hidden=hidden,
                      lesson=lesson_for(st.query_params.get(LESSON, ""), page))
    ctx.problem, ctx.data_error = data_source.resolve(ctx.settings)
    with plot_slot:
        controls.class_controls(ctx.problem, hidden, page)
        controls.plot_controls(ctx.problem, hidden)
    st.title(info.heading)
    several = ctx.problem is not None and ctx.problem.n_classes > 2
    if info.intro:
        deep = info.intro_deep and len(ctx.settings.hidden_layers) > 1
        st.caption(info.intro_deep if deep else info.intro_k if several and info.intro_k else info.intro)
    lesson_banner(ctx)
    changed = controls.url_changes(page)
    if changed:
        st.info(changed, icon="🔗")
    class_link.follow(page)
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
/* WCAG AA (4.5:1): Streamlit draws captions at 60 % opacity, 3.8:1 on white and less on the grey of a
   bordered box or inline code; this grey keeps them quieter than body text at 6:1 */
[data-testid="stCaptionContainer"] {color: #5f5e5b; opacity: 1;}
/* a display formula wider than its column wraps at + − = as inline maths does, instead of a scroll box that a
   keyboard cannot reach */
.katex-display > .katex {white-space: normal;}
/* a disabled widget's label: Streamlit's 40 % of the text colour is 2.3:1; this grey still reads as "off" at 4.8:1 */
label[data-testid="stWidgetLabel"][disabled] p {color: #737270;}
/* keyboard focus: Streamlit marks a focused checkbox, radio option or sidebar page link with a faint grey box only */
[data-testid="stCheckbox"] label:has(input:focus-visible), [data-testid="stRadioOption"]:has(input:focus-visible),
[data-testid="stPageLink-NavLink"]:focus-visible {
  outline: 2px solid currentColor; outline-offset: 2px; border-radius: 4px;
}
.st-key-sn_sidebar_links {display: none;}  /* draws nothing: it only listens */
</style>
"""


def require_data(ctx: PageContext) -> bool:
    """True when a data set is ready; otherwise explain what is wrong (the settings are untouched)."""
    if ctx.problem is not None:
        return True
    st.error(ctx.data_error or "No data set is selected.", icon="📄")
    st.page_link(PAGES["upload"].script, label="Open “Your data (CSV)”", icon="📄")
    return False


def data_notes(ctx: PageContext) -> None:
    """What the data loader changed or decided, in one caption (e.g. which label value is class 1)."""
    if ctx.problem is None:
        return
    notes = [md(n) for n in ctx.problem.dataset.notes]  # plain text naming the student's columns
    if ctx.settings.feats and not ctx.problem.extras:
        notes.append(f"Extra inputs (x1², sin(x1), …) need data with exactly two features; this data set has "
                     f"{ctx.problem.dataset.n_features}, so they are off.")
    if notes:
        st.caption(" · ".join(notes))
    class_text = data_source.class_explanation(ctx.problem)
    if class_text:
        st.caption(class_text)
    slice_text = data_source.slice_explanation(ctx.problem)
    if slice_text:
        st.info(slice_text, icon="📐")


def share_link(ctx: PageContext) -> None:
    """Sidebar: a link that reopens exactly this page with these settings (and its Copy button), with the
    drawn points when they fit, and the "Use it in class" link builder."""
    base = (st.context.url or f"/{ctx.info.url_path}").split("?")[0]
    sliced = ctx.problem is not None and ctx.problem.dataset.n_features > 2
    keys = [k for k in (*SIDEBAR_KEYS, *ctx.info.settings) if sliced or not PARAMS_BY_KEY[k].from_data]
    settings = ctx.settings.share_query(keys)
    pts, too_long = drawing.share_part(len(base) + len(urlencode(settings, doseq=True)) + 40)
    query = settings | pts
    # an expander, not a popover: a popover placed before the copy box has drawn opens too small, and cuts it
    with st.sidebar.expander("🔗 Copy link for this setup"):
        st.caption("Everything you set here is in this link: data, seed, learning rate, iterations, units, "
                   "features. To hide controls for a class, use “Use it in class” below.")
        copy_box(presenting.link(base, query, ctx.hidden), key="sn_copy_share", label="Copy link")
        if too_long:
            st.warning(too_long, icon="✏️")
    presenting.builder(base, query, ctx.hidden)


def lesson_banner(ctx: PageContext) -> None:
    """Opened from a lesson link: say what to look for."""
    if ctx.lesson is not None:
        st.info(f"**Lesson — {ctx.lesson.title}.** {ctx.lesson.look_for}", icon="🎓")

"""The Class page: a student joins with the code (or the QR code's link) and a nickname; the teacher starts a
class, shows its code and QR code, pushes a setup, sets the leaderboard's target, closes or resets it.

The teacher key lives only in the teacher's session (and once on the teacher's screen, folded away): never in a
URL, the join link, the board or anything a student's page receives.
"""

from __future__ import annotations

import io
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import segno
import streamlit as st

from scratchnet.classroom import ClassError, Target
from scratchnet.classroom.room import NICK_MAX
from scratchnet.ui import class_link, drawing
from scratchnet.ui.class_link import as_text, classroom
from scratchnet.ui.copy_link import copy_box
from scratchnet.ui.lessons import PRESETS, PRESETS_BY_KEY
from scratchnet.ui.page import PageContext
from scratchnet.ui.params import PARAMS, PARAMS_BY_KEY, SIDEBAR_KEYS
from scratchnet.ui.site import PAGES

TEACHER, CLIENT = "class_teacher", "class_client"
JOIN = "join"  # the join link's query: ?join=CODE
PUSHABLE = tuple(k for k in PAGES if k not in ("class", "board"))
METRICS = {"test_loss": "final test loss", "train_loss": "final train loss"}


def class_page(ctx: PageContext) -> None:
    teacher = st.session_state.get(TEACHER)
    if teacher is not None:
        teacher_panel(ctx, *teacher)
        return
    me = class_link.seat()
    if me is not None:
        student_panel(me)
    else:
        join_form()
    with st.expander("For the teacher: start a class, or reopen yours"):
        teacher_start()


# --- students -------------------------------------------------------------------------------------------
def _client() -> str:
    """This browser session, for the join rate limit."""
    return st.session_state.setdefault(CLIENT, secrets.token_hex(8))


def join_form() -> None:
    st.subheader("Join your class")
    with st.form("class_join"):
        code = st.text_input("Class code (on the board)", value=st.query_params.get(JOIN, "")[:12], max_chars=12,
                             key="class_code_input", placeholder="e.g. K7MP3Q")
        nick = st.text_input("Nickname (optional, shown on the board)", max_chars=NICK_MAX, key="class_nick_input")
        joined = st.form_submit_button("Join", type="primary")
    if joined:
        try:
            seat = classroom().join(code, nick, _client())
        except ClassError as e:
            st.error(str(e), icon="🎓")
            return
        class_link.take_seat(seat)
        st.rerun()


def student_panel(me: class_link.Seat) -> None:
    view = classroom().view(me.code)
    if view is None or view.closed:
        st.warning(f"Class {me.code} has ended.", icon="🎓")
    else:
        st.success(f"You are in class **{me.code}** as “{as_text(me.nick)}”. When your teacher sends a setup, "
                   "this page switches to it by itself; when your run pauses or finishes, its result goes to the "
                   "board.", icon="🎓")
        if view.setup is not None and st.button("Open the current setup", type="primary"):
            class_link.switch_to(view.setup)
    if st.button("Leave the class"):
        class_link.leave()
        st.rerun()


# --- the teacher --------------------------------------------------------------------------------------------
def teacher_start() -> None:
    if st.button("Start a new class", type="primary", key="class_start"):
        try:
            st.session_state[TEACHER] = classroom().start()
        except ClassError as e:
            st.error(str(e))
            return
        st.rerun()
    with st.form("class_resume"):
        code = st.text_input("Class code", max_chars=12, key="class_resume_code")
        key = st.text_input("Teacher key", type="password", max_chars=64, key="class_resume_key")
        if st.form_submit_button("Reopen my class"):
            code = code.strip().upper()
            if classroom().is_teacher(code, key):
                st.session_state[TEACHER] = (code, key)
                st.rerun()
            st.error("That code and teacher key do not match an open class.")


def join_link(code: str) -> str:
    parts = urlsplit(st.context.url or "http://localhost:8501/")
    return f"{parts.scheme}://{parts.netloc}/{PAGES['class'].url_path}?{urlencode({JOIN: code})}"


def qr_png(text: str) -> bytes:
    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=8, border=2)
    return buf.getvalue()


def teacher_panel(ctx: PageContext, code: str, key: str) -> None:
    view = classroom().view(code)
    if view is None:
        st.warning(f"Class {code} has expired.")
        if st.button("Start a new class", key="class_restart"):
            st.session_state.pop(TEACHER)
            st.rerun()
        return
    link = join_link(code)
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"## Class code: `{code}`")
        st.markdown(f"Students open **{link}**, or the Class page and type the code.")
        st.page_link(PAGES["board"].script, label="Open the board (for the projector)", icon="📊",
                     query_params={"class": code})
        with st.expander("Teacher key (keep it private)"):
            st.caption("With the code, it reopens this class from another browser. Never put it on the projector.")
            copy_box(key, key="sn_copy_teacher_key", label="Copy key")
    with right:
        st.image(qr_png(link), width=220, caption="Scan to join")
    if view.closed:
        st.info("This class is closed: nobody can join or report any more.")
    push_form(ctx, code, key)
    target_form(code, key, view.target)
    st.divider()
    a, b, c = st.columns(3)
    if a.button("Reset results", key="class_reset", help="Clear every result; the students stay in the class."):
        _teacher_do(lambda: classroom().reset(code, key), "Results cleared.")
    if b.button("Close the class", key="class_close"):
        _teacher_do(lambda: classroom().close(code, key), "Class closed.")
    if c.button("Forget this class here", key="class_forget"):
        st.session_state.pop(TEACHER)
        st.rerun()


def _teacher_do(action, done: str) -> None:
    try:
        action()
    except ClassError as e:
        st.error(str(e))
    else:
        st.toast(done)


def parse_link(link: str) -> tuple[str, dict[str, list[str]]]:
    """A scratchnet link (copied from 'Copy link for this setup' or a lesson) → (page key, its query)."""
    parts = urlsplit(link.strip())
    path = parts.path.rstrip("/").rsplit("/", 1)[-1]
    page = next((k for k in PUSHABLE if PAGES[k].url_path == path), None)
    if page is None:
        raise ClassError(f"That link does not open a scratchnet page ({path or 'no page'}).")
    return page, parse_qs(parts.query)


def push_form(ctx: PageContext, code: str, key: str) -> None:
    st.subheader("Send a setup to every student")
    source = st.radio("Setup", ("A lesson", "A link", "These settings (sidebar)"), horizontal=True,
                      key="class_push_source")
    if source == "A lesson":
        lesson = st.selectbox("Lesson", [p.key for p in PRESETS], format_func=lambda k: PRESETS_BY_KEY[k].title,
                              key="class_push_lesson")
        page, query = PRESETS_BY_KEY[lesson].page, PRESETS_BY_KEY[lesson].query()
    elif source == "A link":
        link = st.text_input("A scratchnet link (from “Copy link for this setup”)", key="class_push_link")
        page, query = "net", {}
        if link:
            try:
                page, query = parse_link(link)
            except ClassError as e:
                st.error(str(e))
                return
    else:
        page = st.selectbox("Page", PUSHABLE, format_func=lambda k: PAGES[k].label, index=PUSHABLE.index("net"),
                            key="class_push_page")
        query = ctx.settings.share_query((*SIDEBAR_KEYS, *PAGES[page].settings))
        points, too_long = drawing.share_part(300)  # drawn data: the points go with it while they fit a link
        query |= points
        if too_long:
            st.warning(too_long)
    free = st.multiselect("Left free: each student sets these", [p.key for p in PARAMS if p.widget != "checkbox"],
                          default=["lr"], format_func=lambda k: PARAMS_BY_KEY[k].label, key="class_push_free")
    if st.button(f"Send “{PAGES[page].label}” to the class", type="primary", key="class_push"):
        _teacher_do(lambda: classroom().push(code, key, page, query, tuple(free)),
                    "Sent: every student's page switches within a couple of seconds.")


def target_form(code: str, key: str, target: Target) -> None:
    st.subheader("Leaderboard target")
    a, b, c = st.columns([2, 2, 1], vertical_alignment="bottom")
    metric = a.selectbox("Reach", list(METRICS), index=list(METRICS).index(target.metric)
                         if target.metric in METRICS else 0, format_func=METRICS.get, key="class_target_metric")
    limit = b.number_input("at most", 0.0, 10.0, float(target.limit), step=0.01, format="%.3f",
                           key="class_target_limit")
    if c.button("Set target", key="class_target_set"):
        _teacher_do(lambda: classroom().set_target(code, key, Target(metric, float(limit))), "Target set.")
    st.caption("The leaderboard ranks the runs that reach it by network size (fewest parameters first).")

"""Drawn data on the model pages: the session's drawn set, the edits the live plane sends, its link and CSV.

The set (scratchnet.data.drawn.Drawn) lives in st.session_state only (never st.cache_data, which every session
shares), so it survives page switches; it is also written into the page's URL (`pts`, params.PTS) while it
fits a link, so a reload or a shared link brings it back. A click on the plane (live_component/draw.js) arrives as
the view's `draw` trigger; the view's fragment applies it (take_edit) and reruns the page, whose data is now the
new set: the run goes on from its weights (live.get_live).
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from scratchnet.data import Dataset
from scratchnet.data.drawn import MAX_DRAWN_CLASSES, MAX_POINTS, Drawn, DrawnLinkError, decode
from scratchnet.ui.params import DRAWN, LINK_LIMIT, PTS

DRAWN_KEY = "drawn_points"  # session_state: the Drawn set
SOURCE_KEY = "drawn_source"  # session_state: the last other data set resolved (for "start from the current set")
MESSAGE_KEY = "drawn_message"  # session_state: what the last edit or link said, shown once
ARRIVED_KEY = "drawn_arrived"  # session_state: the component whose `draw` trigger fired (read once in the view)
SEEN_KEY = "drawn_seen"  # session_state: the last edit number applied (a trigger delivered twice acts once)
ON_KEY = "draw_on"  # widget: drawing on the plane is on (off, a tap on a phone scrolls the page)
CLASS_KEY = "draw_class"  # widget: the class a click adds
START_K_KEY = "draw_start_k"  # widget: classes of a new empty set
EXPLAIN = ("Every drawn point trains (no test split: each click should move the boundary). To measure "
           "generalisation, download them as CSV and load them in *Your data*, where the test share holds some out.")


def in_use() -> bool:
    """Drawn data is the data set (its widget's value, or the link's while the widget is hidden)."""
    value = st.session_state["data"] if "data" in st.session_state else st.query_params.get("data")
    return value == DRAWN


def current() -> Drawn:
    """This session's drawn set: kept, else the link's (a bad link says why), else the data set in use before,
    else one point per class."""
    drawn = st.session_state.get(DRAWN_KEY)
    if isinstance(drawn, Drawn):
        return drawn
    raw = st.query_params.get_all(PTS)
    drawn = None
    if raw and raw[-1].strip():
        try:
            drawn = decode(raw[-1])
        except DrawnLinkError as err:
            _say(f"{err} Starting from one point per class instead.")
    if drawn is None:
        drawn = _from_source() or Drawn.start()
    st.session_state[DRAWN_KEY] = drawn
    return drawn


def _from_source() -> Drawn | None:
    source = st.session_state.get(SOURCE_KEY)
    if source is None:
        return None
    ds, axes, labels = source
    k = len(ds.classes) if ds.classes and len(ds.classes) <= MAX_DRAWN_CLASSES else 2
    return Drawn.from_points(ds.X_train[:, list(axes)], labels if k > 2 else ds.y_train, k)


def remember_source(ds: Dataset, axes: tuple[int, int], labels: Any) -> None:
    """The data set in use (not drawn): "start from the current data set" draws its points (a reference only)."""
    st.session_state[SOURCE_KEY] = (ds, axes, labels)


def dataset(seed: int) -> tuple[Dataset, tuple[Any, ...]]:
    drawn = current()
    return drawn.dataset(seed), (DRAWN, drawn.encode(), seed)


def _say(text: str) -> None:
    st.session_state[MESSAGE_KEY] = text


def replace(drawn: Drawn) -> None:
    st.session_state[DRAWN_KEY] = drawn
    sync_url(drawn)


def link_value(drawn: Drawn, base_length: int = 0) -> str | None:
    """The set's `pts` value, or None when a link with it would pass LINK_LIMIT (base_length: the rest)."""
    value = drawn.encode()
    return value if base_length + len(PTS) + 2 + len(value) <= LINK_LIMIT else None


def sync_url(drawn: Drawn | None = None) -> None:
    """The page's URL carries the drawn set while drawn data is in use and it fits; never otherwise."""
    value = link_value(drawn or current(), 300) if in_use() else None
    if value is None:
        if PTS in st.query_params:
            del st.query_params[PTS]
    elif st.query_params.get(PTS) != value:
        st.query_params[PTS] = value


# --- edits from the plane ------------------------------------------------------------------------------------
def note_edit(key: str) -> None:
    """The live view's `draw` trigger callback: only note it; the view reads it once (take_edit)."""
    st.session_state[ARRIVED_KEY] = key


MAX_EDITS = 50  # edits one message carries at most (draw.js sends more in the next)


def take_edit() -> bool:
    """Apply the plane's edits, if a message came: True when the page must rerun (the set changed, or a refusal
    to say). Every field is checked here; an edit with a bad one is skipped, and a message is applied once."""
    key = st.session_state.pop(ARRIVED_KEY, None)
    value = st.session_state.get(key) if key else None
    msg = value.get("draw") if isinstance(value, dict) else None
    if not isinstance(msg, dict) or not in_use():
        return False
    n, edits = msg.get("n"), msg.get("edits")
    if not isinstance(n, int) or isinstance(n, bool) or n <= st.session_state.get(SEEN_KEY, 0):
        return False
    st.session_state[SEEN_KEY] = n
    drawn, why = current(), None
    for edit in edits[:MAX_EDITS] if isinstance(edits, list) else []:
        drawn, why = _edit(drawn, edit) or (drawn, why)
    if why:
        _say(why)
    if drawn is not current():
        replace(drawn)
    return True


def _edit(drawn: Drawn, edit: Any) -> tuple[Drawn, str | None] | None:
    """One edit {"op": "add" | "remove", "x", "y", "c" (add), "r" (remove: how near)}; None if malformed."""
    if not isinstance(edit, dict):
        return None
    op, x, y, c, r = (edit.get(f) for f in ("op", "x", "y", "c", "r"))
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (x, y, r))
    if op not in ("add", "remove") or not numbers:
        return None
    if op == "add":
        return drawn.add(x, y, c if isinstance(c, int) and not isinstance(c, bool) else -1)
    return drawn.remove_nearest(x, y, within=max(0.0, r))


# --- controls ------------------------------------------------------------------------------------------------
def draw_bar(row: Any) -> dict[str, Any]:
    """Above the plane, with drawn data (in the picture row, a wrapping horizontal container): drawing on/off, the
    class a click adds, the count; then the last edit's message. Returns what the live view needs: {"on", "cls",
    "n", "seen"}."""
    drawn = current()
    with row:
        on = st.toggle("✏️ Draw", key=ON_KEY, value=True,
                       help="On: click (tap) the plane to add a point of the chosen class; shift-click (long-press) "
                       "removes the nearest. Off: the plane only shows, and on a phone the page scrolls over it. "
                       + EXPLAIN)
        cls = st.radio("Class a click adds", range(drawn.k), key=CLASS_KEY, horizontal=True,
                       format_func=lambda c: f"class {c}", label_visibility="collapsed")
        st.caption(f"**{drawn.n}** / {MAX_POINTS} points · all train (no test split)", width="content")
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        st.warning(message, icon="✏️")
    return {"on": bool(on), "cls": int(cls or 0), "n": drawn.n, "seen": st.session_state.get(SEEN_KEY, 0)}


def sidebar_controls() -> None:
    """In the sidebar's Data section, with drawn data: start again (empty or from the data set in use before),
    download the CSV, and whether the link carries the points."""
    drawn = current()
    left, right = st.columns([2, 3], vertical_alignment="bottom")
    with left:
        k = st.selectbox("Classes", range(2, MAX_DRAWN_CLASSES + 1), key=START_K_KEY, index=drawn.k - 2)
    with right:
        if st.button("Start from empty", key="draw_empty", width="stretch",
                     help="One point per class (the fewest a model can learn from); draw the rest."):
            replace(Drawn.start(int(k)))
            st.session_state.pop(CLASS_KEY, None)
            st.rerun()
    source = st.session_state.get(SOURCE_KEY)
    if st.button("Start from the current data set", key="draw_from_data", width="stretch", disabled=source is None,
                 help=f"Draw the points of {source[0].name if source else 'the data set used before'} (its training "
                 f"points over the two drawn features, up to {MAX_POINTS}) and edit them."):
        replace(_from_source() or Drawn.start())
        st.session_state.pop(CLASS_KEY, None)
        st.rerun()
    st.download_button("⬇ Drawn points (CSV)", data=drawn.to_csv(), file_name="scratchnet_drawn.csv",
                       mime="text/csv", key="draw_csv", width="stretch",
                       help="x1, x2, class: load it in Your data (CSV) for the same points.")
    if link_value(drawn, 300) is None:
        st.caption(f"These {drawn.n} points do not fit in a link (over {LINK_LIMIT:,} characters): share the CSV.")
    sync_url(drawn)


def share_part(base_length: int) -> tuple[dict[str, str], str | None]:
    """The share link's `pts` (when drawn data is in use), or a message saying it does not fit."""
    if not in_use():
        return {}, None
    drawn = current()
    value = link_value(drawn, base_length)
    if value is None:
        return {}, (f"The {drawn.n} drawn points do not fit in a link ({LINK_LIMIT:,} characters at most, the length "
                    "every browser and chat app carries): this link opens one point per class. Share the CSV "
                    "(sidebar) instead.")
    return {PTS: value}, None

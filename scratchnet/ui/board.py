"""The Board page, for the projector: the class's counts, its results plotted against the setting that varies,
a leaderboard for the teacher's target, a wall of boundary thumbnails and a CSV of everything.

A small fragment looks at the class's revision twice a second and redraws the page only when it moved (a join, a
state change, a result). Anyone with the code may look: it shows nicknames and numbers, nothing else.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from scratchnet.classroom.outcome import OUTCOME_COLUMNS, thumb_arrays
from scratchnet.classroom.room import ClassView, counts, normalise_code
from scratchnet.figures.board import COLOUR_BY, LABELS, outcome_histogram, outcome_scatter, thumb_png, varying
from scratchnet.ui.class_link import as_text, classroom, seat
from scratchnet.ui.page import PageContext

REFRESH_S = 0.5  # report → on the board: half a second of polling plus a page run
WALL_COLUMNS = 10  # 4 rows of 10: a class of 40 at a glance
CSV_COLUMNS = ("nick", "page", "data", "lr", "opt", "depth", "hidden", "act", "batch", "l2", "l1", "iters", "seed",
               "wseed", *OUTCOME_COLUMNS)


def board_code() -> str:
    """The class shown: ?class=CODE, or the teacher's or student's own class in this session."""
    teacher = st.session_state.get("class_teacher")
    me = seat()
    return normalise_code(st.query_params.get("class", "") or (teacher[0] if teacher else me.code if me else ""))


def board_page(ctx: PageContext) -> None:
    code = board_code()
    if not code:
        typed = st.text_input("Class code", max_chars=12, key="board_code")
        if not typed:
            st.info("Open the board from the Class page, or type the class code.", icon="📊")
            return
        code = normalise_code(typed)
    view = classroom().view(code)
    if view is None:
        st.error(f"There is no class with the code “{code[:8]}” (or it has ended).", icon="📊")
        return
    draw_board(code, view)
    st.fragment(_watch, run_every=REFRESH_S)(code, view.rev)


def _watch(code: str, rev: int) -> None:
    """Twice a second, one read of the class's revision; the board is drawn again (a page run) only when it moved:
    an idle board costs a poll, not a redraw."""
    view = classroom().view(code)
    if view is None or view.rev != rev:
        st.rerun(scope="app")


def frame(results: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame([{k: v for k, v in r.items() if k != "thumb"} for r in results])
    return df


def csv_text(df: pd.DataFrame) -> str:
    """The results as CSV; a nickname that a spreadsheet would take for a formula gets a leading quote."""
    out = df.reindex(columns=[c for c in CSV_COLUMNS if c in df]).copy()
    out["nick"] = [f"'{n}" if str(n)[:1] in "=+-@\t\r" else n for n in out["nick"]]
    return out.to_csv(index=False)


def draw_board(code: str, view: ClassView) -> None:
    students, results = classroom().students(code), classroom().results(code)
    df = frame(results)
    c = counts(students, results)
    cols = st.columns([1.3, 1, 1, 1, 1, 3.2], vertical_alignment="center")
    cols[0].markdown(f"### Class `{code}`" + (" · closed" if view.closed else ""))
    for col, (label, value) in zip(cols[1:5], (("Joined", c.joined), ("Playing", c.playing),
                                               ("Finished", c.finished), ("Results", c.results)), strict=True):
        col.metric(label, value)
    if df.empty:
        st.info("No results yet: they appear here as students' runs pause or finish.", icon="⏳")
        return
    with cols[5]:
        y = st.radio("Outcome", [k for k in ("test_loss", "train_loss", "test_acc", "train_acc") if k in df],
                     format_func=LABELS.get, horizontal=True, key="board_outcome")
    x = varying(df) or "lr"
    colour = varying(df, [k for k in COLOUR_BY if k != x])
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(outcome_scatter(df, x, y, colour), key="board_scatter", config={"displayModeBar": False})
    with right:
        st.plotly_chart(outcome_histogram(df, y), key="board_hist", config={"displayModeBar": False})
    left, right = st.columns([2, 3])
    with left:
        leaderboard(df, view.target)
        st.download_button("⬇ All results (CSV)", data=csv_text(df), file_name=f"class_{code}_results.csv",
                           mime="text/csv", key="board_csv")
    with right:
        wall(results)


def leaderboard(df: pd.DataFrame, target: Any) -> None:
    st.markdown(f"**Leaderboard:** {LABELS.get(target.metric, target.metric)} ≤ {target.limit:g}, smallest network "
                "first")
    if target.metric not in df:
        return
    hit = df[df[target.metric].notna() & (df[target.metric] <= target.limit)]
    if hit.empty:
        st.caption("Nobody has reached the target yet.")
        return
    top = hit.sort_values(["n_params", target.metric]).head(10)
    table = top.reindex(columns=["nick", "n_params", "hidden", target.metric, "lr", "iterations"])
    st.dataframe(table.rename(columns=LABELS | {"nick": "student"}), hide_index=True)


def wall(results: list[dict[str, Any]]) -> None:
    st.markdown("**Every student's boundary** (their last run)")
    latest = list({r["sid"]: r for r in results}.values())[-4 * WALL_COLUMNS:]  # each student's last run
    for row in range(0, len(latest), WALL_COLUMNS):  # one row of columns at a time: the rows stay aligned
        for col, r in zip(st.columns(WALL_COLUMNS), latest[row:row + WALL_COLUMNS], strict=False):
            arrays = thumb_arrays(r.get("thumb"))
            with col:
                if arrays is not None:
                    st.image(thumb_png(*arrays), width="stretch")  # 24 cells × 4 px
                loss = "diverged" if r.get("diverged") else f"{r['test_loss']:.3f}" if r.get("test_loss") else "–"
                lr = f"{r['lr']:g}" if r.get("lr") else "?"
                st.caption(f"{as_text(r['nick'])}  \nα {lr} · {loss}")

"""The "Your data" page: parse once per file, keep it in this session, choose columns, switch data on request.

The parsed file (the draft) stays in st.session_state, so after a page switch, when Streamlit's uploader is
empty again, the page still shows it with its column choices (kept by persist_state="session"). Uploading
another file replaces it. Everything is prepared through data_source.prepared with the sidebar's test share
and seed, so the preview is exactly the Dataset training will use.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from scratchnet import figures
from scratchnet.data import (
    MAX_CLASSES,
    MISSING_CHOICES,
    SAMPLE_DIR,
    ColumnInfo,
    DataError,
    check_feature_columns,
    check_table,
    describe_columns,
    guess_positive,
    label_values,
    missing_cells,
    read_csv,
    suggest_features,
    suggest_label,
)
from scratchnet.data.choose import ID, TEXT, TWO_VALUES
from scratchnet.figures.style import short_label
from scratchnet.problem import Problem
from scratchnet.ui import controls
from scratchnet.ui.data_source import Choice, Upload, current_upload, plot_axes, prepared, store_upload
from scratchnet.ui.page import PageContext, guard
from scratchnet.ui.params import UPLOADED, Settings
from scratchnet.ui.text import md, md_list

DRAFT_KEY = "upload_draft"
NOTHING_CHANGED = "Nothing changed: the data set you were using is still in use."
NAME_LIMIT = 40  # characters of a column name in a list
MEMO_LIMIT = 32  # results a draft keeps (per label, features, split): a student trying many choices adds no more
_ids = itertools.count(1)


@dataclass
class Draft:
    upload_key: str  # Streamlit's id of the uploaded file: the same upload is read only once
    file_key: str  # a digest of its bytes: the same file uploaded again keeps its column choices
    file_name: str
    frame: pd.DataFrame | None
    error: str | None
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)  # per label / split: not per rerun

    def remember(self, key: tuple[Any, ...], make: Any) -> Any:
        """make(), computed once for this file and key (describing columns reads every cell of a big file); the
        MEMO_LIMIT most recent keys are kept."""
        if key not in self.memo:
            self.memo[key] = make()
            while len(self.memo) > MEMO_LIMIT:
                self.memo.pop(next(iter(self.memo)))
        return self.memo[key]


def parse(file) -> Draft:
    """Read an uploaded file once (reruns reuse the draft); bad files give a message, not an exception."""
    draft: Draft | None = st.session_state.get(DRAFT_KEY)
    if draft is not None and draft.upload_key == file.file_id:
        return draft
    data = file.getvalue()
    file_key = hashlib.sha256(data).hexdigest()[:16]
    if draft is None or draft.file_key != file_key:
        try:
            frame, error = read_csv(data), None
        except DataError as err:
            frame, error = None, str(err)
        draft = Draft(file.file_id, file_key, file.name, frame, error)
    else:
        draft.upload_key, draft.file_name = file.file_id, file.name
    st.session_state[DRAFT_KEY] = draft
    return draft


def use_upload(draft: Draft, choice: Choice) -> None:
    """Button callback: make this upload the data set on every page (the same choice again changes nothing)."""
    assert draft.frame is not None
    in_use = current_upload()
    if in_use is None or in_use.file_key != draft.file_key or in_use.choice != choice:
        store_upload(Upload(draft.file_name, draft.frame, list(choice.features), choice.label, choice.positive,
                            next(_ids), choice.missing, draft.file_key))
    st.session_state["data"] = UPLOADED


# --- the page ----------------------------------------------------------------------------------------
def upload_page(ctx: PageContext) -> None:
    """What is in use, the uploader (which also replaces the file), then the file's columns and a preview."""
    in_use = current_upload()
    if in_use is not None:
        features = md_list(in_use.features[:4], limit=NAME_LIMIT) + (
            f" and {len(in_use.features) - 4} more" if len(in_use.features) > 4 else "")
        st.info(f"In use: **{md(in_use.file_name, NAME_LIMIT)}** — features {features}; label "
                f"{md(in_use.label, NAME_LIMIT)}.", icon="✅")
    draft: Draft | None = st.session_state.get(DRAFT_KEY)
    left, right = st.columns([2, 1])
    with right:
        st.download_button("⬇ Template CSV (two moons)", data=(SAMPLE_DIR / "moons.csv").read_bytes(),
                           file_name="moons.csv", mime="text/csv", key="template_csv")
        st.caption("Columns x1, x2, label — replace them with your own.")
    with left:
        label = "Replace the file: drop another CSV here" if draft is not None else "CSV file"
        file = st.file_uploader(label, type=["csv", "txt", "tsv"], key="csv_file")
    with guard("reading the file"):
        if file is not None:
            draft = parse(file)
        if draft is None:
            return
        if draft.error:
            st.error(md(draft.error), icon="🚫")
            st.caption(NOTHING_CHANGED)
        else:
            _choose_columns(draft, ctx.settings, in_use if in_use and in_use.file_key == draft.file_key else None)


def _choose_columns(draft: Draft, settings: Settings, in_use: Upload | None) -> None:
    """Label, class 1, features and empty cells for a file that parsed; the Use button once they make a data set."""
    df = draft.frame
    assert df is not None
    st.markdown(f"**{md(draft.file_name, NAME_LIMIT)}** — {len(df):,} rows × {df.shape[1]:,} columns")
    for note in df.attrs.get("notes", []):
        st.caption(md(note))
    columns = [str(c) for c in df.columns]
    try:
        check_table(df)
    except DataError as err:
        st.error(md(err), icon="🚫")
        st.caption(NOTHING_CHANGED)
        return
    key = draft.file_key
    left, right = st.columns(2)
    with left:
        default_label = in_use.label if in_use else draft.remember(("label",), lambda: suggest_label(df))
        label = st.selectbox("Label column (what to predict)", columns, index=columns.index(default_label),
                             key=f"label_{key}", persist_state="session")
    values = label_values(df, label)
    with right:
        several = 2 < len(values) <= MAX_CLASSES
        mode = controls.draw("classes") if several else "one-vs-rest"  # the sidebar leaves it to this page
        positive = _positive_choice(values, key, label, in_use, disabled=several and mode == "all")
    infos = draft.remember(("columns", label), lambda: describe_columns(df, label))
    offered = [i.name for i in infos if i.offered]
    try:
        check_feature_columns(df, label, infos)
    except DataError as err:
        st.error(md(err), icon="🚫")
    every = several and mode == "all"  # all K classes: the features that separate all of them
    suggestion = draft.remember(("suggestion", label, positive, every, settings.test, settings.seed),
                                lambda: suggest_features(df, label, positive, test_ratio=settings.test,
                                                         seed=settings.seed, infos=infos, all_classes=every))
    default = list(in_use.features) if in_use and in_use.label == label else list(suggestion.features)
    shown = {i.name: _option_text(i) for i in infos}
    features = st.multiselect("Feature columns (the model trains on all of them)", offered,
                              default=[f for f in default if f in offered], format_func=shown.__getitem__,
                              key=f"features_{key}_{label}", persist_state="session")
    _explain_columns(infos, suggestion.scores, suggestion.features, features, every=every)
    gaps = draft.remember(("missing", tuple(features), label), lambda: missing_cells(df, [*features, label]))
    missing = _missing_choice(gaps, label, key)
    _preview(draft, Choice(tuple(features), label, positive, missing), settings, in_use)


def _positive_choice(
    values: list[str], key: str, label: str, in_use: Upload | None, disabled: bool = False
) -> str | None:
    if len(values) < 2:
        return None
    index = 0  # the most frequent value, when there are more than two
    if in_use and in_use.label == label and in_use.positive in values:
        index = values.index(in_use.positive)
    elif len(values) == 2:
        index = values.index(guess_positive(values))
    return st.selectbox("Class 1 (positive)", values, index=index, key=f"positive_{key}_{label}",
                        persist_state="session", disabled=disabled,
                        help=f"With more than two values and one vs the rest (always beyond {MAX_CLASSES} values), "
                        "this one is class 1 and all the others class 0.")


def _option_text(info: ColumnInfo) -> str:
    name = short_label(info.name, NAME_LIMIT)
    if info.kind == TWO_VALUES and info.coding is not None:
        return f"{name} ({short_label(info.coding[0], 12)} = 0, {short_label(info.coding[1], 12)} = 1)"
    return f"{name} (ID?)" if info.kind == ID else name


def _explain_columns(
    infos: list[ColumnInfo], scores: dict[str, float], suggested: tuple[str, ...], chosen: list[str],
    every: bool = False,
) -> None:
    """Why the suggested features, and what the other columns are: IDs, text with two or more values. `every`:
    the scores measure all the classes (scratchnet.data.separation for K labels)."""
    lines = []
    if len(suggested) >= 2 and scores:
        ranked = " · ".join(f"{md(n, NAME_LIMIT)} {_score(s)}" for n, s in list(scores.items())[:6])
        measure = ("the columns whose class means are spread furthest apart on the training rows, twice their "
                   "spread in within-class standard deviations (its square is proportional to ANOVA's F, so the "
                   "columns rank as F ranks them)" if every else
                   "the columns whose class means lie furthest apart on the training rows, in within-class "
                   "standard deviations (a standardised mean difference)")
        more = " · …" if len(scores) > 6 else ""
        lines.append(f"**Suggested: {md_list(suggested, ' and ', NAME_LIMIT)}** — "
                     f"{measure}: {ranked}{more}.")
    named = [(i, f"**{md(i.name, NAME_LIMIT)}**") for i in infos]
    about = []  # one paragraph about the other columns
    for info, name in named:
        if info.kind == ID:
            about.append(f"{name} {md(info.reason)}: you can choose it, it is never suggested.")
        elif info.kind == TWO_VALUES and info.coding is not None and info.name not in chosen:
            zero, one = info.coding
            about.append(f"{name} is text with two values, read as {md(zero, NAME_LIMIT)} = 0, "
                         f"{md(one, NAME_LIMIT)} = 1" + (f" ({md(info.reason)})." if info.reason else "."))
    many = [name for info, name in named if info.kind == TEXT and "one-hot" in info.reason]
    if many:
        about.append(f"Not offered as features: {', '.join(many)} — text with more than two different values "
                     "(one-hot encoding, a 0/1 column per value, is not supported here).")
    about += [f"Not offered: {name} — {md(info.reason)}." for info, name in named
              if not info.offered and not (info.kind == TEXT and "one-hot" in info.reason)]
    if about:
        lines.append(" ".join(about))
    if lines:
        st.caption("\n\n".join(lines))


def _score(value: float) -> str:
    return "perfect" if value == float("inf") else f"{value:.2f}"


def _missing_choice(gaps: tuple[int, dict[str, int]], label: str, key: str) -> str:
    """When the chosen columns have empty cells (`gaps`: missing_cells of them and the label): stop and say where
    (default), drop those rows, or fill them."""
    rows, per_column = gaps
    if not rows:
        return "tell"
    label_gaps = per_column.get(label, 0)
    cells = sum(n for column, n in per_column.items() if column != label)
    texts = {
        "tell": "Tell me where they are",
        "drop": f"Drop rows with missing values ({rows:,} row{'s' if rows != 1 else ''})",
        "fill": f"Fill with the training mean ({cells:,} cell{'s' if cells != 1 else ''})",
    }
    where = ", ".join(f"{md(c, NAME_LIMIT)} {n:,}" for c, n in per_column.items())
    help_text = ("Drop: those rows are left out. Fill: each empty cell gets its column's mean over the training "
                 "rows only, so nothing about the test rows leaks into training."
                 + (" Rows without a label are left out either way." if label_gaps else ""))
    return st.radio(f"Empty cells ({where})", MISSING_CHOICES, format_func=texts.__getitem__, horizontal=True,
                    key=f"missing_{key}", persist_state="session", help=help_text)


def _preview(draft: Draft, choice: Choice, settings: Settings, in_use: Upload | None) -> None:
    """Prepared exactly as training will use it (the sidebar's test share and seed), then the Use button."""
    assert draft.frame is not None
    try:
        preview = prepared(draft.file_key, draft.file_name, draft.frame, choice, settings.test, settings.seed)
        if preview.n_features < 2:  # the plots draw the data over two axes (scratchnet/figures/plane.py)
            raise DataError(f"Only one feature column is chosen (“{short_label(choice.features[0], NAME_LIMIT)}”). "
                            "Choose at least two: "
                            "the plots show the data over two axes.")
    except DataError as err:
        st.error(md(err), icon="🚫")
        st.caption(NOTHING_CHANGED)
        st.dataframe(draft.frame.head(200), height=240)
        return
    if 2 < preview.n_classes <= MAX_CLASSES and settings.classes == "all":
        classes = f"{preview.n_classes} classes, one colour each: " + ", ".join(
            f"“{md(c, NAME_LIMIT)}”" for c in preview.classes)
    else:
        classes = (f"class 1 = “{md(preview.class_names[1], NAME_LIMIT)}”, "
                   f"class 0 = “{md(preview.class_names[0], NAME_LIMIT)}”")
    st.success(f"Ready: {preview.n_train} training and {preview.n_test} test rows (test share {settings.test:.0%}, "
               f"seed {settings.seed}, as in the sidebar); {classes}.", icon="✔️")
    same = in_use is not None and in_use.choice == choice and settings.data == UPLOADED
    st.button("In use on every page ✓" if same else "Use this data set on every page", type="primary",
              on_click=use_upload, args=(draft, choice), key="use_upload", disabled=same)
    notes = [md(n) for n in preview.notes if n not in draft.frame.attrs.get("notes", [])]  # the file's: shown above
    if preview.n_classes > MAX_CLASSES:
        notes.append(f"The label has {preview.n_classes} values; the models here tell at most {MAX_CLASSES} apart, "
                     f"so this is “{md(preview.class_names[1], NAME_LIMIT)}” against the other "
                     f"{preview.n_classes - 1} (one-vs-rest).")
    every = 2 < preview.n_classes <= MAX_CLASSES and settings.classes == "all"
    axes = plot_axes(("preview", draft.file_key, choice, settings.test, settings.seed), preview, settings.plot_x,
                     settings.plot_y, preview.labels_train if every else None)
    if preview.n_features > 2:
        names = preview.feature_names
        notes.append(f"The picture draws {md(names[axes[0]], NAME_LIMIT)} across and "
                     f"{md(names[axes[1]], NAME_LIMIT)} up (choose them in the "
                     "sidebar once the data is in use); the model trains on all the chosen features.")
    st.caption(" · ".join(notes))
    table, picture = st.columns([1, 1])
    with table:
        st.dataframe(draft.frame.head(200), height=340)
    with picture:
        view = Problem(preview, ("preview",), one_vs_rest=settings.classes == "one-vs-rest").view  # all K classes
        st.plotly_chart(figures.data_figure(view, axes, height=340), key="upload_preview",
                        config={"displayModeBar": False})

"""The "Your data" page: parse once per file, keep the draft in this session, switch data only on request."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pandas as pd
import streamlit as st

import figures
from scratchnet.data import (
    SAMPLE_DIR,
    DataError,
    guess_positive,
    label_values,
    prepare_dataset,
    read_csv,
    suggest_columns,
)
from ui.data_source import Upload, current_upload, store_upload
from ui.page import guard
from ui.params import UPLOADED

DRAFT_KEY = "upload_draft"
NOTHING_CHANGED = "Nothing changed: the data set you were using is still in use."
_ids = itertools.count(1)


@dataclass
class Draft:
    file_id: str
    file_name: str
    frame: pd.DataFrame | None
    error: str | None


def parse(file) -> Draft:
    """Read an uploaded file once (reruns reuse the draft); bad files give a message, not an exception."""
    draft: Draft | None = st.session_state.get(DRAFT_KEY)
    if draft is not None and draft.file_id == file.file_id:
        return draft
    try:
        frame, error = read_csv(file.getvalue()), None
    except DataError as err:
        frame, error = None, str(err)
    draft = Draft(file.file_id, file.name, frame, error)
    st.session_state[DRAFT_KEY] = draft
    return draft


def use_upload(draft: Draft, features: list[str], label: str, positive: str | None) -> None:
    """Button callback: make this upload the data set on every page."""
    assert draft.frame is not None
    store_upload(Upload(draft.file_name, draft.frame, list(features), label, positive, next(_ids)))
    st.session_state["data"] = UPLOADED


# --- the page ----------------------------------------------------------------------------------------
def upload_page() -> None:
    """What is in use, the template, the uploader, then the chosen file's columns and a preview."""
    in_use = current_upload()
    if in_use is not None:
        st.info(f"In use: **{in_use.file_name}** — features {', '.join(in_use.features)}; label {in_use.label}.",
                icon="✅")
    left, right = st.columns([2, 1])
    with right:
        st.download_button("⬇ Template CSV (two moons)", data=(SAMPLE_DIR / "moons.csv").read_bytes(),
                           file_name="moons.csv", mime="text/csv", key="template_csv")
        st.caption("Columns x1, x2, label — replace them with your own.")
    with left:
        file = st.file_uploader("CSV file", type=["csv", "txt", "tsv"], key="csv_file")
    if file is not None:
        with guard("reading the file"):
            draft = parse(file)
            if draft.error:
                st.error(draft.error, icon="🚫")
                st.caption(NOTHING_CHANGED)
            else:
                _choose_columns(draft)


def _choose_columns(draft: Draft) -> None:
    """Label, features and class 1 for a file that parsed; the Use button once they make a data set."""
    df = draft.frame
    assert df is not None
    st.markdown(f"**{draft.file_name}** — {len(df):,} rows × {df.shape[1]:,} columns")
    for note in df.attrs.get("notes", []):
        st.caption(note)
    st.dataframe(df.head(200), height=220)
    try:
        default_features, default_label = suggest_columns(df)
    except DataError as err:
        st.error(str(err), icon="🚫")
        default_features, default_label = [], None
    columns = list(df.columns)
    c1, c2, c3 = st.columns([3, 2, 2])
    with c2:
        label = st.selectbox("Label column (what to predict)", columns,
                             index=columns.index(default_label) if default_label in columns else 0,
                             key=f"label_{draft.file_id}")
    with c1:
        features = st.multiselect("Feature columns", [c for c in columns if c != label],
                                  default=[c for c in default_features if c != label],
                                  key=f"features_{draft.file_id}")
    values = label_values(df, label)
    with c3:
        positive = st.selectbox(
            "Class 1 (positive)", values, key=f"positive_{draft.file_id}_{label}",
            index=values.index(guess_positive(values)) if len(values) == 2 else 0,
            help="With more than two values, this one is class 1 and all the others class 0.",
        ) if len(values) > 1 else None
    if len(features) > 2:
        st.caption(f"The model trains on all {len(features)} features; the decision boundary is drawn over the "
                   f"first two ({features[0]}, {features[1]}) with the others held at their mean.")
    try:
        preview = prepare_dataset(df, features, label, positive=positive, name=draft.file_name)
        if preview.n_features < 2:  # the plots draw the data over two axes (figures/plane.py)
            raise DataError(f"Only one feature column is chosen (“{features[0]}”). Choose at least two: "
                            "the plots show the data over two axes.")
    except DataError as err:
        st.error(str(err), icon="🚫")
        st.caption(NOTHING_CHANGED)
        return
    st.success(f"Ready: {preview.n_train} training and {preview.n_test} test rows; class 1 = "
               f"“{preview.class_names[1]}”, class 0 = “{preview.class_names[0]}”.", icon="✔️")
    for note in preview.notes:
        if note not in df.attrs.get("notes", []):  # the file's own notes are shown above
            st.caption(note)
    st.button("Use this data set on every page", type="primary", on_click=use_upload,
              args=(draft, features, label, positive), key="use_upload")
    st.plotly_chart(figures.data_figure(preview, height=340), key="upload_preview", config={"displayModeBar": False})

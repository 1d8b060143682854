"""The upload flow: parse once per file, keep the draft in this session, switch data only on request."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from scratchnet.data import DataError, read_csv
from ui.data_source import Upload, store_upload

DRAFT_KEY = "upload_draft"
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
    st.session_state["data"] = "uploaded"

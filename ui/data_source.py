"""Which data set is in use: a synthetic one, a shipped sample, or this session's own upload."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from scratchnet.data import DataError, Dataset, load_sample, prepare_dataset, synthetic_dataset
from scratchnet.problem import Problem
from ui.params import SAMPLES, SYNTHETIC, UPLOADED, Settings

UPLOAD_KEY = "uploaded_data"  # session_state only: an upload is never shared between sessions


@st.cache_data(max_entries=64, show_spinner=False)
def _synthetic(kind: str, n: int, noise: float, seed: int, test: float) -> Dataset:
    return synthetic_dataset(kind, n=n, noise=noise, seed=seed, test_ratio=test)


@st.cache_data(max_entries=16, show_spinner=False)
def _sample(key: str, test: float, seed: int) -> Dataset:
    return load_sample(key, test_ratio=test, seed=seed)


@dataclass
class Upload:
    """A CSV this session uploaded and the columns chosen for it (kept in st.session_state only)."""

    file_name: str
    frame: pd.DataFrame
    features: list[str]
    label: str
    positive: str | None
    upload_id: int
    _prepared: dict[tuple[float, int], Dataset] = field(default_factory=dict, repr=False)

    def dataset(self, test: float, seed: int) -> Dataset:
        """Prepared for this test share and seed; only the latest preparation is kept."""
        if (test, seed) not in self._prepared:
            dataset = prepare_dataset(
                self.frame, self.features, self.label, positive=self.positive,
                test_ratio=test, seed=seed, name=self.file_name,
            )
            self._prepared = {(test, seed): dataset}
        return self._prepared[(test, seed)]


def current_upload() -> Upload | None:
    return st.session_state.get(UPLOAD_KEY)


def store_upload(upload: Upload) -> None:
    st.session_state[UPLOAD_KEY] = upload


def resolve(settings: Settings) -> tuple[Problem | None, str | None]:
    """Build the problem for the chosen settings; on bad data return (None, message), never raise."""
    kind, test, seed = settings.data, settings.test, settings.seed
    try:
        if kind in SYNTHETIC:
            n, noise = settings.n, settings.noise
            ds = _synthetic(kind, n, noise, seed, test)
            sig: tuple[Any, ...] = (kind, n, noise, seed, test)
        elif kind in SAMPLES:
            ds, sig = _sample(kind, test, seed), (kind, test, seed)
        else:
            upload = current_upload()
            if upload is None:
                return None, ("No uploaded data in this session yet. An uploaded file is kept only by the server "
                              "that received it, so after a reconnect to another server (or a server restart) it "
                              "must be uploaded again: open **Your data (CSV)**.")
            ds, sig = upload.dataset(test, seed), (UPLOADED, upload.upload_id, test, seed)
    except DataError as err:
        return None, str(err)
    extras = settings.feats if ds.n_features == 2 else ()
    return Problem(ds, (*sig, extras), extras), None

"""Which data set is in use: a synthetic one, a shipped sample, or this session's own upload."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from scratchnet.data import DataError, Dataset, load_sample, prepare_dataset, synthetic_dataset
from scratchnet.features import expand_features, expanded_names
from ui import settings

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


@dataclass(frozen=True)
class Problem:
    """The data set plus the inputs the models see (original features and any extra ones)."""

    dataset: Dataset
    signature: tuple[Any, ...]  # changes whenever the data a model trains on changes
    extras: tuple[str, ...]

    @property
    def transform(self):
        return partial(expand_features, extras=self.extras) if self.extras else None

    @property
    def n_inputs(self) -> int:
        return self.dataset.n_features + len(self.extras)

    @property
    def input_names(self) -> list[str]:
        return expanded_names(self.dataset.feature_names, self.extras) if self.extras else list(
            self.dataset.feature_names
        )

    def inputs(self, X: np.ndarray) -> np.ndarray:
        return expand_features(X, self.extras) if self.extras else X

    @property
    def X_train(self) -> np.ndarray:
        return self.inputs(self.dataset.X_train)

    @property
    def X_test(self) -> np.ndarray:
        return self.inputs(self.dataset.X_test)


def resolve(values: dict[str, Any]) -> tuple[Problem | None, str | None]:
    """Build the problem for the chosen settings; on bad data return (None, message), never raise."""
    kind, test, seed = values["data"], float(values["test"]), int(values["seed"])
    try:
        if kind in settings.SYNTHETIC:
            n, noise = int(values["n"]), float(values["noise"])
            ds = _synthetic(kind, n, noise, seed, test)
            sig: tuple[Any, ...] = (kind, n, noise, seed, test)
        elif kind in settings.SAMPLES:
            ds, sig = _sample(kind, test, seed), (kind, test, seed)
        else:
            upload = current_upload()
            if upload is None:
                return None, ("No uploaded data in this session yet. An uploaded file is kept only by the server "
                              "that received it, so after a reconnect to another server (or a server restart) it "
                              "must be uploaded again: open **Your data (CSV)**.")
            ds, sig = upload.dataset(test, seed), (settings.UPLOADED, upload.upload_id, test, seed)
    except DataError as err:
        return None, str(err)
    extras = tuple(values["feats"]) if ds.n_features == 2 else ()
    return Problem(ds, (*sig, extras), extras), None

"""Which data set is in use: a synthetic one, a shipped sample, or this session's own upload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from scratchnet.data import MAX_CLASSES, DataError, Dataset, load_sample, prepare_dataset, synthetic_dataset
from scratchnet.plane import SLICE_FAR, SLICE_NEAR
from scratchnet.problem import Problem, axes_from_names
from scratchnet.ui import drawing
from scratchnet.ui.params import DRAWN, SAMPLES, SYNTHETIC, UPLOADED, Settings
from scratchnet.ui.text import md, md_list

UPLOAD_KEY = "uploaded_data"  # session_state only: an upload is never shared between sessions
PREPARED_KEY = "prepared_uploads"  # (file, columns, test share, seed) -> Dataset, this session only
KEEP_PREPARED = 8
AXES_KEY = "plot_axes"  # (data set, drawn names, classes) -> the two features the pictures draw, this session only


@st.cache_data(max_entries=64, show_spinner=False)
def _synthetic(kind: str, n: int, noise: float, seed: int, test: float) -> Dataset:
    return synthetic_dataset(kind, n=n, noise=noise, seed=seed, test_ratio=test)


@st.cache_data(max_entries=16, show_spinner=False)
def _sample(key: str, test: float, seed: int) -> Dataset:
    return load_sample(key, test_ratio=test, seed=seed)


@dataclass(frozen=True)
class Choice:
    """The columns chosen for an uploaded table, and what to do about its empty cells (MISSING_CHOICES)."""

    features: tuple[str, ...]
    label: str
    positive: str | None
    missing: str = "tell"


@dataclass
class Upload:
    """A CSV this session uploaded and the columns chosen for it (kept in st.session_state only)."""

    file_name: str
    frame: pd.DataFrame
    features: list[str]
    label: str
    positive: str | None
    upload_id: int
    missing: str = "tell"
    file_key: str = ""  # the file's content digest: the same file uploaded again is the same file

    @property
    def choice(self) -> Choice:
        return Choice(tuple(self.features), self.label, self.positive, self.missing)

    def dataset(self, test: float, seed: int) -> Dataset:
        """Prepared for this test share and seed (once: see prepared)."""
        return prepared(self.file_key or f"upload {self.upload_id}", self.file_name, self.frame, self.choice,
                        test, seed)


def prepared(file_key: str, file_name: str, frame: pd.DataFrame, choice: Choice, test: float, seed: int) -> Dataset:
    """The table prepared with these columns and this split, once per session: the upload page's preview and
    every page's training get the very same Dataset. A DataError is remembered (and raised again) too."""
    cache: dict[tuple[Any, ...], Dataset | tuple[type[DataError], str]] = st.session_state.setdefault(PREPARED_KEY, {})
    key = (file_key, choice, float(test), int(seed))
    if key in cache:
        cache[key] = cache.pop(key)  # most recently used last
    else:
        try:
            cache[key] = prepare_dataset(frame, list(choice.features), choice.label, positive=choice.positive,
                                         missing=choice.missing, test_ratio=test, seed=seed, name=file_name)
        except DataError as err:
            cache[key] = (type(err), str(err))
        while len(cache) > KEEP_PREPARED:
            cache.pop(next(iter(cache)))
    result = cache[key]
    if isinstance(result, tuple):
        raise result[0](result[1])
    return result


def plot_axes(key: tuple[Any, ...], ds: Dataset, x: str, y: str, labels: np.ndarray | None) -> tuple[int, int]:
    """axes_from_names, once per data set (`key` names it), drawn names and classes in this session: choosing the
    best two reads every training cell of every feature (0.15 s of CPU a rerun for 299 features and 6 classes)."""
    memo: dict[tuple[Any, ...], tuple[int, int]] = st.session_state.setdefault(AXES_KEY, {})
    key = (*key, x, y, labels is not None)
    if key not in memo:
        memo[key] = axes_from_names(ds, x, y, labels)
        while len(memo) > KEEP_PREPARED:
            memo.pop(next(iter(memo)))
    return memo[key]


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
        elif kind == DRAWN:  # this session's own points: never in the shared cache
            ds, sig = drawing.dataset(seed)
        else:
            upload = current_upload()
            if upload is None:
                return None, ("No uploaded data in this session yet. An uploaded file is kept only by the server "
                              "that received it, so after a reconnect to another server (or a server restart) it "
                              "must be uploaded again: open **Your data (CSV)**.")
            ds, sig = upload.dataset(test, seed), (UPLOADED, upload.upload_id, test, seed)
    except DataError as err:
        return None, md(err)  # markdown: the message names the student's columns
    extras = settings.feats if ds.n_features == 2 else ()
    one_vs_rest = settings.classes == "one-vs-rest"
    labels = ds.labels_train if 2 < ds.n_classes <= MAX_CLASSES and not one_vs_rest else None  # all K classes
    axes = plot_axes(sig, ds, settings.plot_x, settings.plot_y, labels) if ds.n_features > 2 else None
    if kind != DRAWN:  # what "start from the current data set" draws
        drawing.remember_source(ds, axes or (0, 1), ds.labels_train if ds.labels_train is not None else ds.y_train)
    # the classes the models tell apart are part of what they train on: a change of mode restarts a run
    return Problem(ds, (*sig, extras, ds.n_classes > 2 and one_vs_rest), extras, axes, one_vs_rest), None


def class_explanation(problem: Problem | None) -> str | None:
    """What the models tell apart, for data with more than two classes."""
    if problem is None or problem.dataset.n_classes <= 2:
        return None
    ds = problem.dataset
    if problem.n_classes > 2:
        names = ", ".join(f"“{md(c)}”" for c in ds.classes)
        return (f"**{ds.n_classes} classes** ({names}): the models have one output per class, a softmax turns "
                "them into probabilities, and each region is coloured by the class with the largest one.")
    why = f"more than {MAX_CLASSES} classes: " if ds.n_classes > MAX_CLASSES else ""
    return (f"**One vs the rest** ({why}“{md(ds.class_names[1])}” against the other {ds.n_classes - 1} classes): "
            "choose the classes in the sidebar.")


def slice_explanation(problem: Problem | None) -> str | None:
    """What a student needs to read a picture of more than two features: it is a slice; faint points."""
    if problem is None or problem.dataset.n_features <= 2:
        return None
    d = problem.dataset.n_features
    (x, y), held = (md(n) for n in problem.plot_names), problem.held_names
    listed = md_list(held[:6]) + (f" and {len(held) - 6} more" if len(held) > 6 else "")
    return (
        f"**The plots show a slice.** The model uses all {d} features, but a screen has two axes: the plots draw "
        f"**{x}** across and **{y}** up, with the other {d - 2} ({listed}) held at their training mean. "
        "A point whose other features are far from their means can sit on the “wrong” side of the boundary "
        "drawn here and still be classified correctly: the boundary that decides it lies in its own slice. "
        f"So points are drawn **fainter the further they lie from this slice** (full colour within "
        f"{SLICE_NEAR:g} standard deviations, faintest from {SLICE_FAR:g}, averaged over the other features "
        "as a root mean square; hover over a point to see its distance). Choose the two drawn features in the "
        "sidebar."
    )

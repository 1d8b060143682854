"""This session's live training runs, one per model page: the only code that knows where they are kept.

A run stays in st.session_state under "live:<page>" (only this browser session sees it). The live view creates,
replaces and drops runs; other pages read the model in use through model_in_use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import streamlit as st

from scratchnet import Model, TrainingRun
from scratchnet.ui.site import live_page_for

LIVE_PREFIX = "live:"


class LiveRun(Protocol):
    """What the registry needs of a page's run (live_engine.py's LiveRun has more)."""

    run: TrainingRun
    playing: bool


@dataclass(frozen=True)
class InUse:
    model: Model
    iteration: int
    page: str  # the page training it


def key(page: str) -> str:
    return LIVE_PREFIX + page


def get(page: str) -> Any:
    """The page's run, or None."""
    return st.session_state.get(key(page))


def put(page: str, live: LiveRun) -> None:
    st.session_state[key(page)] = live


def drop(page: str) -> None:
    st.session_state.pop(key(page), None)


def pause_all() -> None:
    """Stop every run of this session from playing (a run never plays on a page nobody looks at)."""
    for name, live in list(st.session_state.items()):
        if isinstance(name, str) and name.startswith(LIVE_PREFIX):
            live.playing = False


def model_in_use(kind: str, n_inputs: int) -> InUse | None:
    """The model of `kind` its page is training, if there is one and it takes n_inputs inputs."""
    page = live_page_for(kind)
    live = get(page)
    if live is None or live.run.model.n_features != n_inputs:
        return None
    return InUse(live.run.model, live.run.iteration, page)

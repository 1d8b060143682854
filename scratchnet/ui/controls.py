"""Sidebar and toolbar widgets, drawn from the settings table (params.py). Every setting is bound to the URL
and kept for the whole session.

A control group the teacher hid (?hide=...) is not drawn; its value then comes from the URL or the
session, exactly as if the widget were there.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from scratchnet.data import MAX_CLASSES
from scratchnet.network import MAX_HIDDEN_LAYERS
from scratchnet.problem import Problem
from scratchnet.ui import drawing
from scratchnet.ui.params import (
    DRAWN,
    LAYER_UNITS,
    PARAMS,
    PARAMS_BY_KEY,
    SYNTHETIC,
    Param,
    Settings,
    layers_text,
    parse_layers,
)
from scratchnet.ui.site import Page
from scratchnet.ui.text import md

_DEFAULT_ARG = {"selectbox": "index", "radio": "index", "multiselect": "default"}  # the rest take value=


def bound(key: str, **default: Any) -> dict[str, Any]:
    """Widget kwargs: the value lives in the URL (shareable links) and in the session (page switches).

    Once the session holds a value, it is re-assigned and no default is passed: otherwise the first run
    on a newly opened page would see the default instead of the student's choice.
    """
    kwargs: dict[str, Any] = {"key": key, "bind": "query-params", "persist_state": "session"}
    if key in st.session_state:
        if not in_fragment_rerun():  # see below
            st.session_state[key] = st.session_state[key]
    else:
        kwargs.update(default)
    return kwargs


PENDING_FEATS = "sn_pending_feats"  # the extra inputs an input node's click asked for (the live view sets it)


def apply_pending_inputs() -> None:
    """Before any widget: an input node clicked in the diagram switched an extra input (as Extra inputs does)."""
    feats = st.session_state.pop(PENDING_FEATS, None)
    if feats is not None:
        st.session_state["feats"] = list(feats)


def in_fragment_rerun() -> bool:
    """A fragment rerun never opens a page, so its widgets need no re-assignment, and must not get one: an assigned
    value goes to the browser as "set this value", and the live view's fragment reruns in the background while a
    student drags the α slider (which then jumped back, and a change could be lost to the next request)."""
    ctx = get_script_run_ctx()
    return bool(ctx and ctx.fragment_ids_this_run)


def _default_kwarg(p: Param) -> dict[str, Any]:
    name = _DEFAULT_ARG.get(p.widget, "value")
    value = p.options.index(p.default) if name == "index" else list(p.default) if p.many else p.default
    return {name: value}


def draw(key: str, **extra: Any) -> Any:
    """The setting's widget, as its row in PARAMS says (options or range, label, help, caption); its value."""
    p = PARAMS_BY_KEY[key]
    kwargs: dict[str, Any] = {"help": p.help, **bound(key, **_default_kwarg(p)), **extra}
    if p.options:
        kwargs["format_func"] = p.show
        if p.max_items:
            kwargs["max_selections"] = p.max_items
        value = getattr(st, p.widget)(p.label, p.options, **kwargs)
    elif p.range is not None:
        lo, hi = (p.type(b) for b in p.range)
        value = getattr(st, p.widget)(p.label, lo, hi, step=p.step and p.type(p.step), **kwargs)
    else:
        value = getattr(st, p.widget)(p.label, **kwargs)
    if p.note_for(value):
        st.caption(p.note_for(value))
    return value


NUMERIC_RANGES = {p.key: p.range for p in PARAMS if p.range is not None}  # old name, from the table
URL_CHANGES_KEY = "url_changes"  # (the page a link opened, what its values became): worked out once per session
SNAPPED_KEY = "url_snapped"  # values snapped onto a slider's steps, for its widget on the next run


def read_url(page: str) -> bool:
    """Call before any widget. Once per session, work out what the link's values became (URL_CHANGES_KEY); True
    when some were snapped onto a slider's steps: then the page must rerun once (rerun_for_url), because on a
    session's first run Streamlit seeds a bound widget from the URL over any assignment. On that second run
    the snapped values are assigned here, before their widgets."""
    if URL_CHANGES_KEY in st.session_state:
        for key, value in st.session_state.pop(SNAPPED_KEY, {}).items():
            st.session_state[key] = value
        return False
    changes, snapped = [], {}
    for p in PARAMS:
        raw = st.query_params.get_all(p.key)
        change = p.url_change(raw)
        if change:
            changes.append(change)
            if p.range is not None and p.decode(raw) is not None:
                snapped[p.key] = p.decode(raw)
    st.session_state[URL_CHANGES_KEY] = (page, changes)
    if snapped:
        st.session_state[SNAPPED_KEY] = snapped
    return bool(snapped)


def url_changes(page: str) -> str | None:
    """What the link's values became, said on the page it opened (a bad value is never dropped silently)."""
    opened, changes = st.session_state.get(URL_CHANGES_KEY, ("", []))
    if opened != page:
        st.session_state[URL_CHANGES_KEY] = (opened, [])  # said; gone once the student moves on
    if opened != page or not changes:
        return None
    return "Some values in this link could not be used as given: " + "; ".join(md(c) for c in changes) + "."


def parse_param(key: str, raw: list[str]) -> Any:
    """A setting from the URL, for a control that is not drawn; None when absent or invalid (its codec)."""
    return PARAMS_BY_KEY[key].decode(raw)


def current(key: str) -> Any:
    """The value of a setting whose widget is not drawn (yet): session, then URL, then default."""
    if key in st.session_state:
        return st.session_state[key]
    from_url = parse_param(key, st.query_params.get_all(key))
    return PARAMS_BY_KEY[key].default if from_url is None else from_url


def settings() -> Settings:
    """Every setting as it stands now: the widgets drawn so far, the session, the URL, the defaults."""
    return Settings.from_values({p.key: current(p.key) for p in PARAMS})


def shown(key: str, hidden: set[str], **extra: Any) -> Any:
    """The setting's widget, or its current value when presentation mode hides its group."""
    return current(key) if PARAMS_BY_KEY[key].hide in hidden else draw(key, **extra)


def data_controls(hidden: set[str]) -> None:
    """Data set, its size/noise/seed, the test share, and extra input features."""
    if "data" not in hidden:
        st.subheader("Data")
        kind = draw("data")
        if kind in SYNTHETIC:
            draw("n")
            draw("noise")
        elif kind == DRAWN:
            drawing.sidebar_controls()
        left, right = st.columns([3, 2], vertical_alignment="bottom")
        with left:
            draw("seed")
        with right:
            st.button("🎲 New", key="reseed", on_click=_next_seed, help="Draw a new sample (seed + 1).")
        if kind != DRAWN:  # every drawn point trains (drawing.EXPLAIN)
            draw("test")
    shown("feats", hidden)


def class_controls(problem: Problem | None, hidden: set[str], page: str) -> None:
    """For data with more than two classes: all of them (softmax) or one against the rest. The upload page
    draws it beside the label instead."""
    if problem is None or not 2 < problem.dataset.n_classes <= MAX_CLASSES or "data" in hidden or page == "upload":
        return
    draw("classes")


def plot_controls(problem: Problem | None, hidden: set[str]) -> None:
    """For data with more than two features: which two the plots draw (the others are held at their mean)."""
    if problem is None or problem.dataset.n_features <= 2 or "data" in hidden:
        return
    names = list(problem.dataset.feature_names)
    x_name, y_name = problem.plot_names
    x = _feature_choice("plot_x", names, x_name)
    y_options = [n for n in names if n != x]
    _feature_choice("plot_y", y_options, y_name if y_name in y_options else y_options[0])
    st.caption(f"The other {len(names) - 2} features are held at their training mean; faint points lie far "
               "from this slice.")


def _feature_choice(key: str, names: list[str], default: str) -> str:
    """A feature picker bound to the URL; a name this data set does not have falls back to the default."""
    if key in st.session_state and st.session_state[key] not in names:
        del st.session_state[key]  # chosen for another data set
    p = PARAMS_BY_KEY[key]
    return st.selectbox(p.label, names, help=p.help, **bound(key, index=names.index(default)))


def _next_seed() -> None:
    st.session_state["seed"] = PARAMS_BY_KEY["seed"].wrap(int(current("seed")) + 1)


def model_controls(page: Page, hidden: set[str]) -> None:
    """The page's model sections of the sidebar: the network's architecture, the optimiser's settings."""
    network = "network" in page.sidebar
    if network and "model" not in hidden:
        st.subheader("Network")
        layers_control()
        draw("act")
    if page.sidebar and "model" not in hidden:
        weights_seed_control()
    if "optimiser" in page.sidebar and "advanced" not in hidden:
        st.subheader("Optimiser")
        draw("batch")
        draw("l2")
        if network:
            draw("l1")
        if page.kind is not None:  # the pages that train live take an optimizer (the lab compares plain descent)
            opt = draw("opt")
            if opt != "sgd":
                draw("beta")
            if opt == "adam":
                draw("beta2")


def layers_control() -> None:
    """TF Playground's network shape: ＋/− a hidden layer; one layer's units on the slider, several as "6,4"."""
    s = settings()
    shape = s.hidden_layers
    st.markdown(f"**{len(shape)} hidden layer{'s' if len(shape) > 1 else ''}**")
    add, remove = st.columns(2)
    add.button("+ Layer", key="layer_add", on_click=_set_shape, args=((*shape, min(shape[-1], LAYER_UNITS)),),
               disabled=len(shape) >= MAX_HIDDEN_LAYERS, help="Add a hidden layer (as many units as the last).",
               width="stretch")
    remove.button("− Layer", key="layer_remove", on_click=_set_shape, args=(shape[:-1],), disabled=len(shape) <= 1,
                  help="Remove the last hidden layer.", width="stretch")
    if len(shape) == 1 and not s.layers:
        draw("hidden")
        return
    text = draw("layers")
    if parse_layers(text) is None:
        st.warning(f"“{text}” is not a network shape: write the units of each layer, e.g. 6,4 (up to "
                   f"{MAX_HIDDEN_LAYERS} layers of 1–{LAYER_UNITS}). Until then the network has one layer of "
                   f"{s.hidden} units.", icon="✏️")


def _set_shape(widths: tuple[int, ...]) -> None:
    """One layer goes back to the units slider; several are written out for the layers box."""
    if len(widths) == 1:
        st.session_state["hidden"], st.session_state["layers"] = int(widths[0]), ""
    else:
        st.session_state["layers"] = layers_text(min(w, LAYER_UNITS) for w in widths)


def weights_seed_control() -> None:
    """The starting weights' seed, apart from the data's: a new one keeps the points."""
    draw("wseed")
    st.button("🎲 New weights", key="reweigh", on_click=_next_weights, width="stretch",
              help="Keep the points, draw fresh starting weights (weights seed + 1). The run starts again.")


def _next_weights() -> None:
    st.session_state["wseed"] = PARAMS_BY_KEY["wseed"].wrap(int(current("wseed")) + 1)


def lr_control(disabled: bool = False) -> float:
    return draw("lr", disabled=disabled)


def iterations_control() -> int:
    return draw("iters")


def speed_control() -> str:
    return draw("speed")


def log_y_control() -> bool:
    return draw("logy")

"""Sidebar and toolbar widgets. Every setting is bound to the URL and kept for the whole session.

A control group the teacher hid (?hide=...) is not drawn; its value then comes from the URL or the
session, exactly as if the widget were there.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from scratchnet.features import EXTRA_FEATURES
from ui import settings as S


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


def in_fragment_rerun() -> bool:
    """A fragment rerun never opens a page, so its widgets need no re-assignment, and must not get one: an assigned
    value goes to the browser as "set this value", and the live view's fragment reruns in the background while a
    student drags the α slider (which then jumped back, and a change could be lost to the next request)."""
    ctx = get_script_run_ctx()
    return bool(ctx and ctx.fragment_ids_this_run)


def _options(key: str) -> tuple[Any, ...] | None:
    return {
        "data": (*S.SYNTHETIC, *S.SAMPLES, S.UPLOADED),
        "n": S.N_OPTIONS,
        "lr": S.LR_OPTIONS,
        "iters": S.ITERATION_OPTIONS,
        "act": S.ACTIVATIONS,
        "batch": S.BATCH_OPTIONS,
        "l2": S.L2_OPTIONS,
        "speed": S.SPEED_OPTIONS,
    }.get(key)


NUMERIC_RANGES = {"noise": (0.0, 1.0), "test": (0.0, 0.5), "seed": (0, 9999), "hidden": (1, 64)}


def parse_param(key: str, raw: list[str]) -> Any:
    """A setting from the URL, for a control that is not drawn; None when absent or invalid."""
    if not raw:
        return None
    if key == "feats":  # the URL spells features as the control shows them: x1², sin(x1), …
        by_label = {label: name for name, label in EXTRA_FEATURES.items()}
        return [by_label[r] for r in raw if r in by_label]
    if key == "logy":
        return raw[0].lower() == "true"
    options = _options(key)
    if options is not None:
        return next((o for o in options if S.fmt(o) == raw[0]), None)
    if key in NUMERIC_RANGES:
        lo, hi = NUMERIC_RANGES[key]
        try:
            value = type(lo)(float(raw[0]))
        except ValueError:
            return None
        return value if lo <= value <= hi else None
    return None


def current(key: str) -> Any:
    """The value of a setting whose widget is not drawn: session, then URL, then default."""
    if key in st.session_state:
        return st.session_state[key]
    from_url = parse_param(key, st.query_params.get_all(key))
    return S.DEFAULTS[key] if from_url is None else from_url


def data_controls(hidden: set[str], values: dict[str, Any]) -> None:
    """Data set, its size/noise/seed, the test share, and extra input features."""
    if "data" in hidden:
        for key in ("data", "n", "noise", "seed", "test"):
            values[key] = current(key)
    else:
        st.subheader("Data")
        values["data"] = st.selectbox(
            "Data set", _options("data"), **bound("data", index=_options("data").index(S.DEFAULTS["data"])),
        )
        st.caption(S.DATA_LABELS[values["data"]])
        synthetic = values["data"] in S.SYNTHETIC
        if synthetic:
            values["n"] = st.select_slider("Points", S.N_OPTIONS, **bound("n", value=S.DEFAULTS["n"]))
            values["noise"] = st.slider(
                "Noise", 0.0, 1.0, step=0.05, **bound("noise", value=S.DEFAULTS["noise"]),
                help="0 = clean shapes; 1 = classes heavily mixed.",
            )
        else:
            values["n"], values["noise"] = current("n"), current("noise")
        left, right = st.columns([3, 2], vertical_alignment="bottom")
        with left:
            values["seed"] = st.number_input(
                "Seed", 0, 9999, step=1, **bound("seed", value=S.DEFAULTS["seed"]),
                help="Same seed, same points, same split, same starting weights.",
            )
        with right:
            st.button("🎲 New", key="reseed", on_click=_next_seed, help="Draw a new sample (seed + 1).")
        values["test"] = st.slider(
            "Test share", 0.0, 0.5, step=0.05, **bound("test", value=S.DEFAULTS["test"]),
            help="Points held out of training: the model never learns from them, so their loss shows "
            "how well it generalises.",
        )
    if "features" in hidden:
        values["feats"] = current("feats")
    else:
        values["feats"] = st.multiselect(
            "Extra inputs", list(EXTRA_FEATURES), format_func=EXTRA_FEATURES.__getitem__,
            **bound("feats", default=S.DEFAULTS["feats"]),
            help="Feed the model x1², x1·x2, sin(x1)… as well as x1 and x2. Logistic regression with x1² and x2² "
            "can draw a circle. Only for data with two features.",
        )


def _next_seed() -> None:
    st.session_state["seed"] = (int(st.session_state.get("seed", 0)) + 1) % 10000


def model_controls(page: str, hidden: set[str], values: dict[str, Any]) -> None:
    """Architecture (net page) and the advanced optimiser settings, in the sidebar."""
    is_net = page in ("net", "lab")  # the lab trains networks too
    if "model" in hidden or not is_net:
        values["hidden"], values["act"] = current("hidden"), current("act")
    else:
        st.subheader("Network")
        values["hidden"] = st.slider(
            "Hidden units", 1, 64, **bound("hidden", value=S.DEFAULTS["hidden"]),
            help="How many units the hidden layer has: each one adds a bend the boundary can make.",
        )
        values["act"] = st.selectbox(
            "Activation", _options("act"), **bound("act", index=0),
            help="ReLU (as derived): g'(a) is 0 or 1. tanh and sigmoid squash; sigmoid's slope is at most 0.25, "
            "so gradients shrink on the way back.",
        )
        st.caption({"relu": "ReLU: max(0, a) — slope 0 or 1, as derived.",
                    "tanh": "tanh: squashes to (−1, 1); slope at most 1.",
                    "sigmoid": "sigmoid: squashes to (0, 1); slope at most ¼ — gradients vanish."}[values["act"]])
    if "advanced" in hidden or page not in ("net", "logistic", "lab"):
        values["batch"], values["l2"] = current("batch"), current("l2")
    else:
        st.subheader("Optimiser")
        values["batch"] = st.select_slider(
            "Batch size", S.BATCH_OPTIONS, **bound("batch", value=S.DEFAULTS["batch"]),
            help="'full' uses every training point for each step, as derived. A number samples that many per "
            "step (mini-batch SGD): cheaper, noisier steps.",
        )
        st.caption("full = gradient descent as derived; a number = noisier mini-batch steps.")
        values["l2"] = st.select_slider(
            "L2 penalty λ", S.L2_OPTIONS, format_func=S.fmt, **bound("l2", value=S.DEFAULTS["l2"]),
            help="Adds (λ/2)·‖W‖² to the loss, so every step also shrinks the weights: smoother boundaries, "
            "less overfitting. Biases are not penalised.",
        )
        st.caption("λ > 0 pulls every weight towards 0 each step: smoother boundary, less overfitting.")


def lr_control(disabled: bool = False) -> float:
    return st.select_slider(
        "Learning rate α", S.LR_OPTIONS, format_func=S.fmt, **bound("lr", value=S.DEFAULTS["lr"]),
        disabled=disabled,
        help="The step size in θ ← θ − α·∂L/∂θ. Too small: crawls. Too large: overshoots and blows up. "
        "You can change it while the run plays.",
    )


def iterations_control() -> int:
    return st.select_slider(
        "Iterations", S.ITERATION_OPTIONS, **bound("iters", value=S.DEFAULTS["iters"]),
        help="Play stops here. Raise it to keep training from where you are.",
    )


def speed_control() -> str:
    return st.select_slider(
        "Speed", S.SPEED_OPTIONS, **bound("speed", value=S.DEFAULTS["speed"]),
        help="How fast playback runs (1× ≈ 250 iterations a second). Slow it down to watch single steps.",
    )


def log_y_control() -> bool:
    return st.checkbox("Log-scale loss", **bound("logy", value=S.DEFAULTS["logy"]))

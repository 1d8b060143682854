"""The network as TF Playground draws it: layers of nodes, what each node computes over the plane, every weight
and bias by name, the gradient at the weights shown, and one entry edited by hand.

Names, as the gradient chart and the derivation write the tensors: W1[j,i] is the weight from input i to unit j
of layer 1 (rows = units, as W1 (n_1, d) is stored), w2[j] the weight from unit j to the one output of two
classes, b1[j] unit j's bias, b2 the output's bias; with K classes W2[k,j] and b2[k]. Indices count from 0.
Every model kind (logistic and softmax regression, TwoLayerNet, Network of 0–6 layers) is a chain of
(weight, bias) pairs in `param_info`, so one rule names them all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .models import Model, Params

EDIT_LIMIT = 100.0  # |a typed weight| at most: far beyond what training reaches, small enough to stay finite
_NAME = re.compile(r"^\s*([A-Za-z]+\d*)\s*(?:\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\])?\s*$")


@dataclass(frozen=True)
class Layout:
    """What the diagram draws that does not change during a run."""

    sizes: tuple[int, ...]  # nodes per layer: inputs, hidden layers …, outputs (1 for two classes)
    weights: tuple[str, ...]  # the weight tensor into layer l + 1, l = 0 … len(sizes) − 2
    biases: tuple[str, ...]  # the bias tensor of layer l + 1
    offsets: dict[str, int]  # where each tensor starts in θ flattened in the model's parameter order
    n_params: int


def layout(model: Model) -> Layout:
    infos = list(model.param_info)
    weights = tuple(p.name for p in infos if not p.is_bias)
    biases = tuple(p.name for p in infos if p.is_bias)
    sizes = [model.n_features]
    for name in weights:
        w = model.params[name]
        sizes.append(w.shape[0] if w.ndim == 2 else 1)
    offsets, at = {}, 0
    for name, value in model.params.items():
        offsets[name] = at
        at += int(np.size(value))
    return Layout(tuple(sizes), weights, biases, offsets, at)


def flat(params: Params) -> np.ndarray:
    """θ as one vector in the parameters' order (what the diagram's frames carry)."""
    return np.concatenate([np.asarray(v, dtype=np.float64).reshape(-1) for v in params.values()])


def entry_names(model: Model) -> list[str]:
    """Every entry's name, in flat(θ)'s order."""
    out = []
    for name, value in model.params.items():
        v = np.asarray(value)
        if v.ndim == 0:
            out.append(name)
        elif v.ndim == 1:
            out += [f"{name}[{j}]" for j in range(v.shape[0])]
        else:
            out += [f"{name}[{j},{i}]" for j in range(v.shape[0]) for i in range(v.shape[1])]
    return out


def parse_entry(model: Model, name: str) -> tuple[str, tuple[int, ...]]:
    """"W1[2,0]" → ("W1", (2, 0)); a clear ValueError for a tensor the model lacks or an index outside it."""
    m = _NAME.match(str(name))
    if m is None:
        raise ValueError(f"{name!r} is not a weight's name: write it as W1[2,0], w2[3] or b2")
    tensor = m.group(1)
    index = tuple(int(g) for g in m.group(2, 3) if g is not None)
    if tensor not in model.params:
        raise ValueError(f"this model has no {tensor}: its tensors are {', '.join(model.params)}")
    shape = np.shape(model.params[tensor])
    if len(index) != len(shape) or any(not 0 <= k < n for k, n in zip(index, shape, strict=True)):
        spelled = "" if not shape else "[" + ",".join(f"0…{n - 1}" for n in shape) + "]"
        raise ValueError(f"{name} is not an entry of {tensor}: write it as {tensor}{spelled}")
    return tensor, index


def check_value(value: object) -> float:
    """A typed weight as a float, or a ValueError saying what is allowed."""
    try:
        number = float(str(value).strip().replace("−", "-")) if not isinstance(value, int | float) else float(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None
    if not math.isfinite(number) or abs(number) > EDIT_LIMIT:
        raise ValueError(f"a weight must be a number between −{EDIT_LIMIT:g} and {EDIT_LIMIT:g}, not {value}")
    return number


def edited(model: Model, params: Params, name: str, value: object) -> Params:
    """A copy of `params` with entry `name` set to `value` (checked: parse_entry, check_value)."""
    tensor, index = parse_entry(model, name)
    number = check_value(value)
    out = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    out[tensor][index] = number
    return out


def node_values(model: Model, X: np.ndarray) -> list[np.ndarray]:
    """What every node outputs for each row of X (the model's inputs): [X (m, d), h1 (m, n_1), …, ŷ] with ŷ
    (m, 1) = σ(z) for two classes or (m, K) the softmax probabilities. One forward pass."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        z, cache = model.forward(X)
        hidden = [cache[f"h{i}"] for i in range(1, len(layout(model).sizes) - 1)]
        proba = model.proba_from_logits(z)
    return [np.asarray(cache["X"]), *hidden, proba.reshape(len(proba), -1)]


def node_maps(model: Model, points: np.ndarray, shape: tuple[int, int],
              transform: Callable[[np.ndarray], np.ndarray] | None = None) -> list[np.ndarray]:
    """node_values over a plane grid's points, each layer (nodes, *shape)."""
    X = points if transform is None else transform(points)
    return [v.T.reshape(v.shape[1], *shape) for v in node_values(model, X)]


def gradient_now(model: Model, X: np.ndarray, y: np.ndarray) -> Params:
    """∂J/∂θ at the model's weights on the whole training set (J = cross-entropy + penalty, as the records'
    gradients; with mini-batches a step uses a batch's, this is the one they estimate)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return model.gradients(X, y)


# --- a few edits in a link: "W1[2,0]:1;b2:-0.5" (TF Playground's exercise: "set this weight to 1.0") --------
MAX_EDITS = 8


def parse_edits(text: str) -> list[tuple[str, float]]:
    """"W1[2,0]:1;b2:-0.5" → [("W1[2,0]", 1.0), ("b2", -0.5)]; a ValueError saying what is wrong. Names are
    checked for their form only here (which exist depends on the model: parse_entry)."""
    items = [part.strip() for part in str(text).split(";") if part.strip()]
    if len(items) > MAX_EDITS:
        raise ValueError(f"at most {MAX_EDITS} weight edits, not {len(items)}")
    out = []
    for item in items:
        name, sep, value = item.rpartition(":")
        m = _NAME.match(name)
        if not sep or m is None:
            raise ValueError(f"{item!r} is not name:value (e.g. W1[2,0]:1.0)")
        out.append((name.replace(" ", ""), check_value(value)))
    return out


def edits_text(text: str) -> str | None:
    """The tidy spelling of a link's edits ("" for none), or None when they cannot be read."""
    try:
        return ";".join(f"{name}:{value:g}" for name, value in parse_edits(text))
    except ValueError:
        return None


def apply_edits(model: Model, edits: list[tuple[str, float]]) -> Params:
    """The model's θ with each edit applied (edited's checks: an unknown entry is a ValueError)."""
    params = model.get_params()
    for name, value in edits:
        params = edited(model, params, name, value)
    return params

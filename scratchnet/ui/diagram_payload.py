"""The network diagram's part of the live view: what the frame producer adds to a frame when the diagram is on
screen, its encoding, and the two requests it makes (a weight typed while paused, an input switched on or off).

The numbers come from the core (scratchnet.diagram): each node's output over a coarse grid of the plane, θ and
∂J/∂θ at the frame's weights. A frame's node maps travel as one byte grid (all nodes stacked) through
live_payload.encode_grids, like the boundary; θ and ∂J/∂θ as float32, every frame of a message in one base64
blob. Nothing is sent while the diagram is switched off.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scratchnet import Problem
from scratchnet import diagram as D
from scratchnet.features import EXTRA_FEATURES, expand_features, expanded_names
from scratchnet.ui import live_payload as P

RESOLUTION = 16  # cells per side of a node's map (TF Playground: 10); drawn smoothed, ~40–70 px on screen
WG_ENCODING = "f32-theta-grad"


def _signed_bytes(values: np.ndarray) -> np.ndarray:
    """Each map (first axis) divided by its largest |value| → bytes: 0 = −peak, 128 ≈ 0, 255 = +peak."""
    v = np.where(np.isfinite(values), values, 0.0)
    peak = np.max(np.abs(v.reshape(len(v), -1)), axis=1) if v.size else np.zeros(0)
    scaled = v / np.where(peak > 0, peak, 1.0)[:, None, None]
    return P.quantise((scaled + 1.0) / 2.0)[0]


@dataclass
class DiagramFrames:
    """The diagram's parts of the frames `produce` drew: node maps as bytes, [θ, ∂J/∂θ] per frame."""

    maps: list[np.ndarray] = field(default_factory=list)
    theta_grad: list[np.ndarray] = field(default_factory=list)
    at: list[int] = field(default_factory=list)  # the frames that have them (every `every`-th, and the last)

    def encoded(self) -> dict[str, Any] | None:
        if not self.maps:
            return None
        with np.errstate(over="ignore"):  # a run blowing up: beyond float32 is ±inf, shown as "—"
            wg = np.stack(self.theta_grad).astype(np.float32)
        return {"maps": P.encode_grids(self.maps), "at": self.at, "enc": WG_ENCODING, "n": len(wg),
                "p": wg.shape[1] // 2, "wg": base64.b64encode(wg.tobytes()).decode("ascii")}


class Diagram:
    """The diagram over one problem's plane: its coarse grid, and whether it is on screen (frames carry it)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.grid = problem.plane_grid(RESOLUTION)
        self.on = False
        self.every = 1  # frames drawn per diagram frame: the diagram redraws at most ~30 times a second (diagram.js)

    def draw(self, model: Any, out: DiagramFrames, index: int) -> None:
        """Add frame `index`'s part: every node but the inputs over the grid, θ and ∂J/∂θ (whole training set)."""
        pb = self.problem
        layers = D.node_maps(model, self.grid.points, self.grid.shape, pb.transform)[1:]
        hidden, output = layers[:-1], layers[-1]
        maps = [_signed_bytes(h) for h in hidden] + [P.quantise(output)[0]]
        out.maps.append(np.concatenate(maps).reshape(-1, RESOLUTION))
        grads = D.gradient_now(model, pb.X_train, pb.y_train)
        out.theta_grad.append(np.concatenate([D.flat(model.params), D.flat(grads)]))
        out.at.append(index)

    def meta(self, model: Any) -> dict[str, Any]:
        """What stays for the run: the layers, the tensors' names and offsets, each entry's name, the input
        nodes (each extra input, on or off, with its map; x1 and x2 always on)."""
        pb, lay = self.problem, D.layout(model)
        toggles = pb.dataset.n_features == 2  # extra inputs exist only for two features
        keys = tuple(EXTRA_FEATURES) if toggles else ()
        X = self.grid.points if not keys else expand_features(self.grid.points, keys)
        names = (expanded_names(pb.dataset.feature_names, keys) if keys else list(pb.input_names))
        inputs, k = [], 0  # the model's inputs in order; an extra that is off is drawn faded, unconnected
        for col, name in enumerate(names):
            key = keys[col - 2] if keys and col >= 2 else None
            on = key is None or key in pb.extras
            inputs.append({"name": P.figures.short_labels([name], 14)[0], "full": name, "key": key, "on": on,
                           "node": k if on else None})
            k += on
        input_maps = _signed_bytes(X.T.reshape(X.shape[1], *self.grid.shape))
        return {
            "sizes": list(lay.sizes), "weights": list(lay.weights), "biases": list(lay.biases),
            "offsets": lay.offsets, "shapes": {n: list(np.shape(v)) for n, v in model.params.items()},
            "names": D.entry_names(model), "inputs": inputs, "res": RESOLUTION,
            "input_maps": P.encode_grids([input_maps.reshape(-1, RESOLUTION)]),
            "activation": getattr(getattr(model, "activation", None), "name", None),
            "limit": D.EDIT_LIMIT,
        }


def decode_theta_grad(encoded: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The inverse of DiagramFrames.encoded's θ and ∂J/∂θ: two (n, p) float32 arrays (what diagram.js reads)."""
    raw = np.frombuffer(base64.b64decode(encoded["wg"]), dtype=np.float32).reshape(encoded["n"], 2, encoded["p"])
    return raw[:, 0], raw[:, 1]


# --- the diagram's requests -----------------------------------------------------------------------------------
def edit_answer(live: Any, cmd: dict[str, Any], s: Any) -> dict[str, Any]:
    """{"op": "edit", "name": "W1[2,0]", "value": 1.0} on a LiveRun: while paused (or before the first Play, or
    finished, or diverged), the run takes θ with that entry set (TrainingRun.edit) at the frame on screen, and
    the answer is that frame drawn anew (boundary, status, diagram). Anything else changes nothing and says why
    in the view's notice."""
    req = cmd.get("req", 0)
    run = live.run
    if live.playing:
        live.notice = "Pause first: weights can be typed in only while the run is paused."
        return live.snapshot(s, ack=req)
    shown = cmd.get("shown")
    if shown is not None and shown != run.iteration and not live._seek(shown):
        live.notice = "That frame is gone: the weight was not changed. Try again."
        return live.snapshot(s, ack=req)
    name, value = cmd.get("name"), cmd.get("value")
    try:
        if value is None:
            raise ValueError(f"a weight must be a number between −{D.EDIT_LIMIT:g} and {D.EDIT_LIMIT:g}")
        params = D.edited(run.model, run.model.params, str(name), value)
    except ValueError as err:
        live.notice = f"Not changed: {err}."
        return live.snapshot(s, ack=req)
    run.edit(params)
    live.store = {run.iteration: run.model.get_params()}
    live.now = live.preroll = None
    live.notice = ""
    live.state = "paused"
    live._settle(s.iters)  # a diverged run edited goes on from the typed weights
    return live.snapshot(s, ack=req)


def input_toggle(live: Any, cmd: dict[str, Any], extras: tuple[str, ...]) -> tuple[str, ...] | None:
    """{"op": "input", "feat": "x1sq"}: the extra inputs with that one switched (the settings' `feats`), or None
    for a request that names none. The request counts as answered (the page's next run acks it)."""
    live.last_req = max(live.last_req, cmd.get("req", 0))
    live.mount = cmd.get("mount", live.mount)
    key = cmd.get("feat")
    if key not in EXTRA_FEATURES:
        return None
    on = set(extras) ^ {key}
    return tuple(k for k in EXTRA_FEATURES if k in on)


DIAGRAM_RATE = 30.0  # diagram frames a second at most: what diagram.js draws while playing (NET_MIN_MS)


def show(live: Any, on: bool, fps: float) -> None:
    """The diagram on screen or not (the `diagram` setting): frames drawn from now on carry it or not; at `fps`
    frames a second, every ⌈fps / 30⌉-th frame does (and the last of each message, where a Pause may stop)."""
    diagram = live.plane.diagram
    diagram.every = max(1, math.ceil(fps / DIAGRAM_RATE - 1e-9))
    if diagram.on != on:
        diagram.on = on
        live.now = live.preroll = None

"""Driving the live component from AppTest the way its JavaScript does: read the payloads it receives, and send
its requests (Play, Pause, Step, Reset, "more frames") as trigger values on the component's event widget."""

from __future__ import annotations

import base64
import itertools
import json
import re
import types
from collections.abc import Callable
from typing import Any

import numpy as np
from streamlit.testing.v1 import AppTest

from scratchnet.ui import live_engine, live_frames
from scratchnet.ui.live_payload import decode_grids

MAIN = "sn_live_"
UNITS = "sn_units_"
_VIEWS = itertools.count(1)


def components(at: AppTest, kind: str = MAIN) -> list[Any]:
    return [c for c in at.get("bidi_component") if c.proto.id.split("-")[-1].startswith(kind)]


def payload(at: AppTest, kind: str = MAIN) -> dict[str, Any]:
    """The JSON the live component received in the last run."""
    found = components(at, kind)
    assert len(found) == 1, f"expected one {kind}* component, found {len(found)}"
    return json.loads(found[0].proto.json)


def status(at: AppTest) -> str:
    return payload(at)["status"]


def iteration(at: AppTest) -> int:
    return int(re.search(r"Iteration ([\d,]+)", status(at)).group(1).replace(",", ""))


def grids(p: dict[str, Any]) -> np.ndarray:
    return decode_grids(p["grids"]).astype(np.float64) / 255.0


def split_regions(grids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """decode_grids' (n, 2h, w) K-class grids → (winning class (n, h, w), probability (n, h, w) in [0, 1]):
    what regions.js reads."""
    h = grids.shape[1] // 2
    return grids[:, :h], grids[:, h:].astype(np.float64) / 255.0


def point_alphas(meta: dict[str, Any]) -> np.ndarray | None:
    """The points' opacities as the browser reads them from plane_meta (None: every point opaque)."""
    data = meta["points"].get("alpha")
    return None if data is None else np.frombuffer(base64.b64decode(data), dtype=np.uint8) / 255.0


def regions(p: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """K ≥ 3 classes: each frame's (winning class, its probability) as regions.js reads them."""
    return split_regions(decode_grids(p["grids"]))


class Browser:
    """One browser view of the live component: numbers its requests and remembers the frame 'on screen'."""

    def __init__(self, at: AppTest, mount: str | None = None) -> None:
        self.at, self.mount, self.req = at, mount or f"view-{next(_VIEWS)}", 0  # each view numbers from 1
        p = payload(at)
        self.epoch = p["epoch"]
        self.shown = p["frames"][-1]["it"] if p.get("frames") else p["it"]
        self.buffered = self.shown
        self.splice: str | None = None  # frames sent after an α change that it plays: said with each request
        self.splice_req = 0

    def sync(self) -> None:
        """Take in the payload of a run the browser did not ask for (a slider, a new run), as live.js does."""
        p = payload(self.at)
        if p["epoch"] > self.epoch:
            self.epoch = p["epoch"]
            if p.get("splice"):
                self._splice(p["splice"])
            elif p["hold"]:  # α or the limit changed mid-run: stay on the frame on screen, ask from there
                self.buffered = self.shown
            elif p.get("frames"):  # a new run
                self.shown = self.buffered = p["frames"][-1]["it"]

    def _splice(self, sp: dict[str, Any]) -> None:
        """Frames with a new α from frame `base` on: played on into if not past it yet; else hold and ask again."""
        if self.shown <= sp["base"] <= self.buffered:
            self.buffered, self.splice, self.splice_req = sp["frames"][-1]["it"], sp["key"], 0
        else:
            self.buffered = self.shown

    def send(self, op: str, **fields: Any) -> dict[str, Any]:
        """Send one request (as the component's setTriggerValue does) and return the payload it got back."""
        self.sync()
        self.req += 1
        cmd = {"op": op, "req": self.req, "mount": self.mount, "epoch": self.epoch, "shown": self.shown, **fields}
        if self.splice:
            cmd["splice"] = self.splice
            self.splice_req = self.splice_req or self.req
        return self.resend(cmd)

    def resend(self, cmd: dict[str, Any]) -> dict[str, Any]:
        trigger(self.at, cmd)
        p = payload(self.at)
        if self.splice_req and p["ack"] >= self.splice_req:
            self.splice, self.splice_req = None, 0
        if p.get("splice") and p["epoch"] > self.epoch:
            self.epoch = p["epoch"]
            self._splice(p["splice"])
            return p
        self.epoch = max(self.epoch, p["epoch"])
        if p.get("frames"):
            self.buffered = p["frames"][-1]["it"]
            if p.get("base", 0) < 0 or op_settles(cmd["op"]):
                self.shown = self.buffered
        return p

    def play(self, preroll: dict[str, Any] | None = None) -> dict[str, Any]:
        """Play; with `preroll` (a paused payload's first frames of Play) as live.js does when it has one."""
        if preroll is None:
            return self.send("play")
        return self.send("play", preroll=preroll["key"])

    def need(self, show_all: bool = True, **fields: Any) -> dict[str, Any]:
        """Ask for the frames after the last one buffered (having shown them all, by default)."""
        self.sync()
        if show_all:
            self.shown = self.buffered
        return self.send("need", next=self.buffered, **{"want": 1.5, **fields})  # a browser in full flow

    def pause(self, at_iteration: int | None = None) -> dict[str, Any]:
        if at_iteration is not None:
            self.shown = at_iteration
        return self.send("pause")

    def step(self) -> dict[str, Any]:
        return self.send("step")

    def reset(self) -> dict[str, Any]:
        return self.send("reset")

    def play_to_end(self, max_messages: int = 400) -> list[dict[str, Any]]:
        """Play and keep asking for frames until the run ends; the browser then says it showed the last one."""
        out = [self.play()]
        for _ in range(max_messages):
            last = out[-1]
            if last.get("end") or last["state"] != "playing":
                break
            out.append(self.need())
        else:
            raise AssertionError("the run did not end")
        if out[-1].get("end"):
            self.shown = out[-1]["end"]["it"]
            out.append(self.send("done"))
        return out


def trigger(at: AppTest, cmd: dict[str, Any]) -> None:
    """Run the page with `cmd` as the component's "cmd" trigger value (what setTriggerValue sends)."""
    element = components(at)[0]
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = f"$$STREAMLIT_INTERNAL_KEY_{element.proto.id}__events"
    state.json_trigger_value = json.dumps([{"event": "cmd", "value": cmd}])
    at._run(states)


def op_settles(op: str) -> bool:
    """Answers to these put the frame they carry on screen at once (no playback)."""
    return op in ("step", "reset", "pause", "done")


def set_engine_clock(monkeypatch: Any, perf_counter: Callable[[], float], monotonic: Callable[[], float]) -> None:
    """The clock the live engine reads (ui.live_engine and ui.live_frames): perf_counter for its frame budgets,
    monotonic for where a browser is by now."""
    clock = types.SimpleNamespace(perf_counter=perf_counter, monotonic=monotonic)
    for module in (live_engine, live_frames):
        monkeypatch.setattr(module, "time", clock)

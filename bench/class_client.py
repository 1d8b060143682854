"""One virtual student for bench/bench_class.py: a browser tab on the Neural network page, without a browser.

It speaks Streamlit's websocket protocol (streamlit 1.67's frontend, read from its bundle) with the protobufs that
ship in the `streamlit` package and the `websockets` client Streamlit itself depends on:
  1. GET the page (HAProxy answers with its SN_REPLICA affinity cookie), GET /_stcore/health (Streamlit sets the
     `_streamlit_xsrf` cookie), GET /_stcore/host-config;
  2. open ws://HOST/_stcore/stream with subprotocols ["streamlit", <xsrf cookie>] and those cookies;
  3. BackMsg.rerun_script(ClientState(page_name, query_string, context_info)) runs the page; later reruns name the
     page by the `navigation` message's page_script_hash, as the browser does; the browser's ForwardMsg cache is
     kept (cacheable messages, their hashes sent back, `ref_hash` answers resolved, entries expiring);
  4. the live view is one st.components.v2 component (scratchnet/ui/live.py): its payload is the JSON of
     `delta.new_element.bidi_component` (see `read_frames`). Its requests are what live.js's `setTriggerValue('cmd',
     cmd)` makes of them in the frontend (WidgetStateManager.setTriggerValue): a rerun of the component's fragment
     (`fragment_id` of its delta) whose widget_states hold the component's event widget
     "$$STREAMLIT_INTERNAL_KEY_<element id>__events" with json_trigger_value = [{"event": "cmd", "value": cmd}];
  5. `LiveView` is live.js's state machine (loader.js's "hello", Play, "need" with `want`/`next`, "done", the ack /
     resend rules) with its playback clock in wall time: frames are shown at the payload's rate (view.fps × stride
     iterations per second), more are asked for when under `low_water_s` of playback is left (the protocol's
     constants come with the view's code in the mount payload: scratchnet/ui/live_payload.PROTOCOL).
Widget values other than the trigger are not echoed back (the browser sends them all): the server keeps them in
the session and the URL binds them, so the run is the same; the BackMsgs are a little smaller than a browser's.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import json
import secrets
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

PAGE = "Neural_network"
LIVE_KEY = "sn_live_"  # ui.live.component_key(page): the live view's component key
CHANNEL_KEY = "sn_panel_"  # ui.live.panel_channel_key(page): Play, Pause, Step, Reset and "done" go through it
OPEN_TIMEOUT_S = 120.0
XSRF_COOKIE, AFFINITY_COOKIE = "_streamlit_xsrf", "SN_REPLICA"
FINISHED = ForwardMsg.ScriptFinishedStatus
FRAME_S = 1 / 60  # the browser looks at its clock once per screen refresh (requestAnimationFrame)


# --- the live view's payloads: the one place that knows what the component receives ----------------------------
@dataclass(frozen=True)
class Reading:
    element_id: str  # the component's element id ("$$ID-…-sn_live_net")
    fragment_id: str  # the fragment it was drawn in: its requests rerun that fragment
    payload: dict[str, Any]
    frames: list[int]  # the iteration of each frame the payload carries


def read_frames(msg: ForwardMsg) -> Reading | None:
    """The live component's payload in one ForwardMsg (a `bidi_component` element keyed sn_live_*, JSON data), or
    None for anything else (other elements, other components, data that is not a JSON object)."""
    if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return None
    element = msg.delta.new_element
    if element.WhichOneof("type") != "bidi_component":
        return None
    bc = element.bidi_component
    if not bc.id.split("-")[-1].startswith(LIVE_KEY) or bc.WhichOneof("data") != "json":
        return None
    try:
        payload = json.loads(bc.json)
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    frames = payload.get("frames")
    its = [int(f["it"]) for f in frames if isinstance(f, dict) and isinstance(f.get("it"), int | float)] \
        if isinstance(frames, list) else []
    return Reading(bc.id, msg.delta.fragment_id, payload, its)


def trigger_widget_id(element_id: str) -> str:
    """The component's event widget (streamlit/components/v2/bidi_component/main.py: _make_trigger_id(id, "events"))."""
    return f"{STREAMLIT_INTERNAL_KEY_PREFIX}_{element_id}__events"


# --- live.js on the protocol ---------------------------------------------------------------------------------------
class LiveView:
    """live.js's view state: the buffered frames (frames[cur] on screen), the request in flight and the one queued,
    and the playback clock, advanced in wall time. `shown_at` records (iteration, time) of every frame put on
    screen while playing, at the moment the browser's clock reached it."""

    def __init__(self) -> None:
        self.mount = secrets.token_hex(5)
        self.req, self.seq, self.epoch = 0, 0, -1
        self.pending: dict[str, Any] | None = None
        self.pending_t = 0.0
        self.queued: dict[str, Any] | None = None
        self.mode: str | None = None
        self.frames: list[int] = []
        self.cur = -1
        self.clock, self.clock_t = 0.0, 0.0
        self.rate = 250.0  # iterations per second of playback (view.fps × view.stride)
        self.end: dict[str, Any] | None = None
        self.shown_at: list[tuple[int, float]] = []
        self.protocol: dict[str, float] = {}  # the mount payload's (live.js reads it from there too)

    def shown(self) -> int:
        return self.frames[self.cur] if self.cur >= 0 else 0

    def _show(self, k: int) -> None:
        if k < 0:
            return
        if k > 0:
            del self.frames[:k]
        self.cur = 0

    def _drop_ahead(self) -> None:
        if self.cur >= 0:
            del self.frames[self.cur + 1:]
        self.end = None

    def command(self, op: str, **extra: Any) -> None:
        if op == "need" and self.queued:
            return
        self.queued = {"op": op, **extra}

    def play(self, now: float) -> bool:
        if self.mode not in ("idle", "paused"):
            return False
        self.mode = "playing"
        self._drop_ahead()
        self.clock, self.clock_t = float(self.shown()), now
        self.command("play")
        return True

    def flush(self, now: float) -> dict[str, Any] | None:
        """The request to send now, if any: the queued one once nothing is in flight, or the one in flight again
        after the protocol's ack_timeout_s."""
        if self.pending is not None:
            if now - self.pending_t < self.protocol["ack_timeout_s"]:
                return None
            self.pending_t = now
            return self.pending
        if self.queued is None:
            return None
        cmd, self.queued = self.queued, None
        self.req += 1
        cmd.update(req=self.req, mount=self.mount, epoch=self.epoch, shown=self.shown())
        if cmd["op"] == "need":
            cmd["next"] = self.frames[-1] if self.frames else cmd["shown"]
        self.pending, self.pending_t = cmd, now
        return cmd

    def receive(self, p: dict[str, Any], frames: list[int], now: float) -> None:
        """live.js `receive`, for one payload."""
        if not (isinstance(p.get("seq"), int) and p["seq"] > self.seq):
            return
        self.advance(now)  # the clock ran until this message came
        self.seq = p["seq"]
        first, new_epoch = self.mode is None, p["epoch"] > self.epoch
        if self.pending is not None and p.get("ack", 0) >= self.pending["req"]:
            self.pending = None
        if p["epoch"] < self.epoch:
            return
        settled = self.pending is None and self.queued is None
        view = p.get("view") or {}
        if view.get("fps") and view.get("stride"):
            self.rate = float(view["fps"]) * float(view["stride"])
        self.epoch = p["epoch"]
        has_frames = p.get("frames") is not None
        if p.get("hold") and new_epoch and self.mode == "playing":
            self._drop_ahead()
            self.clock, self.clock_t = float(self.shown()), now
            self.queued = None
            self.command("need", want=self.protocol["first_chunk_s"])
        elif has_frames and p.get("full"):
            if first or (settled and (self.mode != "playing" or (new_epoch and not p.get("hold")))):
                self.frames = list(frames)
                self._show(len(frames) - 1)
        elif has_frames:
            base = p.get("base", -1)
            if self.mode == "playing" and (settled or p["state"] == "playing"):
                self.frames = [f for f in self.frames if f <= base] + list(frames)
                self.cur = min(self.cur, len(self.frames) - 1)
            elif settled:
                kept = [f for f in self.frames[:self.cur + 1] if f <= base] + list(frames)
                if kept:
                    self.frames = kept
                    self._show(len(kept) - 1)
            else:
                self._drop_ahead()
        if p.get("end") and self.mode == "playing":
            self.end = p["end"]
        if (settled or first) and (p["state"] != "playing" or self.mode != "playing"):
            if p["state"] == "playing":
                self.clock, self.clock_t = float(self.shown()), now
            self.mode = p["state"]
        self.advance(now)

    def advance(self, now: float) -> None:
        """live.js `tick`, in continuous time: the clock runs at `rate` up to the last frame buffered (a dry buffer
        stalls it); each frame it passes is shown when the clock reached it."""
        if self.mode != "playing" or self.cur < 0:
            return
        last = self.frames[-1]
        t0, c0 = self.clock_t, self.clock
        self.clock, self.clock_t = min(c0 + max(0.0, now - t0) * self.rate, float(last)), now
        k = self.cur
        while k + 1 < len(self.frames) and self.frames[k + 1] <= self.clock:
            k += 1
            self.shown_at.append((self.frames[k], t0 + max(0.0, self.frames[k] - c0) / self.rate))
        if k != self.cur:
            self._show(k)
        if self.end and self.shown() >= self.end["it"]:
            self.mode, self.end = self.end["state"], None
            self.command("done")
        elif (not self.end and self.pending is None and self.queued is None
              and self.ahead() < self.protocol["low_water_s"]):
            self.command("need", want=min(self.protocol["want_max_s"], 0.3 + 6 * self.ahead()))

    def ahead(self) -> float:
        """Seconds of playback buffered past the clock."""
        return max(0.0, (self.frames[-1] - self.clock) / self.rate) if self.frames else 0.0

    def next_wake(self, now: float) -> float | None:
        """When the browser's clock next matters: the buffer under low water, the end reached, a resend due."""
        times = []
        if self.pending is not None:
            times.append(self.pending_t + self.protocol["ack_timeout_s"])
        if self.mode == "playing" and self.cur >= 0 and self.pending is None and self.queued is None:
            if self.end:
                times.append(now + max(0.0, self.end["it"] - self.clock) / self.rate)
            else:
                times.append(now + max(0.0, self.ahead() - self.protocol["low_water_s"]))
        return max(now + FRAME_S, min(times)) if times else None  # at most once per screen refresh


# --- one student ----------------------------------------------------------------------------------------------
class MessageCache:
    """The browser's ForwardMsg cache: cacheable messages by hash, their hashes sent back with every rerun so the
    server answers with a `ref_hash` instead of the element; an entry expires `max_age` script runs after its last
    use (a fragment run only ages the entries of its fragments)."""

    def __init__(self) -> None:
        self.messages: dict[str, tuple[ForwardMsg, int, str]] = {}  # hash -> (msg, last run count, fragment id)
        self.runs = 0

    def remember(self, msg: ForwardMsg) -> None:
        if msg.metadata.cacheable and msg.hash and msg.hash not in self.messages:
            copy = ForwardMsg()
            copy.CopyFrom(msg)
            self.messages[msg.hash] = (copy, self.runs, msg.delta.fragment_id)

    def resolve(self, ref: ForwardMsg) -> ForwardMsg | None:
        hit = self.messages.get(ref.ref_hash)
        if hit is None:
            return None
        self.messages[ref.ref_hash] = (hit[0], self.runs, hit[2])
        return hit[0]

    def script_finished(self, max_age: int, fragment_ids: list[str]) -> None:
        self.runs += 1
        for h, (_, used, fragment) in list(self.messages.items()):
            if fragment_ids and (not fragment or fragment not in fragment_ids):
                continue
            if self.runs - used > max_age:
                del self.messages[h]

    def hashes(self) -> list[str]:
        return list(self.messages)


@dataclass
class StudentResult:
    replica: str | None = None
    open_s: float | None = None  # GET → page drawn (first script run finished, live view mounted)
    first_frame_s: float | None = None  # Play → first frame past the iteration shown at Play on screen
    finish_s: float | None = None  # Play → the last frame on screen ("finished")
    intervals: list[float] = field(default_factory=list)  # between frames shown (the browser's playback)
    msg_intervals: list[float] = field(default_factory=list)  # between payloads carrying frames
    frames: int = 0  # frames shown after Play
    messages: int = 0  # live payloads received after Play
    last_iteration: int | None = None
    bytes: int = 0  # websocket payload received from Play to finished
    errors: list[str] = field(default_factory=list)


class Student:
    def __init__(self, base: str, query: str = "") -> None:
        self.base, self.query = base, query
        self.page = PAGE  # the page opened first (a class member opens the Class page)
        self.result = StudentResult()
        self.ws: ClientConnection | None = None
        self.cookies: dict[str, str] = {}
        self.page_hash = ""
        self.max_age = 2
        self.cache = MessageCache()
        self.view = LiveView()
        self.element_id = ""
        self.fragment_id = ""
        self.channel: tuple[str, str] | None = None  # the panel's channel element: (element id, its fragment)
        self.loaded = False  # loader.js has the view's module (a payload with "code" came)
        self.hello = False  # loader.js asks for the module ("hello")
        self.got_new_session = False
        self.page_done = False
        self.ready = asyncio.Event()
        self.done = asyncio.Event()
        self.kick = asyncio.Event()
        self.t_play: float | None = None
        self.it_at_play = 0
        self.last_msg_t: float | None = None
        self.counting = False
        self._tasks: list[asyncio.Task] = []
        self._send_lock = asyncio.Lock()

    # the HTTP part of opening a page, as the browser does before its websocket
    def _http(self) -> None:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for path in (f"/{self.page}" + (f"?{self.query}" if self.query else ""), "/_stcore/health",
                     "/_stcore/host-config"):
            with opener.open(self.base + path, timeout=30) as r:
                r.read()
        self.cookies = {c.name: c.value for c in jar}

    async def open(self) -> None:
        t0 = time.perf_counter()
        await asyncio.to_thread(self._http)
        self.result.replica = self.cookies.get(AFFINITY_COOKIE)
        await self._connect()
        await asyncio.wait_for(self.ready.wait(), OPEN_TIMEOUT_S)
        self.result.open_s = time.perf_counter() - t0

    async def _connect(self) -> None:
        """The websocket, the reading and clock tasks, and the first script run (after _http)."""
        xsrf = self.cookies.get(XSRF_COOKIE, "PLACEHOLDER_AUTH_TOKEN")
        ws_url = "ws" + self.base.removeprefix("http") + "/_stcore/stream"
        self.ws = await connect(
            ws_url, subprotocols=["streamlit", xsrf], max_size=2**26, open_timeout=30, ping_interval=None,
            additional_headers={"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                                "Origin": self.base},
        )
        self._tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._loop())]
        await self._rerun()

    async def _rerun(self, cmd: dict[str, Any] | None = None, *, fragment_id: str = "", auto: bool = False,
                     widgets: tuple[Any, ...] = (), copies: int = 1, more: list[Any] | None = None) -> None:
        """A script run as the browser asks for it: the page, or one fragment (`fragment_id`; `auto`: its
        run_every timer), with a live-view command or other widgets' states (WidgetState messages). `copies` > 1
        puts that many copies of the command's trigger event in the one message and `more` other values after them
        (what a forged message can do: tests/test_live_hostile.py)."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        if self.page_hash:
            cs.page_script_hash = self.page_hash
        else:
            cs.page_name = self.page
        cs.cached_message_hashes.extend(self.cache.hashes())
        cs.fragment_id, cs.is_auto_rerun = fragment_id, auto
        cs.widget_states.widgets.extend(widgets)
        if cmd is not None:  # setTriggerValue('cmd', cmd): a rerun of the component's fragment
            # frames from the view (its own fragment); anything else through the panel's channel (channel.js)
            element_id, fragment_id = ((self.element_id, self.fragment_id) if cmd.get("op") == "need"
                                       or not self.channel else self.channel)
            cs.fragment_id = fragment_id
            w = cs.widget_states.widgets.add()
            w.id = trigger_widget_id(element_id)
            events = [{"event": "cmd", "value": c} for c in [cmd] * copies + (more or [])]
            w.json_trigger_value = json.dumps(events)
        ci = cs.context_info
        ci.timezone, ci.timezone_offset, ci.locale = "UTC", 0, "en-US"
        ci.url, ci.is_embedded, ci.color_scheme = f"{self.base}/{self.page}", False, "light"
        self.got_new_session = False
        assert self.ws is not None
        async with self._send_lock:
            await self.ws.send(msg.SerializeToString())

    async def press_play(self) -> None:
        now = time.perf_counter()
        it = self.view.shown()
        if not self.view.play(now):
            self.result.errors.append(f"Play not possible (view {self.view.mode!r})")
            self.done.set()
            return
        self.t_play, self.it_at_play, self.counting = now, it, True
        self.kick.set()

    # --- the browser's clock: sends what live.js would send, when it would
    async def _loop(self) -> None:
        try:
            while not self.done.is_set():
                self.kick.clear()
                now = time.perf_counter()
                if self.hello:
                    self.hello = False
                    await self._rerun({"op": "hello"})
                if self.loaded:
                    self.view.advance(now)
                    self._check_finished()
                    cmd = self.view.flush(now)
                    if cmd is not None:
                        await self._rerun(cmd)
                    if self.result.finish_s is not None and self.view.pending is None and self.view.queued is None:
                        self.done.set()  # the server has the browser's "done" too
                        break
                wake = self.view.next_wake(time.perf_counter()) if self.loaded else None
                timeout = None if wake is None else max(0.0, wake - time.perf_counter())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.kick.wait(), timeout)
        except ConnectionClosed as err:
            if not self.done.is_set():
                self.result.errors.append(f"websocket closed: {err}")
            self.done.set()

    def _check_finished(self) -> None:
        if not self.counting or self.view.mode not in ("finished", "diverged"):
            return
        assert self.t_play is not None
        self._count_frames()
        shown = [t for _, t in self.view.shown_at]
        end_t = shown[-1] if shown else time.perf_counter()
        self.result.finish_s = end_t - self.t_play
        self.result.last_iteration = self.view.shown()
        self.counting = False

    def _count_frames(self) -> None:
        """Frames shown after Play (from the view's clock), their intervals."""
        assert self.t_play is not None
        times = [t for it, t in self.view.shown_at if it > self.it_at_play]
        r = self.result
        r.frames = len(times)
        r.first_frame_s = times[0] - self.t_play if times else None
        r.intervals = [b - a for a, b in zip(times, times[1:], strict=False)]

    # --- reading
    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for data in self.ws:
                now = time.perf_counter()
                if self.counting:
                    self.result.bytes += len(data)
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg, now)
                self.kick.set()
        except ConnectionClosed as err:
            if not self.done.is_set():
                self.result.errors.append(f"websocket closed: {err}")
        except Exception as err:  # noqa: BLE001 — a bench reports, it does not crash the class
            self.result.errors.append(f"client error: {err!r}")
        finally:
            self.done.set()
            self.ready.set()
            self.kick.set()

    def _handle(self, msg: ForwardMsg, now: float) -> None:
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self.cache.resolve(msg)
            if cached is None:
                self.result.errors.append(f"cache miss for {msg.ref_hash}")
                return
            msg, kind = cached, cached.WhichOneof("type")
        else:
            self.cache.remember(msg)
        if kind == "new_session":
            self.got_new_session = True
            self.max_age = msg.new_session.config.max_cached_message_age or self.max_age
        elif kind == "delta":
            self._element(msg, now)
        elif kind == "navigation":  # the page being shown: later reruns name it by this hash, as the browser does
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "script_finished":
            status = msg.script_finished
            if status == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                self.result.errors.append("script compile error")
            if status != FINISHED.FINISHED_EARLY_FOR_RERUN and self.got_new_session:
                self.cache.script_finished(self.max_age, list(msg.metadata.run.fragment_ids))
            if status == FINISHED.FINISHED_SUCCESSFULLY and not msg.metadata.run.fragment_ids:
                self.page_done = True
            if self.page_done and self.view.mode is not None:
                self.ready.set()

    def _element(self, msg: ForwardMsg, now: float) -> None:
        if msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.result.errors.append(f"exception: {element.exception.message[:200]}")
        elif kind == "alert" and element.alert.format == element.alert.ERROR:
            self.result.errors.append(f"error message: {element.alert.body[:200]}")
        if kind == "bidi_component" and element.bidi_component.id.split("-")[-1].startswith(CHANNEL_KEY):
            self.channel = (element.bidi_component.id, msg.delta.fragment_id)
        reading = read_frames(msg)
        if reading is None:
            return
        self.element_id, self.fragment_id = reading.element_id, reading.fragment_id
        if not self.loaded:  # loader.js: the module comes in a payload with "code"; without it, say hello
            if "code" not in reading.payload:
                self.hello = True
                return
            self.loaded = True
            self.view.protocol = reading.payload["code"]["protocol"]
        if self.counting:
            self.result.messages += 1
            if reading.frames:
                if self.last_msg_t is not None:
                    self.result.msg_intervals.append(now - self.last_msg_t)
                self.last_msg_t = now
        self.view.receive(reading.payload, reading.frames, now)

    async def close(self) -> None:
        if self.counting and self.t_play is not None:
            self._count_frames()  # an unfinished run still reports what it showed
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task

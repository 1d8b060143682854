"""A lesson for bench/bench_class.py (--lesson): N protocol students join a class, receive a pushed setup, play,
and report, while a protocol board watches; the same N students without a class play the same run for comparison.

    python -m bench.bench_class --lesson --students 30 --replicas 2

Measured (no browsers; each student speaks Streamlit's websocket protocol, bench/class_client.py):
- push → switched: from the teacher's push (this process writes it to the class store, as the Class page does) to
  the student's live view mounted on the pushed page, through its poll (the sidebar fragment's run_every timer,
  which the client runs as the browser does: the server's `auto_rerun` message);
- report → board: from a result's arrival in the store (its server time) to the board page's "Results" count
  reaching it (the board's own fragment timer, on a protocol client too);
- the class machinery's server CPU: the replicas' CPU while N joined students sit idle and poll (per student and
  second), and a whole class run (joined, polling, reporting) against the same run by N students not in a class;
- results lost: students whose result never reached the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from typing import Any

from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.class_client import ForwardMsg, Student
from scratchnet.classroom import Classroom, open_store

JOIN_TIMEOUT_S = 120.0
SWITCH_TIMEOUT_S = 120.0


class ClassStudent(Student):
    """A student who opens the join link, types a nickname, presses Join, then waits on the Class page."""

    def __init__(self, base: str, code: str, nick: str) -> None:
        super().__init__(base, f"join={code}")
        self.page, self.nick = "Class", nick
        self.widgets: dict[str, str] = {}  # widget key (or "Join") → its element id
        self.joined = asyncio.Event()
        self.timers: dict[str, asyncio.Task] = {}  # fragment id → its run_every loop
        self.switched_at: float | None = None

    def _handle(self, msg: ForwardMsg, now: float) -> None:
        kind = msg.WhichOneof("type")
        if kind == "auto_rerun":
            self._timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "navigation" and self.joined.is_set():
            for task in self.timers.values():  # a new page: the browser drops the old page's timers
                task.cancel()
            self.timers.clear()
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            which = el.WhichOneof("type")
            if which == "text_input":
                self.widgets[el.text_input.id.rsplit("-", 1)[-1]] = el.text_input.id
            elif which == "button" and el.button.label == "Join":
                self.widgets["Join"] = el.button.id
            elif which == "alert" and "You are in class" in el.alert.body:
                self.joined.set()
        super()._handle(msg, now)
        if self.joined.is_set() and self.switched_at is None and self.view.mode is not None:
            self.switched_at = time.time()  # the pushed page's live view is mounted

    def _timer(self, fragment_id: str, interval: float) -> None:
        async def loop() -> None:
            while not self.done.is_set():
                await asyncio.sleep(interval)
                await self._rerun(fragment_id=fragment_id, auto=True)

        if fragment_id not in self.timers:
            self.timers[fragment_id] = asyncio.create_task(loop())

    async def open(self) -> None:
        """The page, drawn (its first script run finished): no live view on it to wait for."""
        await asyncio.to_thread(self._http)
        self.result.replica = self.cookies.get("SN_REPLICA")
        await self._connect()
        deadline = time.monotonic() + JOIN_TIMEOUT_S
        while not self.page_done:
            if time.monotonic() > deadline or self.done.is_set():
                raise TimeoutError(f"{self.page} not drawn: {self.result.errors}")
            await asyncio.sleep(0.05)

    async def join(self, code: str) -> None:
        text = []
        for key, value in (("class_code_input", code), ("class_nick_input", self.nick)):
            w = WidgetState(id=self.widgets[key])
            w.string_value = value
            text.append(w)
        submit = WidgetState(id=self.widgets["Join"])
        submit.trigger_value = True
        await self._rerun(widgets=(*text, submit))
        await asyncio.wait_for(self.joined.wait(), JOIN_TIMEOUT_S)

    async def close(self) -> None:
        for task in self.timers.values():
            task.cancel()
        await super().close()


class BoardWatcher(ClassStudent):
    """The projector: the Board page of a class; notes when its Results count first reaches each value."""

    def __init__(self, base: str, code: str) -> None:
        super().__init__(base, code, "board")
        self.page, self.query = "Board", f"class={code}"
        self.seen: dict[int, float] = {}

    def _handle(self, msg: ForwardMsg, now: float) -> None:
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            if el.WhichOneof("type") == "metric" and el.metric.label == "Results":
                self.seen.setdefault(int(el.metric.body), time.time())
        super()._handle(msg, now)


def pct(xs: list[float], q: float) -> float | None:
    return statistics.quantiles(xs, n=100, method="inclusive")[q - 1] if len(xs) >= 2 else (xs[0] if xs else None)


async def run_lesson(target: Any, n: int, store_url: str, iterations: int, idle_s: float = 10.0,
                     open_concurrency: int = 6) -> dict[str, Any]:
    from bench.bench_class import settle  # the replicas' own idleness check, shared with the plain class

    room = Classroom(open_store(store_url))
    code, key = room.start()
    students = [ClassStudent(target.base, code, f"v{i}") for i in range(n)]
    board = BoardWatcher(target.base, code)
    gate = asyncio.Semaphore(open_concurrency)

    async def enter(s: ClassStudent) -> None:
        async with gate:
            try:
                await s.open()
                await s.join(code)
            except Exception as err:  # noqa: BLE001 — a bench reports, it does not crash the class
                s.result.errors.append(f"could not join: {err!r}")

    try:
        await asyncio.gather(*(enter(s) for s in students))
        await settle(target, 5.0)
        cpu0 = target.cpu()
        await asyncio.sleep(idle_s)  # joined and idle: only the polls run (the board is not open yet)
        idle_cpu = sum(target.cpu().values()) - sum(cpu0.values())
        await board.open()

        for s in students:
            s.ready.clear()
        t_push = time.time()
        room.push(code, key, "net", {"iters": str(iterations)})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in students)), SWITCH_TIMEOUT_S)
        switch = [s.switched_at - t_push for s in students if s.switched_at is not None]

        cpu1 = target.cpu()
        await asyncio.gather(*(s.press_play() for s in students if s.switched_at is not None))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(s.done.wait() for s in students)), 10 * iterations / 250 + 60)
        # the last reports: wait (bounded) for every result, and for the board to count them
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (len(room.results(code)) < n or max(board.seen, default=0) < n):
            await asyncio.sleep(0.1)
        run_cpu = sum(target.cpu().values()) - sum(cpu1.values())
    finally:
        await asyncio.gather(*(s.close() for s in (*students, board)))
    results = room.results(code)
    arrivals = sorted(r["t"] for r in results)
    # the k-th result is on the board once the count first shows k or more (several can arrive in one refresh)
    to_board = [min(at for count, at in board.seen.items() if count >= k + 1) - t
                for k, t in enumerate(arrivals) if max(board.seen, default=0) >= k + 1]
    return {
        "students": n, "joined": sum(s.joined.is_set() for s in students), "switched": len(switch),
        "switch_p50": pct(switch, 50), "switch_p95": pct(switch, 95), "switch_max": max(switch, default=None),
        "finished": sum(s.result.finish_s is not None for s in students), "results": len(results),
        "lost": sum(s.result.finish_s is not None for s in students) - len(results),
        "board_p50": pct(to_board, 50), "board_p95": pct(to_board, 95), "board_max": max(to_board, default=None),
        "idle_cpu_per_student_s": idle_cpu / (n * idle_s), "run_cpu": run_cpu,
        "finish": sorted(s.result.finish_s for s in students if s.result.finish_s is not None),
        "errors": [e for s in students for e in s.result.errors][:5],
        "not_switched": [{"timers": len(s.timers), "page": s.page_hash[:8], "view": s.view.mode,
                          "done": s.done.is_set(), "replica": s.result.replica,
                          "closed": None if s.ws is None else (s.ws.close_code, s.ws.close_reason)}
                         for s in students if s.switched_at is None][:5],
    }


async def lesson_main(args: Any) -> None:
    """For each replica count: one plain class of N (the comparison), then the same N as a class."""
    import json
    import tempfile

    from bench.bench_class import describe, run_class, target_for

    iterations = args.iterations
    for replicas in args.replicas:
        store = args.store or f"sqlite:///{tempfile.mkdtemp(prefix='sn-lesson-')}/classes.sqlite3"
        with target_for(replicas, None, None, store) as target:
            await run_class(target, 1, iterations, 0.0, args.seed, replicas)  # warm-up
            for n in args.students:
                plain = describe(await run_class(target, n, iterations, args.spread, args.seed + n, replicas))
                lesson = await run_lesson(target, n, store, iterations)
                cpu_plain = plain["cpu_per_run"] * n
                nominal = iterations / 250.0
                row = {"replicas": replicas, "store": store.split(":")[0], **lesson,
                       "plain_cpu": cpu_plain, "plain_finish_max": plain["finish_max"],
                       "lesson_finish_max": max(lesson["finish"], default=None), "nominal_s": nominal,
                       "extra_cpu_run_pct": 100 * (lesson["run_cpu"] - cpu_plain) / cpu_plain,
                       "poll_cpu_pct_of_run": 100 * lesson["idle_cpu_per_student_s"] * nominal / plain["cpu_per_run"]}
                row.pop("finish")
                print(json.dumps(row, default=lambda x: round(x, 4) if isinstance(x, float) else str(x)), flush=True)

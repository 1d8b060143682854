"""Issue #21, defect 6: memory a class leaves behind. Streamlit reaps a disconnected session only when another one
is stored, and never shuts it down; the app's reaper (scratchnet/ui/server.py) does both on the server's event loop,
then collects and trims the heap. Large websocket messages are mmapped, so their memory goes back on free."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg

from bench.class_client import Student
from scratchnet.ui import server
from tests.browser_support import poll
from tests.serving import run_async, streamlit_process

TTL_S = 4  # server.disconnectedSessionTTL for these tests: a class's sessions expire within seconds
SESSIONS, AT_ONCE = 100, 10
BUDGET_MB = 50.0  # RSS back within this of where it started, once the closed sessions' TTL has passed
QUERY = "iters=200&hidden=16&speed=max"  # a short run each: open, play to the end, close


@dataclass
class _Session:
    shut: bool = False

    def shutdown(self) -> None:
        self.shut = True


@dataclass
class _Info:
    session: _Session = field(default_factory=_Session)


class _Cache(dict):
    def __init__(self, expired: list[_Info], alive: list[_Info]) -> None:
        super().__init__({f"alive {k}": info for k, info in enumerate(alive)})
        self.expired = expired

    def expire(self) -> list[tuple[str, _Info]]:
        out, self.expired = [(f"expired {k}", info) for k, info in enumerate(self.expired)], []
        return out


class _Manager:
    def __init__(self, cache: _Cache) -> None:
        self._session_storage = type("Storage", (), {"_cache": cache})()


def test_the_reaper_shuts_down_expired_sessions_only() -> None:
    expired, alive = [_Info() for _ in range(3)], [_Info() for _ in range(2)]
    manager = _Manager(_Cache(expired, alive))
    assert server.reap_sessions(manager) == 3 and server.reap_sessions(manager) == 0
    assert all(i.session.shut for i in expired) and not any(i.session.shut for i in alive)
    assert server.reap_sessions(object()) == 0  # a Streamlit without these internals: nothing happens


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


async def _student(base: str, query: str = QUERY, play: bool = True) -> list[str]:
    student = Student(base, query)
    try:
        await student.open()
        if play:
            await student.press_play()
            await asyncio.wait_for(student.done.wait(), 60)
    finally:
        await student.close()
    return student.result.errors


async def _class(base: str) -> list[str]:
    errors: list[str] = []
    for start in range(0, SESSIONS, AT_ONCE):
        for result in await asyncio.gather(*(_student(base) for _ in range(min(AT_ONCE, SESSIONS - start)))):
            errors += result
    return errors


async def _large_messages(base: str, count: int = 5, size_mb: int = 20) -> None:
    """Five 20-MB messages (under the 25-MB cap): a rerun whose widget state carries a 20-MB string."""
    student = Student(base, "")
    try:
        await student.open()
        for _ in range(count):
            msg = BackMsg()
            msg.rerun_script.page_script_hash = student.page_hash
            widget = msg.rerun_script.widget_states.widgets.add()
            widget.id, widget.string_value = "not a widget", "x" * (size_mb * 1024 * 1024)
            assert student.ws is not None
            await student.ws.send(msg.SerializeToString())
    finally:
        await student.close()


def test_a_class_and_large_messages_leave_no_memory_behind_after_the_ttl() -> None:
    args = ["--server.disconnectedSessionTTL", str(TTL_S)]
    with streamlit_process(extra_args=args) as (base, proc):
        assert not run_async(_student(base, play=True))  # modules, caches and the first run: warm
        start = _rss_mb(proc.pid)
        assert not run_async(_class(base))
        peak = _rss_mb(proc.pid)
        print(f"\nRSS {start:.0f} MB, after {SESSIONS} sessions {peak:.0f} MB (budget after the TTL: "
              f"{start + BUDGET_MB:.0f} MB)")
        back = poll(lambda: _rss_mb(proc.pid) <= start + BUDGET_MB and _rss_mb(proc.pid), timeout=TTL_S * 4 + 60,
                    interval=1.0, what=f"RSS within {BUDGET_MB:.0f} MB of {start:.0f} MB after {SESSIONS} sessions")
        print(f"after the TTL {back:.0f} MB (+{back - start:.0f})")
        before = min(back, _rss_mb(proc.pid))  # a budget of its own: they held +141 MB for good before the fix
        run_async(_large_messages(base))
        back = poll(lambda: _rss_mb(proc.pid) <= before + BUDGET_MB and _rss_mb(proc.pid), timeout=TTL_S * 4 + 60,
                    interval=1.0, what=f"RSS within {BUDGET_MB:.0f} MB of {before:.0f} MB after five 20-MB messages")
        print(f"before five 20-MB messages {before:.0f} MB, after them and the TTL {back:.0f} MB")

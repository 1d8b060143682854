"""The class watcher's wake rule (scratchnet/ui/class_watch.py), on a real store with stand-ins for Streamlit's
session objects: a push wakes only a session with no script running, and reruns the page it is on.

Found on a loaded machine (tests/test_class_replicas.py, 1 run in 5): a wake that stopped the pushed page's run
after it had marked the push seen reran the default page, and the student stayed there. Waking every 0.1 s made
it fail at once; with this rule it passed.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from scratchnet.classroom import Classroom, open_store
from scratchnet.ui import class_watch
from tests.class_support import sqlite_url


class Session:
    """What the watcher reads of Streamlit's AppSession: its runner (None when no script runs), its last client
    state, and request_rerun."""

    def __init__(self, running: bool, page: str = "hash-of-class-page", query: str = "join=ABC") -> None:
        self._scriptrunner = object() if running else None
        self._client_state = SimpleNamespace(page_script_hash=page, query_string=query)
        self.reruns: list = []

    def request_rerun(self, client_state) -> None:
        self.reruns.append(client_state)


class Loop:
    """The server's event loop, run at once (the wake is scheduled there)."""

    def call_soon_threadsafe(self, fn, *args) -> None:
        fn(*args)


@pytest.fixture
def pushed(tmp_path, monkeypatch):
    room = Classroom(open_store(sqlite_url(tmp_path)))
    code, key = room.start()
    room.push(code, key, "net", {"data": "moons"})
    monkeypatch.setattr(class_watch, "classroom", lambda: room)
    monkeypatch.setattr(class_watch, "_members", {})
    monkeypatch.setattr(class_watch, "_woken", {})
    return code


def runtime_with(sessions: dict[str, Session]):
    infos = {sid: SimpleNamespace(session=s) for sid, s in sessions.items()}
    return SimpleNamespace(_get_async_objs=lambda: SimpleNamespace(eventloop=Loop()),
                           _session_mgr=SimpleNamespace(get_active_session_info=infos.get))


def test_an_idle_session_behind_is_woken_on_the_page_it_is_on(pushed):
    idle = Session(running=False)
    class_watch._members["s"] = (pushed, 0)
    class_watch._wake_behind(runtime_with({"s": idle}))
    assert len(idle.reruns) == 1
    state = idle.reruns[0]
    assert state is not None, "None reruns the default page, not the one the student is on"
    assert (state.page_script_hash, state.query_string) == ("hash-of-class-page", "join=ABC")


def test_a_session_whose_script_runs_is_not_woken_until_its_run_ends(pushed):
    busy = Session(running=True)
    class_watch._members["s"] = (pushed, 0)
    runtime = runtime_with({"s": busy})
    class_watch._wake_behind(runtime)
    assert busy.reruns == [] and "s" not in class_watch._woken  # not counted as woken: the next look wakes it
    busy._scriptrunner = None  # its run ended without catching up
    class_watch._wake_behind(runtime)
    assert len(busy.reruns) == 1


def test_a_run_that_starts_between_the_look_and_the_wake_is_left_alone(pushed):
    session = Session(running=False)
    session._scriptrunner = object()  # the browser's own run, started on the loop before the wake got there
    class_watch._wake(session)
    assert session.reruns == []


def test_a_session_that_caught_up_or_was_woken_just_now_is_not_woken(pushed):
    caught_up, woken = Session(running=False), Session(running=False)
    class_watch._members.update({"a": (pushed, 1), "b": (pushed, 0)})
    runtime = runtime_with({"a": caught_up, "b": woken})
    class_watch._wake_behind(runtime)
    class_watch._wake_behind(runtime)  # within RETRY_S of the first wake
    assert caught_up.reruns == [] and len(woken.reruns) == 1

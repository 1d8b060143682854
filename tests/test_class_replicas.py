"""A class across replicas: `scripts/serve.sh --replicas 2 --store ...` with SQLite (one machine) and a real Redis.

Two students in Chromium, pinned by HAProxy to different replicas, join; the teacher (this process, through the
same store) pushes a setup; both pages switch; Ann's run finishes and reports; her replica is killed (SIGKILL)
while Bob's run still plays; Bob's result still arrives; a board opened afterwards, through the proxy, shows both:
no reported result is lost. Waits are on conditions only.
"""

from __future__ import annotations

import re

import pytest

from scratchnet.classroom import Classroom, open_store
from tests.browser_support import IDLE_TIMEOUT_MS, exceptions, poll, wait_live, wait_ready
from tests.class_support import redis_url_fixture, sqlite_url  # noqa: F401 — the redis_url fixture
from tests.serving import serve_replicas
from tests.test_browser import PLAY
from tests.test_class_browser import join
from tests.test_replicas import kill_replica, replica_of


@pytest.fixture(params=["sqlite", "redis"])
def store(request, tmp_path) -> str:
    return sqlite_url(tmp_path) if request.param == "sqlite" else request.getfixturevalue("redis_url")


def page_in(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(IDLE_TIMEOUT_MS)
    return context.new_page()


def switched(page) -> None:
    """The page is on the pushed setup's page (woken by its replica's watcher); if not, what it shows instead."""
    try:
        page.wait_for_url(re.compile(r"/Neural_network"), timeout=15_000)
    except Exception as e:
        text = page.locator("[data-testid=stMain]").inner_text(timeout=2000)[:600]
        raise AssertionError(f"no switch: still at {page.url}, showing: {text!r}") from e


@pytest.mark.browser
def test_a_class_across_two_replicas_loses_nothing_when_one_is_killed(browser, store):
    room = Classroom(open_store(store))
    with serve_replicas(2, extra_args=["--store", store, "--no-restart"]) as served:
        ann, bob = page_in(browser), page_in(browser)
        try:
            code, key = room.start()
            join(ann, f"{served.base}/Class?join={code}", "Ann")
            join(bob, f"{served.base}/Class?join={code}", "Bob")
            assert {replica_of(ann), replica_of(bob)} == {"r1", "r2"}
            assert len(room.students(code)) == 2  # both replicas wrote to the one store

            room.push(code, key, "net", {"data": "moons", "hidden": "4", "iters": "1000"})  # 4 s at 1×
            for page in (ann, bob):
                switched(page)
                wait_ready(page)
            ann.click(PLAY)
            wait_live(ann, "a.state === 'finished'", timeout_ms=60_000)
            poll(lambda: [r["nick"] for r in room.results(code)] == ["Ann"], timeout=30, what="Ann's result")

            bob.click(PLAY)
            wait_live(bob, "a.state === 'playing'")
            kill_replica(served, replica_of(ann))  # mid-class: Bob's run plays on the other replica
            wait_live(bob, "a.state === 'finished'", timeout_ms=60_000)
            poll(lambda: len(room.results(code)) == 2, timeout=30, what="Bob's result after the kill")
            assert not exceptions(bob)

            board = page_in(browser)
            board.goto(f"{served.base}/Board?class={code}")
            wait_ready(board)
            poll(lambda: re.search(r"Results\s+2\b", board.inner_text("[data-testid=stMain]")), timeout=30,
                 what="the board to show both results")
            main = board.inner_text("[data-testid=stMain]")
            assert re.search(r"Ann\s+α 0\.1 ·", main) and re.search(r"Bob\s+α 0\.1 ·", main)
            board.context.close()
        finally:
            ann.context.close()
            bob.context.close()

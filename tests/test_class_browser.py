"""A class in real browsers: a teacher and two students (one on a phone) against `streamlit run`.

The teacher starts a class; the students join through the join link, one with HTML as a nickname; the teacher
sends a setup with α left free; both pages switch to it by themselves; one student raises α; both play; the
board shows both results, the nickname as typed. Screenshots (artifacts/class_*.png) at 1920×1080, 1366×768 and
390×844, during the runs and after.
"""

from __future__ import annotations

import os
import re

import pytest

from scratchnet.classroom import Classroom, open_store
from scratchnet.classroom.store import STORE_ENV
from tests.browser_support import (
    IDLE_TIMEOUT_MS,
    exceptions,
    poll,
    screenshot,
    wait_idle,
    wait_live,
    wait_ready,
)
from tests.class_support import virtual_students
from tests.serving import streamlit_server
from tests.test_browser import PLAY, button

ALPHA = "input[type=range][aria-label='Learning rate α']"
SETUP = "/Neural_network?data=moons&hidden=8&iters=500&speed=1×"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('class') / 'classes.sqlite3'}"
    old = os.environ.get(STORE_ENV)
    os.environ[STORE_ENV] = url
    try:
        with streamlit_server() as base:
            yield base, Classroom(open_store(url))
    finally:
        os.environ.pop(STORE_ENV) if old is None else os.environ.__setitem__(STORE_ENV, old)


def context_page(browser, **options):
    context = browser.new_context(**({"viewport": {"width": 1920, "height": 1080}} | options))
    context.set_default_timeout(IDLE_TIMEOUT_MS)
    return context.new_page()


def join(page, link: str, nick: str) -> None:
    page.goto(link)
    wait_ready(page)
    page.get_by_label("Nickname (optional, shown on the board)").fill(nick)
    page.get_by_role("button", name="Join").click()
    page.wait_for_selector("text=When your teacher sends a setup")
    wait_idle(page)


@pytest.mark.browser
def test_a_class_pushes_plays_and_fills_the_board(browser, served):
    base, room = served
    teacher, ann, bob = context_page(browser), context_page(browser), context_page(browser, **PHONE)
    try:
        teacher.goto(base + "/Class")
        wait_ready(teacher)
        teacher.get_by_text("For the teacher: start a class, or reopen yours").click()
        button(teacher, "Start a new class").click()
        heading = teacher.wait_for_selector("h2:has-text('Class code')")
        code = re.search(r"[A-Z0-9]{6}", heading.inner_text()).group(0)
        wait_idle(teacher)
        link = f"{base}/Class?join={code}"
        assert link in teacher.inner_text("[data-testid=stMain]")
        screenshot(teacher, "class_teacher_1920")

        join(ann, link, "Ann")
        join(bob, link, "<i>Bob</i>")
        screenshot(bob, "class_phone_joined_390")
        assert code in bob.inner_text("[data-testid=stMain]")

        teacher.get_by_text("A link", exact=True).click()
        wait_idle(teacher)
        teacher.get_by_label("A scratchnet link (from “Copy link for this setup”)").fill(base + SETUP)
        teacher.keyboard.press("Enter")
        wait_idle(teacher)
        button(teacher, "Send “Neural network” to the class").click()
        teacher.wait_for_selector("text=every student's page switches")

        for page in (ann, bob):  # no click: the poll switches them
            page.wait_for_url(re.compile(r"/Neural_network"), timeout=15_000)  # the server woke it (not the 30 s poll)
            wait_ready(page)
            assert page.locator("h1").first.inner_text().strip() == "Neural network"
            assert not exceptions(page), exceptions(page)
        ann.locator(ALPHA).focus()
        ann.keyboard.press("ArrowRight")  # α is left free: 0.1 → 0.3
        poll(lambda: ann.get_attribute(ALPHA, "aria-valuetext") == "0.3", what="Ann's α at 0.3")
        wait_idle(ann)
        for page in (ann, bob):
            page.click(PLAY)
        wait_live(bob, "a.state === 'playing' && a.shown >= 30")
        screenshot(bob, "class_phone_playing_390")
        for page in (ann, bob):
            wait_live(page, "a.state === 'finished'", timeout_ms=90_000)

        poll(lambda: len(room.results(code)) == 2, timeout=30, what="both results in the store")
        by_nick = {r["nick"]: r for r in room.results(code)}
        assert by_nick["Ann"]["lr"] == 0.3 and by_nick["<i>Bob</i>"]["lr"] == 0.1
        assert {r["iterations"] for r in by_nick.values()} == {500} and {r["data"] for r in by_nick.values()} == {
            "moons"}

        teacher.get_by_text("Open the board (for the projector)").click()
        teacher.wait_for_url(re.compile(r"/Board\?class="))
        poll(lambda: re.search(r"Results\s+2\b", teacher.inner_text("[data-testid=stMain]")), timeout=30,
             what="the board to count 2 results")
        wait_idle(teacher)
        main = teacher.inner_text("[data-testid=stMain]")
        assert re.search(r"<i>Bob</i>\s+α 0\.1 ·", main) and re.search(r"Ann\s+α 0\.3 ·", main)  # as typed, as text
        assert teacher.locator("[data-testid=stMain] i:has-text('Bob')").count() == 0
        assert teacher.locator("[data-testid=stPlotlyChart]").count() == 2
        screenshot(teacher, "class_board_two_1920")
        # a room's worth: 16 more students' real runs, α from 0.001 to 10 (the README's screenshots)
        virtual_students(room, code, [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0] * 2)
        poll(lambda: re.search(r"Results\s+20\b", teacher.inner_text("[data-testid=stMain]")), timeout=30,
             what="the board to count 20 results")
        wait_idle(teacher)
        screenshot(teacher, "class_board_1920")
        teacher.set_viewport_size({"width": 1366, "height": 768})
        wait_idle(teacher)
        screenshot(teacher, "class_board_1366")
        screenshot(bob, "class_phone_finished_390")
    finally:
        for page in (teacher, ann, bob):
            page.context.close()

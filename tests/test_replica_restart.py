"""Issue #21, defect 7: the replica serving a run dies mid-run. The page reconnects by itself to the other one (a new
server session, without the run); the live view says so, shows that session's picture (iteration 0, paused) and
the next Play starts from there, as it says. Real processes: scripts/serve.sh, Debian's HAProxy, Chromium."""

from __future__ import annotations

import pytest

from tests.browser_support import (
    ARTIFACTS,
    exceptions,
    iteration,
    new_page,
    poll,
    run_state,
    screenshot,
    wait_iteration,
)
from tests.serving import serve_replicas
from tests.test_browser import PLAY, open_app
from tests.test_replicas import LONG_RUN, kill_replica, replica_of

RESTARTED = "The server restarted; your settings are kept; press Play to start again."
NOTICE = ".sn-live .sn-notice"


def _notice(page) -> str:
    box = page.locator(NOTICE).first
    return box.inner_text() if box.is_visible() else ""


@pytest.mark.browser
def test_a_replica_dying_mid_run_is_said_and_the_picture_starts_over(browser):
    with serve_replicas(2, extra_args=["--no-restart"]) as served:
        page = new_page(browser)
        try:
            open_app(page, served.base, LONG_RUN + "&hidden=4")
            page.click(PLAY)
            wait_iteration(page, lambda i: i >= 100, what="the run before the crash")
            gone = replica_of(page)
            kill_replica(served, gone)
            poll(lambda: RESTARTED in _notice(page), timeout=90, what="the restart notice")
            assert replica_of(page) != gone
            assert run_state(page) in ("idle", "paused") and iteration(page) == 0  # the new session's picture
            page.mouse.move(1300, 20)
            screenshot(page, "replica_restarted_1366x768", ARTIFACTS)
            page.click(PLAY)  # from 0, as the notice said, and the notice goes
            wait_iteration(page, lambda i: i >= 20, what="the run on the surviving replica")
            poll(lambda: RESTARTED not in _notice(page), what="the notice gone once the student acted")
            assert not exceptions(page), exceptions(page)
        finally:
            page.context.close()

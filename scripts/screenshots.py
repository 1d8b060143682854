"""Screenshots of every page at 1366×768 (a classroom projector), and docs/screenshot.png for the README.

Run by hand: `python scripts/screenshots.py`. Starts `streamlit run app.py` on a free port, plays a run on the
Neural network page for about 3 s, pauses it, and writes docs/screenshot.png plus artifacts/<page>.png.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser_support import (  # noqa: E402
    ARTIFACTS,
    chromium,
    iteration,
    new_page,
    poll,
    run_state,
    screenshot,
    streamlit_server,
    wait_idle,
)

PAGES = ["", "Logistic_regression", "Neural_network", "Learning_rate_lab", "Your_data", "The_math"]


def main() -> None:
    with streamlit_server() as base, chromium() as browser:
        page = new_page(browser)
        for path in PAGES:
            page.goto(f"{base}/{path}")
            wait_idle(page)
            print("wrote", screenshot(page, path or "Home"))

        page.goto(f"{base}/Neural_network")
        wait_idle(page)
        page.locator("[data-testid=stButton] button").filter(has_text="▶ Play").first.click()
        poll(lambda: (iteration(page) or 0) > 0, what="the run to start")
        time.sleep(3)
        page.locator("[data-testid=stButton] button").filter(has_text="⏸ Pause").first.click()
        poll(lambda: run_state(page) in ("paused", "finished"), what="the run to pause")
        wait_idle(page)
        page.mouse.move(1300, 20)  # no hover tooltips in the picture
        print("wrote", screenshot(page, "Neural_network_playing", ARTIFACTS))
        print("wrote", screenshot(page, "screenshot", ROOT / "docs"))


if __name__ == "__main__":
    main()

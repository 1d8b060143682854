"""Screenshots of every page at 1366×768 (a classroom projector), the live view DURING a run at 1920×1080,
1366×768 and a 390×844 phone, and docs/screenshot.png (1366×768, mid-run) for the README.

Run by hand: `python -m scripts.screenshots`. Starts `streamlit run app.py` on a free port and writes
artifacts/<page>.png, artifacts/live-<width>-midrun.png and docs/screenshot.png.
"""

from __future__ import annotations

from pathlib import Path

from tests.browser_support import (
    chromium,
    new_page,
    screenshot,
    wait_live,
    wait_ready,
)
from tests.serving import streamlit_server

ROOT = Path(__file__).resolve().parent.parent

PAGES = ["", "Logistic_regression", "Neural_network", "Learning_rate_lab", "Your_data", "The_math"]
VIEWS = {
    "1920": {"viewport": {"width": 1920, "height": 1080}},
    "1366": {"viewport": {"width": 1366, "height": 768}},
    "390": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2},
}


def main() -> None:
    with streamlit_server() as base, chromium() as browser:
        page = new_page(browser)
        for path in PAGES:
            page.goto(f"{base}/{path}")
            wait_ready(page)
            print("wrote", screenshot(page, path or "Home"))
        page.context.close()

        for name, context in VIEWS.items():
            page = browser.new_context(**context).new_page()
            page.goto(f"{base}/Neural_network")
            wait_ready(page)
            page.click("[data-testid=sn-play]")
            wait_live(page, "a.shown >= 300")  # mid-run: the boundary has bent, the curves are half drawn
            print("wrote", screenshot(page, f"live-{name}-midrun"))
            if name == "1366":
                page.mouse.move(1300, 20)  # no hover in the picture
                print("wrote", screenshot(page, "screenshot", ROOT / "docs"))
            page.context.close()


if __name__ == "__main__":
    main()

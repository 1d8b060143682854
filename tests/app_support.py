"""Driving the app's pages with streamlit.testing.v1.AppTest, shared by the page and hardening tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import live_support
from streamlit.testing.v1 import AppTest

from scratchnet.ui.site import PAGES as SITE

ROOT = Path(__file__).resolve().parent.parent
PAGES = {key: page.script for key, page in SITE.items()}
TIMEOUT = 60
FRIENDLY = "Something went wrong"


def shown(markdown: str) -> str:
    """A markdown text as the student reads it: the backslash escapes of their own text (scratchnet.ui.text.md)
    undone; the app's own markup (**bold**) stays."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def open_page(page: str, **query: object) -> AppTest:
    """Start at the entry point (as a browser does) with `query` in the URL, then go to `page`."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page != "home":
        switch(at, page)
    assert_clean(at)
    return at


def switch(at: AppTest, page: str) -> AppTest:
    """Go to a page (one run, as a click on a sidebar link does)."""
    return at.switch_page(PAGES[page]).run()


def assert_clean(at: AppTest) -> None:
    """No exception escaped, and no part of the page fell back to the friendly error."""
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if FRIENDLY in e.value]


def copy_texts(at: AppTest) -> list[str]:
    """The texts the page offers to copy (scratchnet/ui/copy_link.py's boxes: share link, class link, key), in order."""
    return [json.loads(c.proto.json)["text"] for c in at.get("bidi_component")
            if c.proto.component_name == "scratchnet_copy"]


def button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def has_button(at: AppTest, key: str) -> bool:
    return any(b.key == key for b in at.button)


def status(at: AppTest) -> str:
    """The live status line as the component received it: 'Iteration N / T · state · losses · accuracies'."""
    return live_support.status(at)


def iteration(at: AppTest) -> int:
    return live_support.iteration(at)

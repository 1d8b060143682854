"""Issue #21, defect 5: a student's text (column names, class labels, file names) never becomes markup."""

from __future__ import annotations

import re

import numpy as np
import pytest
from app_support import assert_clean, button, open_page, shown, switch
from streamlit.testing.v1 import AppTest

from scratchnet.ui.text import md

TRACKER = "![t](http://127.0.0.1:9/track.png)"
HOSTILE = [TRACKER, "[link](http://127.0.0.1:9/x)", "**bold** _it_ `code`", "<img src=x onerror=alert(1)>",
           ":red[red] :smile: $x^2$", "# heading", "a\nb | c", "\\![t](http://127.0.0.1:9/esc.png)"]


@pytest.mark.parametrize("text", HOSTILE)
def test_md_leaves_no_markup_and_shows_the_text(text: str) -> None:
    escaped = md(text)
    assert shown(escaped) == text.replace("\n", " ")
    # every punctuation mark is escaped, so no link, image, emphasis, code, HTML, LaTeX or directive can open
    assert re.fullmatch(r"(?:\\[!-/:-@\[-`{-~]|[^!-/:-@\[-`{-~])*", escaped)


def _csv(rows: int = 60, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 3)).round(3)
    labels = ["<b>yes</b>" if x[0] + x[1] > 0 else "no" for x in X]
    header = f'x1,"{TRACKER}",x3,label'
    return (header + "\n" + "\n".join(f"{a},{b},{c},{y}" for (a, b, c), y in zip(X, labels, strict=True))).encode()


def _markdown_texts(at: AppTest) -> list[str]:
    """Everything on the page Streamlit renders as markdown: bodies, captions, alerts, widget labels and help."""
    texts = [e.value for kind in ("markdown", "caption", "info", "error", "success", "warning", "title")
             for e in getattr(at, kind)]
    for kind in ("selectbox", "multiselect", "radio", "slider", "select_slider", "button", "checkbox",
                 "number_input"):
        for widget in getattr(at, kind):
            texts += [getattr(widget, "label", "") or "", getattr(widget, "help", "") or ""]
    return texts


def _assert_no_markup(texts: list[str]) -> None:
    for text in texts:
        assert "![t](" not in text and "](http" not in text and "<b>" not in text, text


def test_a_hostile_column_name_is_text_on_every_page() -> None:
    at = open_page("upload")
    at.file_uploader(key="csv_file").set_value(("![f](http://127.0.0.1:9/f.png).csv", _csv(), "text/csv")).run()
    assert_clean(at)
    features = next(w for w in at.multiselect if w.key and w.key.startswith("features_"))
    features.set_value(["x1", TRACKER, "x3"]).run()
    _assert_no_markup(_markdown_texts(at))
    button(at, "use_upload").click().run()
    _assert_no_markup(_markdown_texts(at))
    for page in ("logistic", "net", "lab", "home"):
        switch(at, page)
        assert_clean(at)
        _assert_no_markup(_markdown_texts(at))
    switch(at, "logistic")
    at.selectbox(key="plot_x").set_value("x1").run()
    at.selectbox(key="plot_y").set_value("x3").run()
    info = next(i.value for i in at.info if "The plots show a slice" in i.value)
    assert md(TRACKER) in info and shown(md(TRACKER)) == TRACKER  # listed among the held features, as text

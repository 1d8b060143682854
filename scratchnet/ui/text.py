"""User text (column names, class labels, file names) inside Streamlit markdown: shown as typed, never as markup."""

from __future__ import annotations

import re
from collections.abc import Iterable

from scratchnet.figures.style import short_label

# Every ASCII punctuation mark may be backslash-escaped in CommonMark: links and images ([..](..), ![..](..)),
# emphasis, code, headings, tables, LaTeX ($), Streamlit's :colour[..] and :emoji: directives, raw HTML (<).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def md(text: object, limit: int | None = None) -> str:
    """`text` escaped for st.markdown, st.info, captions, widget labels and help texts: one line, literal; cut to
    `limit` characters first when given (a 3,000-character column name would fill the page)."""
    text = _LINE_BREAKS.sub(" ", str(text))
    return _PUNCTUATION.sub(r"\\\1", short_label(text, limit) if limit else text)


def md_list(names: Iterable[object], sep: str = ", ", limit: int | None = None) -> str:
    """Several user names, each escaped (and cut to `limit`), joined by `sep` (which may hold the app's own markup)."""
    return sep.join(md(n, limit) for n in names)

"""A text to copy (a share link, a teacher key) with a Copy button that works where a class opens the app.

st.code's copy button uses the Clipboard API only, which a browser gives to secure contexts: at
http://<teacher's address>:8501, as students reach the app, it did nothing and said nothing (checked in Chromium).
copy_link.js falls back to the browser's copy command and says whether the copy worked. It is also light: st.code
made every model page fetch and run Streamlit's 1.5 MB syntax highlighter (a Neural network page load: 4.3 → 3.6
CPU-s without it, on a 2-core machine).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

CSS = """
.sn-copy { font-family: var(--st-font, "Source Sans Pro", "Source Sans 3", system-ui, sans-serif); font-size: 15px;
  color: var(--st-text-color, #31333F); }
.sn-copy .sn-copy-text { display: block; padding: 10px 12px; border-radius: 8px; background: #F0F2F6;
  font-family: "Source Code Pro", ui-monospace, monospace; font-size: 14px; line-height: 1.45;
  white-space: pre-wrap; overflow-wrap: anywhere; user-select: all; }
.sn-copy .sn-copy-row { display: flex; align-items: center; gap: 10px; margin-top: 6px; flex-wrap: wrap; }
.sn-copy .sn-copy-btn { font: inherit; min-height: 36px; padding: 4px 14px; border-radius: 8px; cursor: pointer;
  border: 1px solid rgba(49, 51, 63, 0.2); background: #FFFFFF; color: inherit; }
.sn-copy .sn-copy-btn:hover { border-color: var(--st-primary-color, #FF4B4B); }
.sn-copy .sn-copy-btn:focus-visible { outline: 2px solid var(--st-primary-color, #FF4B4B); outline-offset: 2px; }
"""
_component = st.components.v2.component("scratchnet_copy", html="", css=CSS,
                                        js=(Path(__file__).with_name("copy_link.js")).read_text(),
                                        isolate_styles=False)


def copy_box(text: str, key: str, label: str = "Copy") -> None:
    """`text` in a box of its own (selectable whole), and a button that copies it."""
    _component(key=key, data={"text": text, "label": label})

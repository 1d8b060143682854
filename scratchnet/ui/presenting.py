"""The sidebar's "Use it in class" panel (TF Playground's "use it in classroom"): tick what students should not
see, and get the link to this page with these settings and those control groups hidden (`hide=`, params.HIDEABLE).
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from scratchnet.ui.copy_link import copy_box
from scratchnet.ui.params import HIDE, HIDEABLE, hide_query

PREFIX = "present_hide_"  # widget keys: one checkbox per group


def link(base: str, query: dict[str, str | list[str]], hidden: set[str]) -> str:
    """The link with `query` (the settings) and `hide=` the ticked groups."""
    full = {k: v for k, v in query.items() if k != HIDE} | hide_query(g for g in hidden if g in HIDEABLE)
    text = urlencode(full, doseq=True, safe=",")  # hide=data,model as a teacher would type it
    return f"{base}?{text}" if text else base


def builder(base: str, query: dict[str, str | list[str]], hidden: set[str]) -> None:
    """Checkboxes for what to hide (starting from what this page hides now) and the link they give."""
    with st.sidebar.expander("🎓 Use it in class", expanded=False):
        st.caption("Tick what students should not see; the link opens this page with these settings, those "
                   "controls hidden and the sidebar closed. The learning rate and Play always stay.")
        ticked = {g for g, what in HIDEABLE.items()
                  if st.checkbox(f"Hide {what}", value=g in hidden, key=f"{PREFIX}{g}")}
        copy_box(link(base, query, ticked), key="sn_copy_class", label="Copy link")

"""The home page: what the app is, the data set in use, and the lesson links."""

from __future__ import annotations

import streamlit as st

from scratchnet import figures
from scratchnet.ui import page
from scratchnet.ui.lessons import PRESETS
from scratchnet.ui.page import PageContext
from scratchnet.ui.site import PAGES
from scratchnet.ui.text import md, md_list


def home_page(ctx: PageContext) -> None:
    st.markdown(
        "Logistic regression and a small neural network, written from scratch in numpy with gradients derived "
        "by hand. Pick a data set on the left, open a model page, press **Play** and move the learning rate: "
        "gradient descent succeeds, crawls, or overshoots — live."
    )
    left, right = st.columns([1.1, 1])
    with left:
        if page.require_data(ctx):
            ds = ctx.problem.dataset
            view = ctx.problem.view  # all K classes, when the models tell them apart
            st.markdown(f"**{md(ds.name)}** — {ds.n_train} training and {ds.n_test} test points, "
                        f"features: {md_list(ds.feature_names)}")
            with page.guard("the data plot"):
                st.plotly_chart(figures.data_figure(view, height=400), key="home_data",
                                config={"displayModeBar": False})
            page.data_notes(ctx)
    with right:
        st.subheader("Lessons")
        st.caption("Each link opens a page set up for one idea, in a new tab — share it with the class. Add "
                   "`&hide=data,model` to a link to hide those controls from students (presentation mode).")
        st.markdown("\n".join(f"- {PAGES[p.page].icon} **[{p.title}]({p.url()})** — {p.look_for}" for p in PRESETS))

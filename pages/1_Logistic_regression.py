import streamlit as st

from ui import live, page

ctx = page.setup("logistic")
st.title("Logistic regression")
st.caption("z = w·x + b,  ŷ = σ(z).  Each step: w ← w − α·Xᵀ(ŷ − y)/m,  b ← b − α·mean(ŷ − y).")
page.lesson_banner(ctx)
if page.require_data(ctx):
    with page.guard("the training panel"):
        live.training_panel(ctx)
    page.data_notes(ctx)
page.share_link(ctx)

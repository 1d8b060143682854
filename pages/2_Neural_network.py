import streamlit as st

from ui import live, page

ctx = page.setup("net")
st.title("Neural network")
st.caption("a1 = W1·x + b1,  h1 = g(a1),  z = w2·h1 + b2,  ŷ = σ(z).  Backprop: dL/dz = ŷ − y → dw2, db2 → "
           "dL/dh1 = (ŷ − y)·w2 → ⊙ g'(a1) → dW1, db1.")
page.lesson_banner(ctx)
if page.require_data(ctx):
    with page.guard("the training panel"):
        live.training_panel(ctx)
    page.data_notes(ctx)
page.share_link(ctx)

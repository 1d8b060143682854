import streamlit as st

import figures
from ui import controls, lab, page
from ui import settings as S

ctx = page.setup("lab")
st.title("Learning-rate lab")
st.caption("Same data, same starting weights, several learning rates side by side.")
if page.require_data(ctx):
    top = st.columns([1.4, 3.2, 2.2], vertical_alignment="bottom")
    with top[0]:
        choice = st.radio("Model", list(S.MODEL_CHOICES), horizontal=True,
                          **controls.bound("lab_model", index=list(S.MODEL_CHOICES).index(S.DEFAULTS["lab_model"])))
        kind = S.MODEL_CHOICES[choice]
    with top[1]:
        lrs = st.multiselect("Learning rates", S.LR_OPTIONS, format_func=S.fmt, max_selections=8,
                             **controls.bound("lab_lrs", default=list(S.LAB_DEFAULT_LRS)))
    with top[2]:
        ctx.values["iters"] = controls.iterations_control()
    lrs = sorted(lrs)
    ctx.values.update(lab_model=choice, lab_lrs=lrs)
    if not lrs:
        st.info("Choose at least one learning rate.")
    else:
        with page.guard("the learning-rate lab"):
            sig = lab.lab_signature(ctx.problem, ctx.values, kind, lrs)
            result = lab.stored(sig)
            seconds = lab.estimated_seconds(ctx.problem, ctx.values, kind, lrs)
            if result is None and (seconds < lab.AUTO_RUN_SECONDS
                                   or st.button(f"Run the comparison (about {seconds:.0f} s)", type="primary")):
                with st.spinner("Training one copy per learning rate…"):
                    result = lab.run_lab(ctx.problem, ctx.values, kind, lrs)
            if result is None:
                st.info("This comparison is large (many points, units or iterations): press the button to run it.")
            else:
                left, right = st.columns([1.5, 1])
                with left:
                    st.plotly_chart(figures.lr_lab_loss_figure({lr: h for lr, (_, h) in result.runs.items()},
                                                               result.verdicts), key="lab_losses",
                                    config={"displayModeBar": False})
                with right:
                    st.markdown("\n".join(f"- {line}" for line in lab.explanation(result)))
                    st.caption("Too small: every step is safe but tiny, so learning crawls. Too large: a step "
                               "jumps past the minimum to where the slope is steeper, and the next jump is "
                               "bigger. Just right: big steps that still go downhill.")
                st.plotly_chart(figures.lr_lab_boundaries_figure(ctx.problem.dataset, result.grid, result.probas,
                                                                 result.verdicts),
                                key="lab_boundaries", config={"displayModeBar": False})
    page.data_notes(ctx)
page.share_link(ctx)

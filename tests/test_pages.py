"""Every page through Streamlit's AppTest: runs clean, controls have the documented ranges, runs produce plots."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from app_support import PAGES, open_page, status
from live_support import Browser, components, payload
from streamlit.testing.v1 import AppTest

from scratchnet import make_model
from scratchnet.data import synthetic_dataset
from scratchnet.ui.explain import cell_text
from scratchnet.ui.lessons import PRESETS, PRESETS_BY_KEY
from scratchnet.ui.params import LAB_DEFAULT_LRS, STEP_ITERATIONS


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_runs_without_exception(page):
    at = open_page(page)
    assert not at.error, [e.value for e in at.error]


def test_model_page_controls_have_the_documented_ranges():
    at = open_page("net")
    lr = at.select_slider(key="lr")
    assert lr.options[0] == "0.0001" and lr.options[-1] == "10"
    for classic in ("0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10"):
        assert classic in lr.options
    iters = at.select_slider(key="iters")
    assert iters.options[0] == "10" and iters.options[-1] == "10000"
    hidden = at.slider(key="hidden")
    assert (hidden.min, hidden.max, hidden.value) == (1, 64, 8)
    assert at.selectbox(key="act").value == "relu"
    assert len(components(at)) == 1 and payload(at)["state"] == "idle"  # Play, Step, Reset live in the component


@pytest.mark.parametrize("page", ["logistic", "net"])
def test_play_runs_to_the_iteration_limit_and_feeds_the_three_views(page):
    at = open_page(page, iters="100", speed="max")
    assert status(at).startswith("Iteration 0 / 100 · idle")
    first = payload(at)
    assert first["meta"]["points"]["x"] and set(first["meta"]["charts"]) == {"loss", "grad"}
    sent = Browser(at).play_to_end()
    assert status(at).startswith("Iteration 100 / 100 · finished")
    frames = [f["it"] for p in sent for f in p.get("frames", [])]
    assert frames[-1] == 100 and frames == sorted(frames)  # the boundary's frames
    cols = {k: v for p in sent for k, v in p["series"]["cols"].items()}
    assert len(sent[-2]["series"]["cols"]["train_loss"]) > 0 and "train_loss" in cols  # the loss curve
    assert any(k.startswith("grad_norm_") for k in cols)  # gradient norms per tensor


def test_step_advances_and_reset_returns_to_zero():
    at = open_page("logistic")
    view = Browser(at)
    view.step()
    assert status(at).startswith(f"Iteration {STEP_ITERATIONS} / ")
    view.reset()
    assert status(at).startswith("Iteration 0 / ")


def test_changing_the_learning_rate_mid_run_continues_from_the_current_weights():
    at = open_page("net")
    view = Browser(at)
    view.step()
    at.select_slider(key="lr").set_value("0.3").run()
    assert status(at).startswith(f"Iteration {STEP_ITERATIONS} / ")
    view.step()
    assert status(at).startswith(f"Iteration {2 * STEP_ITERATIONS} / ")
    assert at.session_state["live:net"].run.history.columns["lr"][STEP_ITERATIONS:] == [0.3] * STEP_ITERATIONS


def test_changing_the_architecture_resets_the_run():
    at = open_page("net")
    Browser(at).step()
    at.slider(key="hidden").set_value(4).run()
    assert status(at).startswith("Iteration 0 / ")


def test_an_overshoot_that_recovers_is_not_called_a_divergence():
    # issue #10: at α = 10 the loss spikes to ~728 at iteration 9 and recovers; every value stays finite
    at = open_page("net", lr="10", iters="200", speed="max", data="moons", hidden="64")
    Browser(at).play_to_end()
    assert not [e.value for e in at.error if "diverged" in e.value]
    warnings = [w.value for w in at.warning if "Overshoot" in w.value]
    assert warnings and "then recovered" in warnings[0] and "at iteration 9," in warnings[0], warnings
    assert not at.exception


def test_a_true_divergence_is_explained_in_words():
    # λ·α > 2 makes logistic regression's weights flip sign and grow until they overflow (a real divergence)
    at = open_page("logistic", lr="10", l2="1", iters="2000", speed="max", data="moons")
    Browser(at).play_to_end()
    assert any("diverged at iteration" in e.value for e in at.error), [e.value for e in at.error]
    assert not at.exception


def test_lab_page_compares_learning_rates():
    at = open_page("lab")
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(specs) == 3  # losses, boundaries, and the loss along the gradient (a network: no surface)
    names = [t.get("name", "") for t in specs[0]["data"]]
    assert sum("lr = " in n for n in names) == len(LAB_DEFAULT_LRS)
    assert any("too small" in m.value for m in at.markdown)
    assert specs[2]["layout"]["title"]["text"].startswith("Loss along the gradient")


def lab_lines(at: AppTest) -> dict[str, str]:
    """The lab's explanation: α as shown → its line."""
    text = next(m.value for m in at.markdown if m.value.startswith("- **α = "))
    return {line.split("**")[1].split(" — ")[0].removeprefix("α = "): line for line in text.splitlines()}


def test_lab_verdicts_say_what_the_runs_did():
    """The issue's sweep (8 ReLU units on moons, seed 0): 0.01 was "just right" next to 1's loss of 0.003."""
    at = open_page("lab")
    lines = lab_lines(at)
    assert "— too small**" in lines["0.01"] and "still falling at the end (0.715 → 0.307)" in lines["0.01"]
    assert "far above the lowest loss reached (0.00339, α = 1)" in lines["0.01"]
    for lr in ("0.1", "1"):
        assert "— just right**" in lines[lr], lines[lr]
    assert "overshoot spikes — the loss jumped to 59.5 at iteration 5, then recovered by iteration 6" in lines["10"]
    assert not any("diverged" in line or "blew up" in line for line in lines.values())
    caption = " ".join(c.value for c in at.caption)
    assert "usually comes back down" in caption and "next jump is bigger" not in caption


def test_lab_on_logistic_regression_never_claims_a_blow_up():
    at = open_page("lab", lab_model="Logistic regression", data="circles")
    lines = lab_lines(at)
    assert not any("diverged" in line for line in lines.values())
    assert "never came back down" in lines["10"] and "a zig-zag across the valley" in lines["10"]
    caption = " ".join(c.value for c in at.caption)
    assert "cannot blow up here" in caption and "zig-zags across the valley" in caption
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    surface = specs[-1]
    assert surface["data"][0]["type"] == "contour"
    path = next(t for t in surface["data"] if t.get("name") == "gradient descent")
    xs = np.frombuffer(base64.b64decode(path["x"]["bdata"]), dtype=path["x"]["dtype"])
    assert xs.size > 10  # the path α = 10 took (the lab keeps about 200 snapshots of it)


def test_lab_picture_follows_the_chosen_learning_rate():
    at = open_page("lab")
    box = next(s for s in at.selectbox if s.label == "Learning rate to look at")
    assert box.value == 10.0  # the largest α that overshoots
    scan = json.loads(at.get("plotly_chart")[2].proto.spec)
    assert any(a.get("text", "").startswith("overshoots") for a in scan["layout"]["annotations"])
    box.set_value(0.01).run()
    scan = json.loads(at.get("plotly_chart")[2].proto.spec)
    assert any(a.get("text", "") == "α = 0.01" for a in scan["layout"]["annotations"])
    assert any(a.get("text", "").startswith("short of the lowest point") for a in scan["layout"]["annotations"])


def test_lab_says_where_the_penalty_makes_logistic_regression_blow_up():
    at = open_page("lab", lab_model="Logistic regression", l2="0.3")
    lines = lab_lines(at)
    assert "— diverged**" in lines["10"] and "L2 penalty overflowed" in lines["10"]
    assert all("diverged" not in line for lr, line in lines.items() if lr != "10")
    assert any("λ·α = 0.3 × 10 > 2" in c.value for c in at.caption)


def test_math_page_shows_trace_and_a_passing_gradcheck():
    at = open_page("math")
    assert len(at.dataframe) == 2
    assert any("below 10⁻⁶" in c.value for c in at.caption)
    checks = at.dataframe[1].value
    assert list(checks["agrees"]) == ["✔"] * 4 and (checks["relative error"] < 1e-6).all()
    assert "max relative error" in checks.columns  # the worst entry, shown beside the per-tensor number
    at.radio(key="math_model").set_value("Logistic regression").run()
    assert not at.exception and len(at.dataframe) == 2


def test_math_page_trace_keeps_the_penalty_apart():
    """Issue 10: at λ > 0 the row "dw2 = (ŷ − y)·h1" showed λ·w2 where h1 = 0, and "L" included the penalty."""
    at = open_page("math", l2="0.1")
    trace = at.dataframe[0].value.set_index("quantity")["value"]
    assert at.number_input(key="math_example").value == 0
    ds = synthetic_dataset("moons", n=200, noise=0.15, seed=0)
    net = make_model("net", 2, hidden_units=8, activation="relu", l2=0.1, seed=0)
    t = net.trace(ds.X_train[0], ds.y_train[0])
    y_hat, y = float(t["y_hat"][0]), ds.y_train[0]
    assert trace["dw2 = (ŷ − y)·h1"] == cell_text((y_hat - y) * t["h1"][0])
    assert trace["+ λ·w2"] == cell_text(0.1 * net.params["w2"])
    assert trace["∂J/∂w2 = dw2 + λ·w2"] == cell_text((y_hat - y) * t["h1"][0] + 0.1 * net.params["w2"])
    assert trace["L (cross-entropy)"] == cell_text(t["data_loss"])
    assert trace["penalty = (λ/2)·‖W‖²"] == cell_text(t["penalty"]) != cell_text(0.0)
    assert trace["objective J = L + penalty"] == cell_text(t["data_loss"] + t["penalty"])
    labels = list(trace.index)
    assert labels.index("L (cross-entropy)") < labels.index(
        "penalty = (λ/2)·‖W‖²") < labels.index("objective J = L + penalty") < labels.index("dw2 = (ŷ − y)·h1")


def test_math_page_derivation_says_only_what_is_true():
    at = open_page("math")
    text = " ".join(m.value for m in at.markdown)
    assert "LeCun" in text and "Glorot" not in text
    assert "can blow up" not in text and "rarely means a blow-up" in text and "λ·α > 2" in text
    assert "shown apart" in text


def test_preset_links_set_the_controls():
    for preset in PRESETS:
        at = open_page(preset.page, **preset.query())
        assert any(preset.title in i.value for i in at.info), preset.key  # the lesson says what to look for
        for key, value in preset.params.items():
            if key == "feats":
                assert at.multiselect(key="feats").value == list(value), preset.key
            elif key in ("lr", "iters", "n", "speed", "l2", "l1", "beta"):
                assert at.select_slider(key=key).value == value, (preset.key, key)
            elif key == "data":
                assert at.selectbox(key="data").value == value
            elif key == "hidden":
                assert at.slider(key="hidden").value == value
            elif key == "act":
                assert at.selectbox(key="act").value == value
            elif key in ("noise", "test"):
                assert at.slider(key=key).value == pytest.approx(value), (preset.key, key)
            elif key == "layers":
                assert at.text_input(key="layers").value == value
            elif key == "lab_model":
                assert at.radio(key="lab_model").value == value
            elif key in ("lab_lrs", "lab_opts"):
                assert at.multiselect(key=key).value == list(value), (preset.key, key)
            else:
                raise AssertionError(f"{preset.key}: no check for {key}")


def test_presentation_mode_hides_control_groups():
    at = open_page("net", hide="data,model", data="xor", hidden="4")
    keys = {w.key for w in [*at.selectbox, *at.slider, *at.select_slider]}
    assert "data" not in keys and "hidden" not in keys and "iters" not in keys
    assert "lr" in keys and components(at)  # α and Play stay: they are what a class watches change
    live = at.session_state["live:net"]
    assert live.signature[1][0] == "xor" and live.run.model.hidden_units == 4


def test_downloads_offer_parameters_and_history_after_a_run():
    at = open_page("net")
    assert not at.get("download_button")  # nothing to download before training
    Browser(at).step()
    labels = [d.proto.label for d in at.get("download_button")]
    assert any("Parameters" in label for label in labels) and any("History" in label for label in labels)


def test_preset_data_reaches_the_model():
    preset = PRESETS_BY_KEY["crosses_circles"]
    at = open_page(preset.page, **preset.query())
    live = at.session_state["live:logistic"]
    assert live.signature[1][0] == "circles"
    assert live.run.model.n_features == 4  # x1, x2, x1², x2²


def test_lab_asks_before_a_long_comparison():
    at = open_page("lab", data="moons", n="10000", hidden="64", iters="10000", lab_model="Neural network")
    assert not at.get("plotly_chart")  # nothing ran on its own
    labels = [b.label for b in at.button]
    assert any(label.startswith("Run the comparison (about ") for label in labels), labels


def test_looking_back_shows_the_nearest_earlier_snapshot():
    at = open_page("net")  # 1,000 iterations: a snapshot every 10
    view = Browser(at)
    for _ in range(3):
        view.step()
    scrub = next(s for s in at.slider if s.label == "Look back through the run")
    assert (scrub.min, scrub.max, scrub.value) == (0, 30, 30)
    scrub.set_value(17).run()
    assert status(at).startswith("Looking back at iteration 10 of 30 · paused")
    assert payload(at)["frames"] == [{"it": 10, "look": 30, "s": payload(at)["frames"][0]["s"]}]
    assert payload(at, "sn_units_")["look"] == 10  # the hidden-unit maps follow
    live = at.session_state["live:net"]
    assert live.run.iteration == 30 and live.run.model.params["W1"] is not live.run.history.snapshots[10]["W1"]


def test_home_page_promises_only_what_the_app_shows():
    # issue #10: a blow-up is rare here (λ·α > 2); what a student sees at too large an α is an overshoot
    text = " ".join(m.value for m in open_page("home").markdown)
    assert "overshoots" in text and "blows up" not in text

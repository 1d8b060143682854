"""Every page through Streamlit's AppTest: runs clean, controls have the documented ranges, runs produce plots."""

from __future__ import annotations

import json

import pytest
from app_support import PAGES, open_page, status
from live_support import Browser, components, payload

from ui.lessons import PRESETS, PRESETS_BY_KEY
from ui.params import LAB_DEFAULT_LRS, STEP_ITERATIONS


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


def test_math_page_shows_trace_and_a_passing_gradcheck():
    at = open_page("math")
    assert len(at.dataframe) == 2
    assert any("below 10⁻⁶" in c.value for c in at.caption)
    at.radio(key="math_model").set_value("Logistic regression").run()
    assert not at.exception and len(at.dataframe) == 2


def test_preset_links_set_the_controls():
    for preset in PRESETS:
        at = open_page(preset.page, **preset.query())
        assert any(preset.title in i.value for i in at.info), preset.key  # the lesson says what to look for
        for key, value in preset.params.items():
            if key == "feats":
                assert at.multiselect(key="feats").value == list(value), preset.key
            elif key in ("lr", "iters", "n"):
                assert at.select_slider(key=key).value == value, (preset.key, key)
            elif key == "data":
                assert at.selectbox(key="data").value == value
            elif key == "hidden":
                assert at.slider(key="hidden").value == value
            elif key == "act":
                assert at.selectbox(key="act").value == value
            elif key == "noise":
                assert at.slider(key="noise").value == pytest.approx(value)


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

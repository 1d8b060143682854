"""The live view's Python side through AppTest: the frames the component receives, Pause at an exact frame, α
changed mid-run, Step at the end, and a new architecture mid-run. (Its JavaScript is tested in a real browser:
tests/test_live_browser.py.)"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from app_support import FRIENDLY, assert_clean, open_page
from live_support import Browser, grids, payload, status, trigger

from scratchnet import TrainingRun, evaluate, make_model
from scratchnet.plane import dead_unit_mask, decision_grid, hidden_unit_grids
from scratchnet.ui import params as S
from scratchnet.ui.live_engine import FRAME_RATE, LiveSettings
from scratchnet.ui.live_frames import GRID_RESOLUTION
from scratchnet.ui.live_payload import PROTOCOL, decode_grids


def reference_run(at, lr: float = 0.1) -> TrainingRun:
    """An independent run of the page's default network on the same data: the weights a frame must show."""
    live = at.session_state["live:net"]
    pb = live.plane.problem
    model = make_model("net", pb.n_inputs, hidden_units=8, activation="relu", seed=0)
    return TrainingRun(model, pb.X_train, pb.y_train, pb.X_test, pb.y_test, lr=lr)


def test_a_default_run_arrives_as_frames_in_order_with_grids_equal_to_decision_grid():
    at = open_page("net")
    first = payload(at)
    assert first["frames"][0]["it"] == 0 and first["state"] == "idle" and "code" in first  # the view's module
    sent = Browser(at).play_to_end()
    assert all("code" not in p for p in sent)  # only the mount carries the module
    frames = [f for p in sent for f in p.get("frames", [])]
    its = [f["it"] for f in frames]
    stride = S.iterations_per_second("1×") / FRAME_RATE
    assert its == sorted(set(its)) and its[-1] == 1000 and its[0] == round(stride)
    assert len(its) >= 1000 / round(stride) - 1  # ~62 frames per second of playback at 1×
    assert all(len(p["frames"]) == json.loads(json.dumps(p))["grids"]["n"] for p in sent if "frames" in p)
    # every grid is decision_grid at that frame's weights, within one quantisation step
    decoded = np.concatenate([grids(p) for p in sent if p.get("frames")])
    assert decoded.shape == (len(its), GRID_RESOLUTION, GRID_RESOLUTION)
    ref, grid = reference_run(at), at.session_state["live:net"].plane.grid
    for k, it in enumerate(its):
        ref.advance(it - ref.iteration)
        if k % 7 == 0 or it == 1000:
            expected = decision_grid(ref.model, grid)
            assert np.max(np.abs(decoded[k] - expected)) <= 1 / 255 + 1e-12, it
    # the loss points arrive once each, contiguous, and are the run's history
    series = [p["series"] for p in sent if p.get("frames")]
    assert [s["t0"] for s in series] == [0, *(its[k - 1] for k in np.cumsum([len(p["frames"]) for p in sent
                                                                               if p.get("frames")])[:-1])]
    losses = [v for s in series for v in s["cols"]["train_loss"]]
    np.testing.assert_allclose(losses, ref.history.array("train_loss"), rtol=1e-4)
    assert status(at).startswith("Iteration 1,000 / 1,000 · finished · train loss ")


def test_pause_puts_the_run_at_the_frame_on_screen_and_step_goes_on_from_there():
    at = open_page("net")
    view = Browser(at)
    view.play()
    ahead = view.need(show_all=True)
    its = [f["it"] for f in ahead["frames"]]
    live = at.session_state["live:net"]
    assert live.run.iteration == its[-1]  # trained ahead of the screen
    on_screen = its[3]  # the browser was here when Pause was pressed
    p = view.pause(on_screen)
    assert p["state"] == "paused" and p["base"] == on_screen and p["frames"] == []
    assert p["series"]["t0"] == on_screen  # the browser drops the points it had beyond the frame
    assert status(at).startswith(f"Iteration {on_screen} / 1,000 · paused")
    assert live.run.iteration == on_screen == len(live.run.history)
    ref = reference_run(at)
    ref.advance(on_screen)
    for name, value in ref.model.params.items():
        np.testing.assert_allclose(live.run.model.params[name], value, rtol=1e-12, atol=1e-15)
    p = view.step()
    assert [f["it"] for f in p["frames"]] == [on_screen + S.STEP_ITERATIONS]
    assert live.run.iteration == on_screen + S.STEP_ITERATIONS and p["state"] == "paused"
    ref.advance(S.STEP_ITERATIONS)
    np.testing.assert_allclose(live.run.model.params["W1"], ref.model.params["W1"], rtol=1e-12)


def test_alpha_changed_mid_run_plays_on_into_frames_with_the_new_alpha_and_is_marked():
    """One round trip: the slider's page run brings frames with the new α from a frame just ahead of the screen;
    the browser plays on into them, and the run takes those same steps when its next request says so."""
    at = open_page("net")
    view = Browser(at)
    view.play()
    ahead = view.need()  # having shown the first message's frames; it is still on the last of them
    on_screen = view.shown
    live = at.session_state["live:net"]
    assert ahead["frames"][-1]["it"] > on_screen
    at.select_slider(key="lr").set_value(0.3).run()
    p = payload(at)
    sp = p["splice"]
    base = sp["base"]
    assert not p["hold"] and p["state"] == "playing" and p["epoch"] == ahead["epoch"] + 1 and "frames" not in p
    assert on_screen <= base <= ahead["frames"][-1]["it"] and sp["frames"][0]["it"] > base
    assert sp["series"]["t0"] == base and sp["series"]["lr"][0] == [base, 0.3]  # the mark, where the new α starts
    assert live.run.iteration == ahead["frames"][-1]["it"]  # not taken yet: the browser may have passed `base`
    view.sync()
    assert view.splice == sp["key"] and view.buffered == sp["frames"][-1]["it"]
    p = view.need(show_all=False)  # still on a frame before the new ones; it asks for more after them
    assert p["base"] == sp["frames"][-1]["it"] and view.splice is None
    lrs = live.run.history.columns["lr"]
    assert lrs[:base] == [0.1] * base and set(lrs[base:]) == {0.3}
    shown = sp["frames"][1]["it"]
    view.pause(shown)
    assert live.run.iteration == shown == len(live.run.history)
    ref = reference_run(at)
    ref.advance(base)
    ref.advance(shown - base, lr=0.3)
    for name, value in ref.model.params.items():  # the frames played are the steps the run took
        np.testing.assert_allclose(live.run.model.params[name], value, rtol=1e-12, atol=1e-15)
    p = Browser(at).send("hello")  # loader.js, when a message without the module mounted it
    assert "code" in p and {"js", "css"} <= set(p["code"]) and "export default function" in p["code"]["js"]
    assert "meta" in p and p["state"] == "paused" and p["it"] == shown


def test_alpha_changed_mid_run_after_the_browser_passed_the_new_frames_start_applies_from_its_frame():
    """The fallback: a browser already past the first frame of the new α's frames holds its frame and asks again
    from there (two round trips, as before), and the run is put at that frame of the old α's timeline."""
    at = open_page("net")
    view = Browser(at)
    view.play()
    ahead = view.need()
    live = at.session_state["live:net"]
    live.seen = (view.shown, 0.0)  # where the server believes the browser is, exactly now (the clock: conftest)
    view.shown = ahead["frames"][-2]["it"]  # but it had got further than the server could know
    at.select_slider(key="lr").set_value(0.3).run()
    sp = payload(at)["splice"]
    assert sp["base"] < view.shown
    view.sync()
    assert view.splice is None and view.buffered == view.shown
    on_screen = view.shown
    p = view.need(show_all=False, want=0.12)
    assert p["base"] == on_screen and p["frames"][0]["it"] > on_screen and not p["hold"]
    assert p["series"]["t0"] == on_screen and p["series"]["lr"][0] == [on_screen, 0.3]
    lrs = live.run.history.columns["lr"]
    assert lrs[:on_screen] == [0.1] * on_screen and set(lrs[on_screen:]) == {0.3}


def test_step_at_the_end_never_passes_the_limit():
    at = open_page("net", iters="20")
    view = Browser(at)
    seen = [view.step()["frames"][-1]["it"] for _ in range(2)]
    assert seen == [10, 20] and status(at).startswith("Iteration 20 / 20 · finished")
    p = view.step()
    assert p["frames"] == [] and status(at).startswith("Iteration 20 / 20 · finished")
    view.play()
    assert at.session_state["live:net"].run.iteration == 20 and payload(at)["state"] == "finished"
    at.select_slider(key="iters").set_value(50).run()  # raising the limit makes it resumable
    assert payload(at)["state"] == "paused"
    sent = Browser(at).play_to_end()
    assert sent[-1]["state"] == "finished" and at.session_state["live:net"].run.iteration == 50


def test_a_short_limit_steps_only_what_is_left():
    at = open_page("logistic", iters="20")
    view = Browser(at)
    view.play_to_end()
    assert status(at).startswith("Iteration 20 / 20 · finished")
    at.select_slider(key="iters").set_value(50).run()
    view = Browser(at)
    for expected in (30, 40, 50, 50):
        view.step()
        assert at.session_state["live:logistic"].run.iteration == expected


def test_changing_hidden_units_mid_run_says_the_run_restarted():
    at = open_page("net")
    view = Browser(at)
    view.play()
    view.need()
    at.slider(key="hidden").set_value(4).run()
    p = payload(at)
    assert p["state"] == "idle" and p["frames"][0]["it"] == 0 and p["base"] == -1
    assert "Hidden units changed (8 → 4)" in p["notice"] and "restarted from iteration 0" in p["notice"]
    assert at.session_state["live:net"].run.model.hidden_units == 4
    Browser(at).step()
    assert payload(at)["notice"] == ""  # said once; training the new network clears it


def test_a_request_delivered_twice_is_acted_on_once():
    at = open_page("net")
    view = Browser(at)
    view.step()
    cmd = {"op": "step", "req": view.req, "mount": view.mount, "epoch": view.epoch, "shown": 0}
    p = view.resend(cmd)
    assert at.session_state["live:net"].run.iteration == S.STEP_ITERATIONS and p["ack"] == view.req
    other = Browser(at, mount="another-view")  # a reopened view numbers its requests from 1 again
    other.step()
    assert at.session_state["live:net"].run.iteration == 2 * S.STEP_ITERATIONS


def test_looking_back_sends_that_snapshot_and_its_hidden_units():
    at = open_page("net")
    view = Browser(at)
    for _ in range(3):
        view.step()
    units_now = payload(at, "sn_units_")
    assert units_now["look"] is None and units_now["it"] == 30
    next(s for s in at.slider if s.label == "Look back through the run").set_value(17).run()
    p, units = payload(at), payload(at, "sn_units_")
    assert p["frames"][0]["it"] == 10 and p["frames"][0]["look"] == 30 and units["look"] == 10
    live = at.session_state["live:net"]
    model = live.run.model.copy()
    model.params = live.run.history.snapshots[10]
    np.testing.assert_allclose(grids(p)[0], decision_grid(model, live.plane.grid), atol=1 / 255)
    h1 = hidden_unit_grids(model, live.plane.unit_grid)
    maps = decode_grids(units["units"]).astype(float) / 255 * 2 - 1  # back to h1/peak·sign(w2)
    w2 = model.params["w2"]
    for k in range(h1.shape[0]):
        peak = np.abs(h1[k]).max()
        expected = h1[k] / peak * np.sign(w2[k]) if peak > 0 else np.zeros_like(h1[k])
        np.testing.assert_allclose(maps[k], expected, atol=1 / 255 + 1e-9)


@pytest.mark.parametrize("diagram,limit", [("true", 800_000), ("false", 650_000)])  # the view's code: 66 kB
def test_a_default_run_sends_well_under_a_megabyte(diagram, limit):
    at = open_page("net", diagram=diagram)  # the network diagram on screen adds its maps, θ and ∂J/∂θ per frame
    sent = [payload(at), *Browser(at).play_to_end()]
    total = sum(len(json.dumps(p)) for p in sent)
    assert total < limit, total  # budget: 1 MB per run on the websocket, all included
    assert all(("dgm" in p) == (diagram == "true") for p in sent if p.get("frames"))


def test_a_failure_in_the_live_view_shows_the_friendly_message(monkeypatch):
    from scratchnet.ui import live_payload

    at = open_page("net")
    monkeypatch.setattr(live_payload, "encode_grids", lambda *a, **k: 1 / 0)
    trigger(at, {"op": "step", "req": 1, "mount": "m", "epoch": 0, "shown": 0})
    assert not at.exception
    assert any(FRIENDLY in e.value for e in at.error)
    monkeypatch.undo()
    at.run()
    assert_clean(at)


@pytest.mark.parametrize("speed,stride", [("0.1×", 1), ("0.5×", 2), ("1×", 4), ("4×", 17), ("max", 40)])
def test_frames_per_message_follow_the_speed(speed, stride):
    at = open_page("logistic", speed=speed)
    p = Browser(at).play()
    its = [f["it"] for f in p["frames"]]
    assert its[0] == stride and all(b - a == stride for a, b in zip(its, its[1:], strict=False))
    assert p["view"]["stride"] == stride


def test_status_shows_dead_relu_units_and_the_penalty_apart():
    # issue #10: TwoLayerNet(2, 64, relu) on moons at α = 10 kills many units within 50 iterations; the status
    # line says how many, and the L2 penalty is shown apart from the cross-entropy losses
    at = open_page("net", lr="10", hidden="64", iters="50", speed="max", l2="0.01")
    Browser(at).play_to_end()
    text = status(at)
    live = at.session_state["live:net"]
    model, problem = live.run.model, live.plane.problem
    dead = int(text.split("dead ReLU units ")[1].split(" / ")[0])
    assert dead == model.dead_units(model.forward(problem.X_train)[1]) and dead >= 20 and "/ 64" in text
    # the unit maps call the same units dead (#23 item 9: they said "silent everywhere" over the whole plane)
    units = live.units_payload()["units"]
    mask = dead_unit_mask(model, problem.X_train)
    assert int(mask.sum()) == dead and units["dead"] == [bool(mask[i - 1]) for i in units["ids"]]
    shown_loss = float(text.split("train loss ")[1].split(" ")[0])
    shown_penalty = float(text.split("penalty (λ/2)‖W‖² ")[1].split(" ")[0])
    assert shown_loss == pytest.approx(evaluate(model, problem.X_train, problem.y_train)[0], abs=1e-4)
    assert shown_penalty == pytest.approx(model.penalty(), abs=1e-4) and model.penalty() > 1e-3


def test_a_view_mounted_without_the_module_gets_it_by_asking():
    at = open_page("net")
    p = Browser(at).send("hello")  # loader.js, when a message without the module mounted it
    assert "code" in p and {"js", "css"} <= set(p["code"]) and "export default function" in p["code"]["js"]
    assert "meta" in p and p["state"] == "idle"


def test_alpha_changed_in_the_same_page_run_as_a_request_for_frames_is_not_skipped():
    """Streamlit merges a fragment's request that is still queued into the page run a slider change causes: the
    request must not get frames trained past the frame on screen with the new α (they would play old-α frames
    up to the end of the buffer first, and mark α's change there). It gets the frames with the new α."""
    at = open_page("net")
    view = Browser(at)
    view.play()
    ahead = view.need()
    on_screen = view.shown
    at.select_slider(key="lr").set_value(0.3)  # the widget's new value and the request, in one run
    view.sync()
    view.req += 1
    p = view.resend({"op": "need", "req": view.req, "mount": view.mount, "epoch": view.epoch, "shown": on_screen,
                     "next": view.buffered, "want": 1.5})
    sp = p["splice"]
    assert p["ack"] == view.req and not p["hold"] and p["epoch"] == ahead["epoch"] + 1 and not p.get("frames")
    assert on_screen <= sp["base"] < on_screen + 0.5 * 250 and sp["series"]["lr"][0] == [sp["base"], 0.3]
    view.need(show_all=False)
    base = sp["base"]
    lrs = at.session_state["live:net"].run.history.columns["lr"]
    assert lrs[:base] == [0.1] * base and set(lrs[base:]) == {0.3}

@pytest.mark.parametrize("page", ["logistic", "net"])
def test_paused_model_page_shows_why_alpha_overshoots(page):
    # issue #10: the line scan on both model pages when paused, and the loss surface for logistic regression
    at = open_page(page, lr="3", iters="30", speed="max")
    Browser(at).play_to_end()
    assert not at.get("plotly_chart")  # closed, it costs nothing: the charts are drawn once it is opened
    at.session_state[f"{page}_overshoot_open"] = True
    at.run()
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any(t.startswith("Loss along the gradient") for t in titles), titles
    assert any("b fixed" in t for t in titles) == (page == "logistic"), titles
    assert_clean(at)


def test_play_starts_with_frames_sent_while_paused_and_the_run_takes_the_same_steps():
    at = open_page("net", batch="10")  # mini-batches too: the run must draw the batches the preview drew
    view = Browser(at)
    pre = payload(at)["preroll"]
    its = [f["it"] for f in pre["frames"]]
    stride, fps = LiveSettings(lr=0.1, l2=0.0, iters=1000, speed="1×", logy=False, hidden=8, act="relu", batch="10",
                               seed=0).playback()
    assert pre["base"] == 0 and its == [stride * k for k in range(1, len(its) + 1)] and pre["series"]["t0"] == 0
    assert 1 <= len(its) <= math.ceil(PROTOCOL["first_chunk_s"] * fps)  # fewer if the server is slow (40 ms budget)
    live = at.session_state["live:net"]
    assert live.run.iteration == 0 and len(live.run.history) == 0  # only a preview: the run has not moved
    p = view.play(preroll=pre)
    assert p["base"] == its[-1] and p["frames"][0]["it"] > its[-1] and p["series"]["t0"] == its[-1]
    losses = live.run.history.columns["train_loss"][: its[-1]]
    np.testing.assert_allclose(losses, pre["series"]["cols"]["train_loss"], rtol=1e-4)
    k = len(its) // 2
    view.pause(its[k])  # paused on a frame the browser played from the preview
    assert live.run.iteration == its[k] and status(at).startswith(f"Iteration {its[k]} / 1,000 · paused")
    model = live.run.model.copy()
    np.testing.assert_allclose(grids(pre)[k], decision_grid(model, live.plane.grid), atol=1 / 255)


def test_a_preview_made_with_another_alpha_is_not_taken():
    at = open_page("net")
    view = Browser(at)
    stale = payload(at)["preroll"]
    at.select_slider(key="lr").set_value("0.3").run()  # the page now previews with α = 0.3
    epoch = payload(at)["epoch"]
    p = view.play(preroll=stale)
    assert p["epoch"] == epoch + 1 and p["full"] and p["frames"][0]["it"] == 0 and p["state"] == "playing"
    assert at.session_state["live:net"].run.iteration == 0  # back to the frame the browser started from

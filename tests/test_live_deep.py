"""The network page with several hidden layers, an optimizer and fresh weights (issue 24), through AppTest: the run
is the core's, a change says whether it restarts the run, bad input keeps the state."""

from __future__ import annotations

import numpy as np
from app_support import assert_clean, button, open_page, switch
from live_support import Browser, grids, payload, status

from scratchnet import Adam, Momentum, Network, TrainingRun, make_model
from scratchnet.plane import decision_grid
from scratchnet.ui.live_frames import GRID_RESOLUTION


def live(at):
    return at.session_state["live:net"]


def test_a_six_layer_run_is_the_cores_run_and_pauses_with_unit_maps():
    at = open_page("net", layers="8,8,8,8,8,8", act="tanh", iters="100", lr="0.3", opt="Momentum")
    run = live(at).run
    assert type(run.model) is Network and run.model.hidden_layers == (8,) * 6
    assert run.optimizer == Momentum(0.9)
    sent = Browser(at).play_to_end()
    assert status(at).startswith("Iteration 100 / 100 · finished")
    pb = live(at).plane.problem
    ref = TrainingRun(make_model("net", pb.n_inputs, hidden_layers=(8,) * 6, activation="tanh", seed=0),
                      pb.X_train, pb.y_train, pb.X_test, pb.y_test, lr=0.3, optimizer=Momentum(0.9))
    ref.advance(100)
    np.testing.assert_array_equal(run.history.array("train_loss"), ref.history.array("train_loss"))
    last = [p for p in sent if p.get("frames")][-1]
    assert last["frames"][-1]["it"] == 100
    expected = decision_grid(ref.model, live(at).plane.grid)
    assert expected.shape == (GRID_RESOLUTION, GRID_RESOLUTION)
    assert np.max(np.abs(grids(last)[-1] - expected)) <= 1 / 255 + 1e-12  # the frame on screen is the core's
    units = live(at).units_payload()
    assert units is not None and units["it"] == 100 and units["depth"] == 6  # the first layer's maps, paused


def test_layer_buttons_add_and_remove_layers_and_say_the_run_restarted():
    at = open_page("net", iters="50")
    view = Browser(at)
    view.play()
    view.need()
    button(at, "layer_add").click().run()
    assert at.session_state["layers"] == "8,8"
    p = payload(at)
    assert "Hidden units changed (8 → 8,8)" in p["notice"] and "restarted from iteration 0" in p["notice"]
    assert live(at).run.model.hidden_layers == (8, 8)
    button(at, "layer_remove").click().run()
    assert live(at).run.model.hidden_units == 8 and at.session_state["layers"] == ""


def test_new_weights_keep_the_points_and_the_optimizer_change_restarts():
    at = open_page("net", seed="3")
    before = live(at)
    points = before.plane.problem.X_train.copy()
    start = before.run.model.get_params()
    view = Browser(at)
    view.play()
    view.need()
    button(at, "reweigh").click().run()
    after = live(at)
    np.testing.assert_array_equal(after.plane.problem.X_train, points)  # the same data …
    assert not np.array_equal(after.run.model.params["W1"], start["W1"])  # … new starting weights
    assert "Weights seed changed (0 → 1)" in payload(at)["notice"]
    Browser(at).step()
    at.radio(key="opt").set_value("adam").run()
    assert live(at).run.optimizer == Adam(0.9, 0.999)
    assert "Optimizer changed (sgd → adam β=0.9 β₂=0.999)" in payload(at)["notice"]


def test_a_bad_shape_says_so_and_keeps_a_network():
    at = open_page("net", layers="6,4")
    at.text_input(key="layers").set_value("6,x").run()
    assert not at.exception
    assert any("is not a network shape" in w.value for w in at.warning)
    assert live(at).run.model.hidden_units == 8  # one layer of `hidden` units until it is fixed
    at.text_input(key="layers").set_value("3,3,3").run()
    assert live(at).run.model.hidden_layers == (3, 3, 3) and not at.warning


def test_the_math_page_shows_the_runs_next_update_and_the_l1_zeros():
    at = open_page("net", layers="6,4", l1="0.01", opt="Momentum", iters="50", lr="0.3")
    Browser(at).play_to_end()
    run = live(at).run
    switch(at, "math")
    assert_clean(at)
    table = next(df.value for df in at.dataframe if "θ_(t+1) − θ_t" in list(df.value.get("quantity", [])))
    state = run.state_at(run.iteration)
    theta = run.model.params["W1"].reshape(-1)[:4]
    v_next = table.set_index("quantity").loc["v_(t+1)"].to_numpy()
    np.testing.assert_allclose(table.set_index("quantity").loc["W1 (θ_t)"].to_numpy(), theta, rtol=1e-15)
    np.testing.assert_allclose(v_next - 0.9 * state.slots["v"][:4],
                               -0.3 * table.set_index("quantity").loc["g_t = ∂J/∂θ"].to_numpy(), rtol=1e-9)
    zeros = sum(int(np.count_nonzero(run.model.params[w] == 0.0)) for w in run.model.weight_names)
    assert any(f"has set {zeros} of the" in c.value for c in at.caption)

"""The network diagram: the core's names, node maps, gradients and edits (scratchnet/diagram.py,
TrainingRun.edit), and what the live component receives (AppTest): on every frame checked, θ and ∂J/∂θ equal the
model's at that frame's weights, on both model pages, a deep net and K = 3 classes; a typed weight becomes the
run's, bad input changes nothing, a link's edits start the run."""

from __future__ import annotations

import numpy as np
import pytest
from app_support import assert_clean, open_page
from live_support import Browser, payload

from scratchnet import TrainingRun, make_model
from scratchnet import diagram as D
from scratchnet.data import synthetic_dataset
from scratchnet.optimizers import Momentum
from scratchnet.ui.diagram_payload import RESOLUTION, decode_theta_grad
from scratchnet.ui.live_payload import decode_grids


def data(k: int = 2, n: int = 120):
    ds = synthetic_dataset("blobs3" if k == 3 else "moons", n=n, noise=0.2, seed=1)
    return ds.X_train, ds.y_train


MODELS = [("logistic", 2, {}), ("logistic", 3, {}), ("net", 2, {"hidden_units": 5}), ("net", 3, {"hidden_units": 4}),
          ("net", 2, {"hidden_layers": (4, 3, 2)}), ("net", 3, {"hidden_layers": (3, 3)}),
          ("net", 2, {"hidden_layers": ()})]


@pytest.mark.parametrize("kind,k,hyper", MODELS)
def test_names_follow_the_tensors_and_parse_back(kind, k, hyper):
    model = make_model(kind, 2, k, **hyper)
    names, theta = D.entry_names(model), D.flat(model.params)
    assert len(names) == theta.size == model.n_params
    for pos, name in enumerate(names):
        tensor, index = D.parse_entry(model, name)
        assert np.asarray(model.params[tensor])[index] == theta[pos]
    lay = D.layout(model)
    assert lay.sizes[0] == 2 and lay.sizes[-1] == (1 if k == 2 else k) and len(lay.sizes) == len(lay.weights) + 1


def test_node_maps_are_each_layers_output_over_the_plane():
    model = make_model("net", 2, 2, hidden_layers=(4, 3))
    X, _ = data()
    maps = D.node_maps(model, X[:12], (3, 4))
    _, cache = model.forward(X[:12])
    assert [m.shape for m in maps] == [(2, 3, 4), (4, 3, 4), (3, 3, 4), (1, 3, 4)]
    np.testing.assert_allclose(maps[2].reshape(3, -1).T, cache["h2"])
    np.testing.assert_allclose(maps[-1].reshape(-1), model.predict_proba(X[:12]))


@pytest.mark.parametrize("bad", ["W9[0,0]", "W1[8,0]", "W1[0]", "b2[0]", "x", "W1[0,0", ""])
def test_a_name_the_model_lacks_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="W1|b2|name|entry|no "):
        D.parse_entry(make_model("net", 2, 2, hidden_units=8), bad)


@pytest.mark.parametrize("bad", ["abc", "nan", "inf", "-inf", "1e9", "101", "", "1,5"])
def test_a_typed_value_that_is_not_a_number_in_range_is_refused(bad):
    with pytest.raises(ValueError, match="not a number|between"):
        D.check_value(bad)
    assert D.check_value(" −2.5 ") == -2.5 and D.check_value(100) == 100.0


@pytest.mark.parametrize("optimizer,batch", [(None, None), (Momentum(0.9), None), (None, 16)])
def test_edit_then_step_is_a_run_started_from_the_edited_weights(optimizer, batch):
    X, y = data()
    make = lambda: make_model("net", 2, 2, hidden_units=6, seed=3)  # noqa: E731
    run = TrainingRun(make(), X, y, lr=0.3, batch_size=batch, optimizer=optimizer, snapshot_every=5)
    run.advance(23)
    edited = D.edited(run.model, run.model.params, "W1[2,0]", 1.0)
    state = run.state_at(23)
    run.edit(edited)
    assert run.iteration == 23 and len(run.history) == 23 and run.model.params["W1"][2, 0] == 1.0
    # the reference: a run of its own from θ = edited at iteration 23, with the optimizer's state there
    ref = TrainingRun(make(), X, y, lr=0.3, batch_size=batch, optimizer=optimizer, snapshot_every=5)
    ref.advance(23)
    ref.rewind(23, edited, state)
    run.advance(17)
    ref.advance(17)
    for name in run.model.params:
        np.testing.assert_array_equal(run.model.params[name], ref.model.params[name])
    assert len(run.history) == 40 and run.history.columns["train_loss"] == ref.history.columns["train_loss"]
    if optimizer is None and batch is None:  # plain gradient descent: the same as starting afresh from there
        fresh = TrainingRun(make(), X, y, lr=0.3)
        fresh.model.set_params(edited)
        fresh.advance(17)
        np.testing.assert_allclose(D.flat(run.model.params), D.flat(fresh.model.params), rtol=0, atol=1e-12)


def test_an_edit_revives_a_diverged_run_and_refuses_what_is_not_finite():
    X, y = data()
    run = TrainingRun(make_model("logistic", 2, 2), X, y, lr=0.1)
    run.advance(5)
    bad = run.model.get_params()
    bad["w"] = np.array([np.nan, 1.0])
    with pytest.raises(ValueError, match="finite"):
        run.edit(bad)
    with pytest.raises(ValueError, match="exactly"):
        run.edit({"w": bad["w"]})
    assert run.edits == 0 and np.isfinite(run.model.params["w"]).all()
    run.history.diverged_at = run.iteration  # as a divergence leaves it
    run.edit(D.edited(run.model, run.model.params, "b", 0.5))
    assert not run.diverged and run.advance(3) == 3


def test_link_edits_parse_and_spell_tidily():
    assert D.parse_edits("W1[2, 0]:1.0; b2 : -0.5;") == [("W1[2,0]", 1.0), ("b2", -0.5)]
    assert D.edits_text("W1[2,0]:1.0;b2:-0.5") == "W1[2,0]:1;b2:-0.5"
    for bad in ("W1[2,0]=1", "W1[2,0]:x", "W1:1e9", ";".join(["b2:1"] * 9)):
        assert D.edits_text(bad) is None


# --- what the live component receives (AppTest) ---------------------------------------------------------
def check_frames(at, sent, every: int = 3) -> int:
    """θ and ∂J/∂θ of every `every`-th frame sent equal the model's at that frame's weights (a reference run of
    the same settings, advanced to each frame's iteration); the node maps are the model's over the plane."""
    live = at.session_state[next(k for k in at.session_state if k.startswith("live:"))]
    pb, model0 = live.plane.problem, live.run.model
    ref = TrainingRun(model0.copy(), pb.X_train, pb.y_train, lr=0.1)
    ref.model.set_params(live.run.initial_params)
    grid = live.plane.diagram.grid
    checked = 0
    for p in sent:
        if not p.get("frames"):
            continue
        theta, grad = decode_theta_grad(p["dgm"])
        maps = decode_grids(p["dgm"]["maps"])
        at = p["dgm"]["at"]  # the frames that carry the diagram: every other one or so, and always the last
        assert theta.shape == (len(at), model0.n_params) and at[-1] == len(p["frames"]) - 1
        assert all(b - a <= live.plane.diagram.every for a, b in zip([-1, *at], at, strict=False))
        for j, k in enumerate(at):
            frame = p["frames"][k]
            if frame["it"] < ref.iteration or (j % every and k != len(p["frames"]) - 1):
                continue
            ref.advance(frame["it"] - ref.iteration)
            want_theta = D.flat(ref.model.params)
            want_grad = D.flat(D.gradient_now(ref.model, pb.X_train, pb.y_train))
            np.testing.assert_allclose(theta[j], want_theta, rtol=1e-6, atol=1e-7)
            np.testing.assert_allclose(grad[j], want_grad, rtol=1e-5, atol=1e-7)
            out = D.node_maps(ref.model, grid.points, grid.shape, pb.transform)[-1]
            got = maps[j].reshape(-1, RESOLUTION, RESOLUTION)[-out.shape[0]:] / 255.0
            np.testing.assert_allclose(got, out, atol=0.5 / 255 + 1e-9)
            checked += 1
    return checked


@pytest.mark.parametrize("page,query", [("net", {}), ("logistic", {"feats": ["x1²", "sin(x1)"]}),
                                        ("net", {"layers": "6,6,6,6,6,6"}), ("net", {"data": "blobs3"}),
                                        ("logistic", {"data": "blobs3"})])
def test_the_component_gets_the_models_weights_and_gradients_on_every_frame(page, query):
    at = open_page(page, iters="100", **query)
    first = payload(at)
    meta = first["meta"]["diagram"]
    live = at.session_state[f"live:{page}"]
    assert meta["names"] == D.entry_names(live.run.model) and meta["sizes"] == list(D.layout(live.run.model).sizes)
    sent = [first, *Browser(at).play_to_end()]
    assert check_frames(at, sent) >= 5
    assert_clean(at)


def test_a_typed_weight_becomes_the_runs_and_bad_input_changes_nothing():
    at = open_page("net")
    b = Browser(at)
    b.step()
    live = at.session_state["live:net"]
    before = D.flat(live.run.model.params)
    for name, value in (("W1[9,0]", 1.0), ("W1[0,0]", 1e5), ("W1[0,0]", None), ("bogus", 1.0)):
        fields = {"name": name} if value is None else {"name": name, "value": value}
        p = b.send("edit", **fields)
        assert p["notice"].startswith("Not changed:") and np.array_equal(D.flat(live.run.model.params), before)
    p = b.send("edit", name="w2[3]", value=-2.0)
    assert p["notice"] == "" and live.run.model.params["w2"][3] == -2.0 and live.run.iteration == 10
    theta, grad = decode_theta_grad(p["dgm"])
    np.testing.assert_allclose(theta[-1], D.flat(live.run.model.params), rtol=1e-6)
    pb = live.plane.problem
    np.testing.assert_allclose(grad[-1], D.flat(D.gradient_now(live.run.model, pb.X_train, pb.y_train)), rtol=1e-5,
                               atol=1e-7)
    assert "Iteration 10 / 1,000" in p["status"]
    edited = live.run.model.get_params()
    b.step()  # the next Step starts from the typed weights
    ref = TrainingRun(make_model("net", pb.n_inputs, hidden_units=8, seed=0), pb.X_train, pb.y_train, lr=0.1)
    ref.model.set_params(edited)
    ref.advance(10)
    np.testing.assert_allclose(D.flat(live.run.model.params), D.flat(ref.model.params), atol=1e-12)
    b.send("reset")
    np.testing.assert_array_equal(D.flat(live.run.model.params), D.flat(live.run.initial_params))


def test_a_links_edits_start_the_run_and_a_bad_one_says_so():
    at = open_page("net", edits="W1[2,0]:1;b2:-0.5")
    live = at.session_state["live:net"]
    assert live.run.model.params["W1"][2, 0] == 1.0 and live.run.model.params["b2"] == -0.5
    assert "edited by the link" in payload(at)["notice"]
    bad = open_page("net", edits="W1[99,0]:1")
    assert "were not applied" in payload(bad)["notice"]
    assert_clean(bad)
    junk = open_page("home", edits="W1[2,0]:lots")  # the page a link opens says what it could not use
    said = [i.value.replace("\\", "") for i in junk.info]  # markdown-escaped
    assert any("edits=W1[2,0]:lots is not allowed, so Starting weights set by hand is none" in t for t in said), said

"""The live view with K ≥ 3 classes through AppTest: the regions the component receives (the winning class and
its probability per cell) are the core's class_regions of decision_grid at each frame's weights, the meta names
every class with its colour and tint, the hidden-unit maps say which class each unit raises; two classes and
one-vs-rest send exactly what they always did."""

from __future__ import annotations

import numpy as np
import pytest
from app_support import assert_clean, open_page
from live_support import Browser, grids, payload, regions

from scratchnet import TrainingRun, figures, make_model
from scratchnet.plane import class_regions, decision_grid, hidden_unit_grids, unit_votes
from scratchnet.ui.live_frames import GRID_RESOLUTION
from scratchnet.ui.live_payload import NAN_CLASS, decode_grids, quantise_regions
from scratchnet.ui.params import PARAMS_BY_KEY


def reference_run(at, page: str) -> TrainingRun:
    live = at.session_state[f"live:{page}"]
    pb = live.plane.problem
    model = make_model(page, pb.n_inputs, pb.n_classes, hidden_units=8, activation="relu", seed=0)
    return TrainingRun(model, pb.X_train, pb.y_train, pb.X_test, pb.y_test, lr=0.1)


def test_frames_for_three_classes_equal_the_core_regions_within_a_quantisation_step():
    at = open_page("net", data="spiral3", iters=200)
    first = payload(at)
    meta = first["meta"]
    assert meta["k"] == 3 and meta["class_names"] == ["0", "1", "2"]
    assert meta["colors"][:3] == list(figures.CLASS_COLORS[:3])
    assert meta["tints"] == [figures.tint(c, figures.BOUNDARY_TINT) for c in figures.CLASS_COLORS[:3]]
    assert set(meta["points"]["c"]) == {0, 1, 2}  # every point keeps its own class
    sent = Browser(at).play_to_end()
    its = [f["it"] for p in sent for f in p.get("frames", [])]
    assert its[-1] == 200
    decoded = [regions(p) for p in sent if p.get("frames")]
    winner, prob = np.concatenate([w for w, _ in decoded]), np.concatenate([q for _, q in decoded])
    assert winner.shape == prob.shape == (len(its), GRID_RESOLUTION, GRID_RESOLUTION)
    ref, grid = reference_run(at, "net"), at.session_state["live:net"].plane.grid
    for k, it in enumerate(its):
        ref.advance(it - ref.iteration)
        if k % 5 == 0 or it == 200:
            expected = class_regions(decision_grid(ref.model, grid))
            np.testing.assert_array_equal(winner[k], expected.winner, err_msg=str(it))
            assert np.max(np.abs(prob[k] - expected.confidence)) <= 1 / 255 + 1e-12, it
    assert len(np.unique(winner[-1])) == 3  # three regions on screen
    assert_clean(at)


def test_softmax_regression_steps_and_looks_back_with_regions():
    at = open_page("logistic", data="blobs4")
    view = Browser(at)
    for _ in range(3):
        view.step()
    live = at.session_state["live:logistic"]
    p = payload(at)
    assert live.plane.meta()["k"] == 4
    w, q = regions(p)
    expected = class_regions(decision_grid(live.run.model, live.plane.grid))
    np.testing.assert_array_equal(w[-1], expected.winner)
    assert np.max(np.abs(q[-1] - expected.confidence)) <= 1 / 255 + 1e-12
    next(s for s in at.slider if s.label == "Look back through the run").set_value(17).run()
    p = payload(at)
    model = live.run.model.copy()
    model.params = live.run.history.snapshots[10]
    w, q = regions(p)
    expected = class_regions(decision_grid(model, live.plane.grid))
    np.testing.assert_array_equal(w[0], expected.winner)
    assert np.max(np.abs(q[0] - expected.confidence)) <= 1 / 255 + 1e-12
    assert_clean(at)


def test_hidden_unit_maps_name_the_class_each_unit_raises():
    at = open_page("net", data="blobs3")
    view = Browser(at)
    view.step()
    units = payload(at, "sn_units_")["units"]
    live = at.session_state["live:net"]
    model = live.run.model
    votes, weight = unit_votes(model)
    order = [i - 1 for i in units["ids"]]
    assert units["votes"] == [int(votes[k]) for k in order]
    np.testing.assert_allclose(units["w2"], [weight[k] for k in order], atol=5e-3)
    np.testing.assert_array_equal(votes, np.argmax(model.params["W2"], axis=0))
    h1 = hidden_unit_grids(model, live.plane.unit_grid)
    maps = decode_grids(units).astype(float) / 255 * 2 - 1  # h1/peak, no sign flip with K classes
    for m, k in zip(maps, order, strict=True):
        peak = np.abs(h1[k]).max()
        np.testing.assert_allclose(m, h1[k] / peak if peak > 0 else 0 * m, atol=1 / 255 + 1e-9)


def test_one_vs_rest_and_two_classes_send_probabilities_as_before():
    ovr = PARAMS_BY_KEY["classes"].encode("one-vs-rest")
    for query in ({"data": "spiral3", "classes": ovr}, {"data": "moons"}):
        at = open_page("logistic", **query)
        p = payload(at)
        assert p["meta"]["k"] == 2 and p["grids"]["h"] == GRID_RESOLUTION  # one plane of P(class 1)
        live = at.session_state["live:logistic"]
        np.testing.assert_allclose(grids(p)[0], decision_grid(live.run.model, live.plane.grid), atol=1 / 255)


def test_non_finite_cells_get_the_nan_class():
    q, finite = quantise_regions(np.array([[0, 2], [1, 1]]), np.array([[0.5, np.nan], [1.0, 0.34]]))
    assert not finite and q.shape == (4, 2)
    assert q[:2].tolist() == [[0, NAN_CLASS], [1, 1]] and q[2:].tolist() == [[128, 128], [255, 87]]


def test_the_gradient_chart_draws_w2s_rows_one_per_class():
    at = open_page("net", data="spiral3")
    p = payload(at)
    lines = p["meta"]["charts"]["grad"]["lines"]
    assert [line["key"] for line in lines] == ["grad_norm_W1", "grad_norm_b1", "grad_norm_W2[0]", "grad_norm_W2[1]",
                                               "grad_norm_W2[2]", "grad_norm_b2"]
    assert [line["color"] for line in lines[2:5]] == list(figures.CLASS_COLORS[:3])
    assert lines[2]["label"] == "‖dW2 · 0‖"
    sent = Browser(at).step()
    live = at.session_state["live:net"]
    for c in range(3):  # the series carries each row's norm, as the History keeps it
        assert sent["series"]["cols"][f"grad_norm_W2[{c}]"] == [
            pytest.approx(v, rel=1e-4) for v in live.run.history.columns[f"grad_norm_W2[{c}]"]]
    binary = payload(open_page("net"))["meta"]["charts"]["grad"]["lines"]
    assert [line["key"] for line in binary] == ["grad_norm_W1", "grad_norm_b1", "grad_norm_w2", "grad_norm_b2"]


def test_model_pages_show_the_softmax_derivation_line_for_k_classes():
    at = open_page("logistic", data="blobs3")
    assert any("ŷ = softmax(z)" in c.value and "(P − Y)ᵀX/m" in c.value for c in at.caption)
    at = open_page("net", data="spiral3")
    assert any("dL/dz = ŷ − onehot(y)" in c.value and "W2ᵀ·dL/dz" in c.value for c in at.caption)
    at = open_page("net", data="moons")
    assert any("ŷ = σ(z)" in c.value for c in at.caption) and not any("softmax" in c.value for c in at.caption)

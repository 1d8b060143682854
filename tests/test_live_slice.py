"""The live view on data with more than two features, through AppTest: the plane is drawn over the two features
chosen in the sidebar, each point carries its opacity (faded by its distance from the slice) in the meta, and
choosing other features mid-run or paused redraws the plane from the model as it is, never restarting the run."""

from __future__ import annotations

import base64

import numpy as np
from app_support import assert_clean, button, open_page, switch
from live_support import Browser, grids, payload, point_alphas, regions, trigger
from realistic_data import titanic_csv, wine_csv

from scratchnet.plane import class_regions, decision_grid
from scratchnet.ui import params as S
from scratchnet.ui.live_frames import GRID_RESOLUTION
from scratchnet.ui.live_payload import DISTANCE_STEP

TITANIC = ["Pclass", "Sex", "SibSp", "Parch", "Fare"]  # five features, none with empty cells
WINE = ["Alcohol", "Malic acid", "Flavanoids", "Color intensity", "Hue", "Proline"]


def use_upload(name: str, data: bytes, features: list[str], page: str = "logistic", **query: object):
    at = open_page("upload", **query)
    at.file_uploader(key="csv_file").set_value((name, data, "text/csv")).run()
    next(w for w in at.multiselect if w.key and w.key.startswith("features_")).set_value(features).run()
    button(at, "use_upload").click().run()
    switch(at, page)
    assert_clean(at)
    return at


def live(at, page: str = "logistic"):
    return at.session_state[f"live:{page}"]


def assert_plane(at, meta: dict, page: str = "logistic") -> None:
    """The meta's axes, titles and point opacities are the problem's (opacities within one byte's step), and
    the points are in the order train, test."""
    pb = live(at, page).plane.problem
    ds = pb.dataset
    assert tuple(meta["axes"]) == pb.plot_axes and (meta["xname"], meta["yname"]) == pb.plot_names
    assert meta["xlabel"] == pb.plot_names[0][:30] and "held at their mean" in meta["note"]
    assert all(name in meta["tip"] for name in pb.held_names)
    expected = np.concatenate([pb.point_alpha(ds.X_train), pb.point_alpha(ds.X_test)])
    alpha = point_alphas(meta)
    assert alpha is not None and alpha.shape == expected.shape == (len(meta["points"]["x"]),)
    assert np.max(np.abs(alpha - expected)) <= 0.5 / 255 + 1e-12
    assert alpha.min() < 0.5 < alpha.max()  # some points lie far from the slice, some near it
    distance = np.concatenate([pb.slice_distance(ds.X_train), pb.slice_distance(ds.X_test)])
    sent = np.frombuffer(base64.b64decode(meta["points"]["dist"]), dtype=np.uint8) * DISTANCE_STEP
    assert np.max(np.abs(sent - np.minimum(distance, 255 * DISTANCE_STEP))) <= DISTANCE_STEP / 2 + 1e-9
    raw = ds.to_original(np.vstack([ds.X_train, ds.X_test]))
    for k, axis in enumerate(pb.plot_axes):  # a feature with few values is spread around each, never to another
        drawn, values, jitter = np.asarray(meta["points"]["xy"[k]]), raw[:, axis], meta["points"]["jitter"][k]
        if jitter is None:
            np.testing.assert_allclose(drawn, values, rtol=1e-3, atol=1e-9)
            continue
        levels = np.asarray(jitter["levels"])
        assert len(levels) <= 12 and np.all(np.abs(drawn - values) <= jitter["spread"] * (1 + 1e-3))
        nearest = levels[np.argmin(np.abs(drawn[:, None] - levels[None, :]), axis=1)]
        np.testing.assert_allclose(nearest, values, rtol=1e-9)


def assert_grid_is_models(at, p: dict, page: str = "logistic") -> None:
    """The last frame of payload p is the decision grid of the run's weights now over the chosen axes (for K ≥ 3
    classes, its regions: the winning class and its probability)."""
    run = live(at, page)
    assert run.plane.grid.axes == run.plane.problem.plot_axes
    assert p["frames"][-1]["it"] == run.run.iteration
    expected = decision_grid(run.run.model, run.plane.problem.plane_grid(GRID_RESOLUTION), run.plane.problem.transform)
    if run.plane.problem.n_classes > 2:  # the wine uploads here keep their three cultivars
        winner, prob = regions(p)
        expected_regions = class_regions(expected)
        np.testing.assert_array_equal(winner[-1], expected_regions.winner)
        assert np.max(np.abs(prob[-1] - expected_regions.confidence)) <= 0.5 / 255 + 1e-12
        return
    assert np.max(np.abs(grids(p)[-1] - expected)) <= 0.5 / 255 + 1e-12


def test_an_upload_of_five_features_draws_the_chosen_plane_with_faded_points():
    at = use_upload("titanic.csv", titanic_csv(), TITANIC)
    p = payload(at)
    assert_plane(at, p["meta"])
    classes = list(live(at).plane.problem.dataset.class_names)
    assert p["meta"]["points"]["of"] == 400 and p["meta"]["class_names"] == classes
    assert live(at).plane.problem.plot_names == ("Pclass", "Sex")  # three and two values: both drawn spread out
    assert [j["levels"] for j in p["meta"]["points"]["jitter"]] == [[1, 2, 3], [0, 1]]
    assert_grid_is_models(at, p)
    sent = Browser(at).play_to_end()
    assert all("meta" not in m for m in sent)  # the opacities travel once, with the meta, never with frames
    assert_grid_is_models(at, sent[-2])


def test_changing_the_drawn_feature_mid_run_keeps_the_run_and_redraws_the_new_plane():
    at = use_upload("wine.csv", wine_csv(), WINE, page="net", iters="2000")
    view = Browser(at)
    view.play()
    ahead = view.need()
    on_screen, run = view.shown, live(at, "net")
    assert ahead["frames"][-1]["it"] > on_screen and run.run.iteration > on_screen
    trained = run.run
    before = run.plane.problem.plot_axes
    x = next(n for n in WINE if n not in run.plane.problem.plot_names)
    at.selectbox(key="plot_x").set_value(x).run()
    assert_clean(at)
    held = payload(at)
    assert held["hold"] and held["state"] == "playing" and held["epoch"] == ahead["epoch"] + 1 and not held["notice"]
    assert live(at, "net") is run and run.run is trained  # the same run: not restarted
    assert tuple(held["meta"]["axes"]) != before and held["meta"]["xname"] == x
    assert_plane(at, held["meta"], "net")
    p = view.need(show_all=False, want=0.12)  # live.js: hold the frame on screen, ask again from it
    assert p["base"] == on_screen and p["frames"][0]["it"] > on_screen and not p["hold"]
    assert p["series"]["t0"] == on_screen and run.run.history.columns["lr"][:on_screen] == [0.1] * on_screen
    assert_grid_is_models(at, p, "net")
    paused = view.pause(p["frames"][1]["it"])
    assert paused["state"] == "paused" and run.run.iteration == p["frames"][1]["it"] == len(run.run.history)


def test_changing_the_drawn_feature_while_paused_redraws_the_frame_on_screen():
    at = use_upload("wine.csv", wine_csv(), WINE, page="net")
    view = Browser(at)
    for _ in range(3):
        view.step()
    run = live(at, "net")
    assert run.run.iteration == 3 * S.STEP_ITERATIONS
    y = next(n for n in WINE if n not in run.plane.problem.plot_names)
    at.selectbox(key="plot_y").set_value(y).run()
    assert_clean(at)
    p = payload(at)
    assert p["state"] == "paused" and not p["hold"] and p["base"] == -1 and p["meta"]["yname"] == y
    assert [f["it"] for f in p["frames"]] == [3 * S.STEP_ITERATIONS] and live(at, "net").run is run.run
    assert_plane(at, p["meta"], "net")
    assert_grid_is_models(at, p, "net")
    units = payload(at, "sn_units_")
    assert tuple(units["meta"]["axes"]) == run.plane.problem.plot_axes  # the hidden units' maps: the same plane
    again = view.send("frame")  # what live.js asks when a request crossed the change: the frame now, anew
    assert [f["it"] for f in again["frames"]] == [3 * S.STEP_ITERATIONS]
    assert_grid_is_models(at, again, "net")
    assert view.step()["frames"][-1]["it"] == 4 * S.STEP_ITERATIONS  # and the run goes on from there


def test_two_features_send_no_opacities_and_no_note():
    at = open_page("logistic")
    meta = payload(at)["meta"]
    assert point_alphas(meta) is None and meta["note"] == "" and meta["axes"] == [0, 1]


def test_a_request_in_the_same_run_as_the_new_features_gets_the_new_plane():
    """The race a browser meets: its request for frames and the new drawn feature arrive in one page run. The
    answer to the request carries the new plane's meta, because the request says which plane it draws."""
    at = use_upload("wine.csv", wine_csv(), WINE, page="net", iters="2000")
    view = Browser(at)
    view.play()
    view.need()
    run = live(at, "net")
    old = ",".join(str(k) for k in run.plane.problem.plot_axes)
    x = next(n for n in WINE if n not in run.plane.problem.plot_names)
    at.selectbox(key="plot_x").set_value(x)  # not run yet: it goes with the request below
    view.req += 1
    trigger(at, {"op": "need", "req": view.req, "mount": view.mount, "epoch": view.epoch, "shown": view.buffered,
                 "next": view.buffered, "want": 1.5, "plane": old})
    assert_clean(at)
    p = payload(at)
    assert p["ack"] == view.req and p["hold"] and p["meta"]["xname"] == x and live(at, "net").run is run.run
    assert_plane(at, p["meta"], "net")
    view.epoch, view.shown = p["epoch"], view.buffered
    p = view.send("need", next=view.buffered, want=0.12, plane=run.plane.key)  # from the frame held, new plane
    assert "meta" not in p and p["frames"][0]["it"] > view.shown and not p["hold"]
    assert_grid_is_models(at, p, "net")

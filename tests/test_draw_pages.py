"""The model pages with drawn data, through AppTest: the plane's edits (the live view's `draw` trigger) change the
set training uses, the run goes on from its weights, a refusal or a garbled link gets a message and loses nothing,
the set survives a page switch and rides in the URL; the two picture checkboxes reach the view; the share link
carries the points while they fit, and "Use it in class" writes the hide= link."""

from __future__ import annotations

import json

import numpy as np
from app_support import assert_clean, copy_texts, open_page, switch
from live_support import Browser, components, payload

from scratchnet.data import synthetic_dataset
from scratchnet.data.drawn import MAX_POINTS, Drawn
from scratchnet.ui import drawing
from scratchnet.ui.params import PTS


def draw(at, *edits, n=None):
    """Send the plane's edits as draw.js does: one numbered message on the view's `draw` trigger."""
    draw.n = n or getattr(draw, "n", 0) + 1
    element = components(at)[0]
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = f"$$STREAMLIT_INTERNAL_KEY_{element.proto.id}__events"
    state.json_trigger_value = json.dumps([{"event": "draw", "value": {"n": draw.n, "edits": list(edits)}}])
    at._run(states)
    assert_clean(at)


def add(x, y, c):
    return {"op": "add", "x": x, "y": y, "c": c, "r": 0.3}


def test_plane_edits_train_at_once_and_the_run_keeps_its_weights():
    at = open_page("net", data="drawn")
    p = payload(at)
    assert p["draw"] == {"on": True, "cls": 0, "n": 2, "seen": 0} and len(p["meta"]["points"]["x"]) == 2
    assert p["show"] == {"test": True, "discrete": False}
    Browser(at).step()
    before = at.session_state["live:net"]
    weights = before.run.model.get_params()
    draw(at, add(-2.0, -2.5, 0), add(-2.5, -2.0, 0), {"op": "remove", "x": 9, "y": 9, "r": 0.1})
    live = at.session_state["live:net"]
    assert live is not before and live.run.X.shape == (4, 2)  # the next Step trains on four points
    assert all(np.array_equal(weights[k], v) for k, v in live.run.model.get_params().items())  # from its weights
    p = payload(at)
    assert p["draw"]["n"] == 4 and p["draw"]["seen"] == draw.n and p["epoch"] > before.epoch
    assert "training goes on from the weights it had" in p["notice"]
    assert "There is no point there to remove." in [w.value for w in at.warning]
    assert Drawn.start().add(-2.0, -2.5, 0)[0].add(-2.5, -2.0, 0)[0] == at.session_state[drawing.DRAWN_KEY]
    assert at.query_params[PTS] == at.session_state[drawing.DRAWN_KEY].encode()  # in the page's URL
    draw(at, add(0, 0, 1), n=draw.n)  # the same message again (a resend) acts once
    assert at.session_state[drawing.DRAWN_KEY].n == 4
    Browser(at).step()
    assert at.session_state["live:net"].run.iteration == 10
    switch(at, "logistic")  # the set survives a page switch, and the other model page trains on it
    assert_clean(at)
    Browser(at).step()
    assert at.session_state["live:logistic"].run.X.shape == (4, 2)


def test_bad_edits_change_nothing_and_a_full_set_says_so():
    at = open_page("logistic", data="drawn")
    start = at.session_state[drawing.DRAWN_KEY]
    for bad in ({"op": "add", "x": "1", "y": 0, "c": 0, "r": 1}, {"op": "zap", "x": 0, "y": 0, "r": 0},
                {"op": "add", "x": 0, "y": 0, "c": True, "r": 0}, "junk", {"op": "add", "x": 1e999, "y": 0, "r": 0}):
        draw(at, bad)
    assert at.session_state[drawing.DRAWN_KEY].n == start.n
    full = Drawn(tuple((i % 256, i // 256) for i in range(MAX_POINTS)), (0, 1) * (MAX_POINTS // 2), 2)
    at.session_state[drawing.DRAWN_KEY] = full
    at.run()
    draw(at, add(0, 0, 0))
    assert any(f"{MAX_POINTS} points at most" in w.value for w in at.warning)
    assert at.session_state[drawing.DRAWN_KEY] is full


def test_a_link_brings_the_points_and_a_garbled_one_gets_a_message():
    drawn = Drawn.start(3).add(1.0, -1.0, 2)[0]
    at = open_page("net", data="drawn", pts=drawn.encode())
    assert at.session_state[drawing.DRAWN_KEY] == drawn and payload(at)["meta"]["k"] == 3
    share = copy_texts(at)
    assert any(f"pts={drawn.encode()}" in c and "data=drawn" in c for c in share), share
    bad = open_page("net", data="drawn", pts="AQI*garbled")
    assert any("cannot be read" in w.value for w in bad.warning), [w.value for w in bad.warning]
    assert bad.session_state[drawing.DRAWN_KEY] == Drawn.start()  # a set to draw on; nothing else changed
    assert bad.selectbox(key="data").value == "drawn"


def test_a_set_too_long_for_a_link_says_so_and_the_csv_is_offered(monkeypatch):
    # a full set of 6 classes (1,588 characters) fits LINK_LIMIT behind any usual address and settings; a limit
    # of 1,000 makes it too long here, as a long host name with many settings could
    monkeypatch.setattr(drawing, "LINK_LIMIT", 1000)
    at = open_page("net", data="drawn")
    big = Drawn(tuple((i % 256, (7 * i) % 256) for i in range(MAX_POINTS)), tuple(i % 6 for i in range(MAX_POINTS)),
                6)
    at.session_state[drawing.DRAWN_KEY] = big
    at.run()
    assert_clean(at)
    code = copy_texts(at)
    assert code and all("pts=" not in c for c in code)  # no half link
    assert any("do not fit in a link" in w.value for w in at.warning), [w.value for w in at.warning]
    assert PTS not in at.query_params
    assert any(b.key == "draw_csv" for b in at.get("download_button"))


def test_the_picture_checkboxes_reach_the_view_without_a_new_run():
    at = open_page("net", data="moons")
    Browser(at).step()
    live = at.session_state["live:net"]
    at.checkbox(key="showtest").uncheck().run()
    at.checkbox(key="discrete").check().run()
    assert payload(at)["show"] == {"test": False, "discrete": True}
    assert at.session_state["live:net"] is live and live.run.iteration == 10  # only the picture changed


def test_use_it_in_class_writes_the_link_that_hides_the_ticked_groups():
    at = open_page("net", data="xor", lr="0.3")
    at.checkbox(key="present_hide_data").check().run()
    at.checkbox(key="present_hide_nav").check().run()
    link = copy_texts(at)[-1]
    assert link.endswith("hide=data,nav") and "data=xor" in link and "lr=0.3" in link, link
    shown = open_page("net", data="xor", lr="0.3", hide="data,nav")
    keys = {w.key for w in shown.selectbox} | {w.key for w in shown.select_slider}
    assert "data" not in keys and "lr" in keys


def test_drawing_starts_from_the_data_set_in_use_or_from_one_point_per_class():
    at = open_page("net", data="blobs3")
    at.selectbox(key="data").set_value("drawn").run()
    assert_clean(at)
    drawn = at.session_state[drawing.DRAWN_KEY]
    blobs3 = synthetic_dataset("blobs3", n=200, noise=0.15, seed=0, test_ratio=0.25)
    assert drawn.k == 3 and drawn.n == blobs3.n_train and sorted(set(drawn.c)) == [0, 1, 2]  # its training points
    assert np.allclose(drawn.points, np.clip(2 * blobs3.X_train, -6, 6), atol=0.03)  # ±3 SD fill the square
    Browser(at).step()
    assert at.session_state["live:net"].run.X.shape == (blobs3.n_train, 2)
    at.selectbox(key=drawing.START_K_KEY).set_value(4).run()
    next(b for b in at.button if b.key == "draw_empty").click().run()
    assert_clean(at)
    assert at.session_state[drawing.DRAWN_KEY] == Drawn.start(4) and payload(at)["meta"]["k"] == 4
    next(b for b in at.button if b.key == "draw_from_data").click().run()
    assert at.session_state[drawing.DRAWN_KEY] == drawn

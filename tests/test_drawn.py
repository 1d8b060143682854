"""Drawn data (scratchnet/data/drawn.py): the link encoding is exact both ways and refuses a garbled link with a
message, the caps hold, removal keeps a trainable set, and the CSV loads back through the upload path to the very
same Dataset."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scratchnet.data import prepare_dataset, read_csv
from scratchnet.data.drawn import (
    DOMAIN,
    MAX_DRAWN_CLASSES,
    MAX_POINTS,
    STEP,
    Drawn,
    DrawnLinkError,
    decode,
    snap,
    unsnap,
)
from scratchnet.ui.params import LINK_LIMIT


@st.composite
def drawn_sets(draw, max_points: int = MAX_POINTS) -> Drawn:
    k = draw(st.integers(2, MAX_DRAWN_CLASSES))
    n = draw(st.integers(0, max_points))
    q = draw(st.binary(min_size=2 * n, max_size=2 * n))  # bytes: fast to draw, and what a link holds
    c = draw(st.binary(min_size=n, max_size=n))
    return Drawn(tuple(zip(q[::2], q[1::2], strict=True)), tuple(v % k for v in c), k)


@settings(deadline=None)  # the shared test machine's pauses are no finding
@given(drawn_sets())
@example(Drawn((), (), 2))
@example(Drawn(((0, 255),) * MAX_POINTS, (5,) * MAX_POINTS, 6))
def test_the_link_encoding_round_trips_exactly(drawn):
    text = drawn.encode()
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")  # no escaping
    if drawn.n and set(drawn.c) == set(range(drawn.k)) and min(len({p[j] for p in drawn.q}) for j in (0, 1)) > 1:
        assert decode(text) == drawn
    else:  # a link never opens a set a model cannot train on
        with pytest.raises(DrawnLinkError, match="needs a point of every class"):
            decode(text)


def test_a_full_set_fits_a_link_with_room_for_the_settings():
    for k in (2, MAX_DRAWN_CLASSES):
        full = Drawn(((1, 2),) * MAX_POINTS, tuple(i % k for i in range(MAX_POINTS)), k)
        assert len(full.encode()) <= {2: 1420, 6: 1588}[k] < LINK_LIMIT - 300


@settings(deadline=None)
@given(drawn_sets(max_points=40), st.data())
def test_a_garbled_link_gets_a_message_never_another_set_silently(drawn, data):
    drawn = drawn if drawn.n else Drawn.start(drawn.k)
    text = drawn.encode()
    cut = data.draw(st.integers(1, len(text) - 1))
    for bad in (text[:cut], text + "A", text[:cut] + "*" + text[cut:]):
        try:
            got = decode(bad)
        except DrawnLinkError as err:
            assert str(err).startswith("The drawn points in this link cannot be read")
        else:  # a link cut at a point's boundary can still be a valid, smaller set: then never a different class
            assert got.n <= drawn.n + 1 and set(got.c) <= set(range(got.k))


@pytest.mark.parametrize("text, says", [
    ("", "carries none"), ("%%%", "characters a link of points never has"), ("AAAA", "another version"),
    ("AQk", "says 9 classes"), ("AQI", "needs a point of every class"), ("AQIA", "cut off"),
    ("A" * 5000, "longer than 500 points"),
])
def test_bad_links_say_what_is_wrong(text, says):
    with pytest.raises(DrawnLinkError, match=says):
        decode(text)


def test_points_snap_to_the_bytes_the_link_carries():
    assert snap(-DOMAIN) == 0 and snap(DOMAIN) == 255 and snap(1e9) == 255 and snap(-1e9) == 0
    x = np.linspace(-DOMAIN, DOMAIN, 1001)
    assert np.max(np.abs(unsnap(np.array([snap(v) for v in x])) - x)) <= STEP / 2 + 1e-12


def test_the_cap_and_the_removal_rules():
    drawn = Drawn.start(3)
    assert drawn.n == 3 and sorted(drawn.c) == [0, 1, 2]
    more, why = drawn.add(0.5, -0.5, 1)
    assert why is None and more.n == 4 and more.c[-1] == 1
    assert more.add(0, 0, 3)[1] == "There is no class 3 here: choose one of 0 … 2."
    assert more.add(float("nan"), 0, 0)[0] is more
    same, why = drawn.remove_nearest(*drawn.points[0])
    assert same is drawn and "last point of class 0" in why
    fewer, why = more.remove_nearest(0.4, -0.4)
    assert why is None and fewer == drawn
    assert more.remove_nearest(5.9, 5.9, within=0.5)[1] == "There is no point there to remove."
    full = Drawn(((1, 2),) * MAX_POINTS, (0,) * (MAX_POINTS - 1) + (1,), 2)
    kept, why = full.add(0, 0, 0)
    assert kept is full and f"{MAX_POINTS} points at most" in why
    line = Drawn(((10, 10), (10, 20), (30, 20)), (0, 1, 0), 2)  # without (30, 20) every x1 would be 10
    assert "shares a coordinate" in line.remove_nearest(*line.points[2])[1]


@pytest.mark.parametrize("k", [2, 3])
def test_the_csv_loads_back_through_the_upload_path_to_the_same_dataset(k):
    rng = np.random.default_rng(k)
    drawn = Drawn.from_points(rng.normal(size=(60, 2)), np.arange(60) % k, k)
    mine = drawn.dataset(seed=4)
    back = prepare_dataset(read_csv(drawn.to_csv().encode()), ["x1", "x2"], "class", test_ratio=0.0, seed=4)
    for attr in ("X_train", "y_train", "mean", "std", "labels_train"):
        assert np.array_equal(getattr(mine, attr), getattr(back, attr)), attr
    assert (mine.classes, mine.class_names, mine.positive, mine.n_test) == (back.classes, back.class_names,
                                                                              back.positive, 0)
    a, b = np.round(mine.to_original(mine.X_train), 9), np.round(drawn.points, 9)  # every point trains
    assert np.array_equal(a[np.lexsort(a.T)], b[np.lexsort(b.T)])


def test_a_big_data_set_is_drawn_as_a_sample_keeping_every_class():
    labels = np.r_[np.zeros(2000), [1]]
    drawn = Drawn.from_points(np.random.default_rng(0).normal(size=(2001, 2)), labels, 2, seed=1)
    assert drawn.n == MAX_POINTS and sorted(set(drawn.c)) == [0, 1]

"""Issue #21, defect 8: a link's values that cannot be used as given are named, and snapped onto the sliders' steps."""

from __future__ import annotations

import math

import pytest
from app_support import assert_clean, open_page, shown, switch

from scratchnet.ui.params import PARAMS, PARAMS_BY_KEY

STEPPED = [p for p in PARAMS if p.range is not None and p.type is float and p.step]
BAD = {"iters": "1e12", "hidden": "-5", "lr": "nan", "test": "0.001", "noise": "0.33"}


@pytest.mark.parametrize("p", STEPPED, ids=lambda p: p.key)
def test_a_value_off_the_sliders_steps_snaps_to_the_nearest_step(p) -> None:
    lo, hi = p.range
    for k in range(round((hi - lo) / p.step) + 1):
        on = round(lo + k * p.step, 10)
        assert p.decode([f"{on:g}"]) == on and p.url_change([f"{on:g}"]) is None, (p.key, on)
        for off in (on + 0.3 * p.step, on - 0.3 * p.step):
            if lo <= off <= hi:
                assert p.decode([repr(off)]) == on, (p.key, off)
                assert f"became {on:g}" in p.url_change([repr(off)]), (p.key, off)


def test_the_issues_values_are_named_with_what_they_became() -> None:
    said = {key: PARAMS_BY_KEY[key].url_change([raw]) for key, raw in BAD.items()}
    assert said == {
        "iters": "iters=1e12 is not allowed, so Iterations is 1000",
        "hidden": "hidden=-5 is not allowed, so Hidden units is 8",
        "lr": "lr=nan is not allowed, so Learning rate α is 0.1",
        "test": "test=0.001 became 0 (the slider moves in steps of 0.05)",
        "noise": "noise=0.33 became 0.35 (the slider moves in steps of 0.05)",
    }
    for p in PARAMS:  # a value as the widget spells it is used as given, without a word
        assert p.url_change(p.encode(p.default) if p.many else [p.encode(p.default)]) is None, p.key


def test_a_link_with_bad_values_says_so_and_the_widgets_hold_the_snapped_values() -> None:
    at = open_page("home", **BAD)
    notice = [shown(i.value) for i in at.info if "this link" in i.value]
    assert len(notice) == 1 and all(PARAMS_BY_KEY[k].url_change([v]) in notice[0] for k, v in BAD.items())
    assert at.slider(key="test").value == 0.0 and math.isclose(at.slider(key="noise").value, 0.35)
    at.run()  # said on the page the link opened, on every run there …
    assert any("this link" in i.value for i in at.info)
    switch(at, "net")  # … and not after the student moves on
    assert_clean(at)
    assert not any("this link" in i.value for i in at.info)
    assert at.slider(key="hidden").value == 8 and at.select_slider(key="iters").value == 1000
    assert at.select_slider(key="lr").value == 0.1 and at.slider(key="test").value == 0.0
    switch(at, "home")
    assert not any("this link" in i.value for i in at.info)


def test_a_good_link_says_nothing() -> None:
    at = open_page("home", test="0.3", noise="0.2", hidden="16", lr="0.3")
    assert not any("this link" in i.value for i in at.info)
    assert at.slider(key="test").value == 0.3

"""The settings table (ui/params.py) is the one source: URL codec, widgets, Settings, pages and lessons follow it."""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
import sys
import typing
from urllib.parse import parse_qs, urlencode

import pytest
from app_support import PAGES, ROOT, assert_clean, open_page, switch
from live_support import Browser

from scratchnet import MODEL_KINDS, LogisticRegression, TwoLayerNet
from scratchnet.optimizers import Adam, Momentum
from scratchnet.ui.lessons import PRESETS
from scratchnet.ui.params import DEFAULT_SETTINGS, HIDEABLE, PARAMS, PARAMS_BY_KEY, Param, Settings, share_query
from scratchnet.ui.site import PAGES as SITE

NUMERIC = [p for p in PARAMS if p.range is not None]
CHOICE = [p for p in PARAMS if p.options and not p.many]
LISTS = [p for p in PARAMS if p.many]
INVALID = {  # a wrong spelling for every setting: unknown option, out of range, not a number, wrong type
    "data": "nope", "n": "7", "noise": "abc", "seed": "-5", "test": "0.9", "feats": "bogus", "lr": "banana",
    "iters": "3", "hidden": "999", "act": "swish", "batch": "7", "l2": "x", "speed": "fast", "logy": "maybe",
    "showtest": "perhaps", "discrete": "2",
    "lab_model": "svm", "lab_lrs": "abc", "lab_opts": "rmsprop", "math_model": "x",
    "plot_x": "no such feature", "plot_y": "no such feature",  # only the data set can tell (test_upload_page)
    "classes": "both", "layers": "6,x", "wseed": "-1", "l1": "y", "opt": "rmsprop", "beta": "1", "beta2": "0.5",
    "edits": "W1[0,0]:abc", "diagram": "maybe",
}
FROM_DATA = {p.key for p in PARAMS if p.from_data}  # options are the data set's feature names
LINK_ONLY = {p.key for p in PARAMS if not p.widget}  # set by a link (the weight edits), no widget


def sample_numbers(p: Param) -> list[float | int]:
    lo, hi = p.range
    if p.type is int:
        return sorted({int(lo), int(hi), p.default, int((lo + hi) // 2)})
    step = p.step or (hi - lo) / 10
    return [round(lo + i * step, 10) for i in range(round((hi - lo) / step) + 1)]


# --- the table and Settings agree -----------------------------------------------------------------
def test_settings_has_one_typed_attribute_per_row_in_table_order():
    hints = typing.get_type_hints(Settings)
    assert [f.name for f in dataclasses.fields(Settings)] == [p.key for p in PARAMS]
    for p in PARAMS:
        expected = tuple[p.type, ...] if p.many else p.type
        assert hints[p.key] == expected, p.key
        assert p.coerce(p.default) == p.default and isinstance(getattr(DEFAULT_SETTINGS, p.key), hints[p.key]
                                                               if not p.many else tuple), p.key


def test_every_default_is_an_allowed_value():
    for p in PARAMS:
        if p.many:
            assert set(p.default) <= set(p.options), p.key
        elif p.options:
            assert p.default in p.options, p.key
        elif p.range is not None:
            assert p.range[0] <= p.default <= p.range[1], p.key
        elif p.from_data:
            assert p.default == "" and p.type is str, p.key  # "": the data set's own default
        elif p.parse is not None:
            assert p.parse(p.default) == p.default, p.key  # a free-text setting's default is its own tidy spelling
        else:
            assert p.type is bool, p.key
        assert p.hide is None or p.hide in HIDEABLE, p.key


def test_settings_are_frozen_and_replace_keeps_types():
    s = DEFAULT_SETTINGS.replace(lr=1, iters=500.0, lab_lrs=[0.1, 1], feats=["x1sq"])
    assert (s.lr, s.iters, s.lab_lrs, s.feats) == (1.0, 500, (0.1, 1.0), ("x1sq",))
    assert isinstance(s.lr, float) and isinstance(s.iters, int)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.lr = 0.3  # type: ignore[misc]


def test_model_settings_reach_make_model_and_both_kinds_take_theirs():
    s = DEFAULT_SETTINGS.replace(hidden=5, act="tanh", l2=0.01, seed=3)
    assert s.model_hyper() == {"hidden_units": 5, "activation": "tanh", "l2": 0.01, "l1": 0.0, "seed": 3,
                              "hidden_layers": (5,)}
    for kind, cls in MODEL_KINDS.items():
        assert set(cls.hyperparameters) <= set(s.model_hyper()), kind  # every setting a kind takes is in the table
    assert s.architecture("net") == ((5,), "tanh", 0.0, 0, ("sgd",)) and s.architecture("logistic") == (0, ("sgd",))


# --- the URL codec --------------------------------------------------------------------------------
def test_every_choice_round_trips_through_the_url():
    for p in CHOICE:
        for option in p.options:
            assert p.decode([p.encode(option)]) == option, (p.key, option)
    for p in LISTS:
        for r in range(len(p.options) + 1):
            for chosen in itertools.islice(itertools.combinations(p.options, r), 20):
                expected = chosen[: p.max_items] if p.max_items else chosen
                assert p.decode(p.encode(chosen) or [""]) == expected, (p.key, chosen)


def test_every_number_and_flag_round_trips_through_the_url():
    for p in NUMERIC:
        for value in sample_numbers(p):
            decoded = p.decode([p.encode(value)])
            assert decoded == pytest.approx(value) and type(decoded) is p.type, (p.key, value)
    logy = PARAMS_BY_KEY["logy"]
    assert [logy.decode([logy.encode(v)]) for v in (True, False)] == [True, False]


def test_the_url_spells_a_choice_as_its_widget_shows_it():
    assert PARAMS_BY_KEY["feats"].encode(("x1sq", "x2sq")) == ["x1²", "x2²"]
    assert PARAMS_BY_KEY["lr"].encode(10.0) == "10" and PARAMS_BY_KEY["lr"].encode(0.0001) == "0.0001"
    assert PARAMS_BY_KEY["lab_model"].encode("net") == "Neural network"


@pytest.mark.parametrize("key", [p.key for p in PARAMS])
def test_an_invalid_url_value_decodes_to_nothing(key):
    p = PARAMS_BY_KEY[key]
    assert p.decode([]) is None
    if p.from_data:  # any name may be a feature's: the page checks it against the data set
        assert p.decode([INVALID[key]]) == INVALID[key] and p.decode([" "]) is None and p.decode([""]) is None
        return
    assert p.decode([INVALID[key]]) is None, (key, INVALID[key])
    for junk in ("", " ", "nan", "inf", "-inf", "1e309", "0x10", "None", "[]"):
        value = p.decode([junk])
        assert value is None or (p.many and value == ()), (key, junk, value)


def test_integer_settings_reject_fractions():
    for p in NUMERIC:
        if p.type is int:
            assert p.decode([f"{p.default}.5"]) is None and p.decode([f"{p.default}.0"]) == p.default, p.key


def test_share_query_reopens_the_same_settings():
    changed = {"data": "xor", "n": 50, "noise": 0.35, "seed": 9999, "test": 0.0, "feats": ("x1sq", "sinx2"),
               "lr": 3.0, "iters": 10, "hidden": 1, "act": "sigmoid", "batch": "32", "l2": 0.0001, "speed": "max",
               "logy": True, "showtest": False, "discrete": True,
               "lab_model": "logistic", "lab_lrs": (0.0003, 3.0), "lab_opts": ("momentum", "adam"),
               "math_model": "logistic",
               "plot_x": "Alcohol", "plot_y": "Color intensity", "classes": "one-vs-rest", "layers": "6,4,2",
               "wseed": 17, "l1": 0.003, "opt": "adam", "beta": 0.5, "beta2": 0.99,
               "edits": "W1[0,0]:1;b2:-0.5", "diagram": False}
    assert set(changed) == set(PARAMS_BY_KEY)
    s = Settings.from_values(changed)
    query = s.share_query(PARAMS_BY_KEY, hidden={"data", "nav"})
    raw = parse_qs(urlencode(query, doseq=True), keep_blank_values=True)
    assert raw.pop("hide") == ["data,nav"]
    reopened = Settings.from_values({k: PARAMS_BY_KEY[k].decode(v) for k, v in raw.items()})
    assert reopened == s
    assert share_query({"lr": 0.1, "feats": [], "hidden": 4}) == {"hidden": "4"}  # defaults are left out


def test_lesson_links_spell_every_setting_with_the_codec():
    for preset in PRESETS:
        query = preset.query()
        assert query["lesson"] == preset.key
        for key, value in preset.params.items():
            assert PARAMS_BY_KEY[key].decode(query[key] if isinstance(query[key], list) else [query[key]]) == \
                PARAMS_BY_KEY[key].coerce(value), (preset.key, key)
        assert preset.url().startswith(f"/{SITE[preset.page].url_path}?")


# --- widgets come from the table ------------------------------------------------------------------
def widgets(at):
    kinds = ("selectbox", "select_slider", "slider", "multiselect", "radio", "checkbox", "number_input", "text_input")
    return {w.key: w for kind in kinds for w in at.get(kind) if w.key in PARAMS_BY_KEY}


def test_every_widget_has_the_tables_label_options_range_and_default():
    seen = {}
    for page in PAGES:
        seen.update(widgets(open_page(page)))
    assert "classes" not in seen  # shown only for data with more than two classes …
    seen["classes"] = widgets(open_page("math", data="blobs3"))["classes"]  # … as here
    deep = widgets(open_page("net", layers="6,4", opt="Adam"))  # the layers box with two layers or more, β with
    seen |= {key: deep[key] for key in ("layers", "beta", "beta2")}  # momentum or Adam, β₂ with Adam
    assert set(seen) == set(PARAMS_BY_KEY) - FROM_DATA - LINK_ONLY  # every other setting has a widget somewhere
    # (the feature pickers only with more than two features: test_upload_page.py)
    for key, w in seen.items():
        p = PARAMS_BY_KEY[key]
        assert w.label == p.label, key
        assert (w.help or None) == p.help, key
        if p.options:
            assert list(w.options) == [p.show(o) for o in p.options], key
        if p.range is not None:
            assert (w.min, w.max) == tuple(p.type(b) for b in p.range), key
        value = tuple(w.value) if p.many else w.value
        assert value == p.default or key == "layers", (key, value)


def test_an_invalid_url_falls_back_to_the_defaults_on_every_page():
    for page in PAGES:
        at = open_page(page, **INVALID)  # open_page asserts no exception and no friendly error
        assert not at.error and not at.warning, (page, [e.value for e in at.error])
        for key, w in widgets(at).items():
            p = PARAMS_BY_KEY[key]
            assert (tuple(w.value) if p.many else w.value) == p.default, (page, key, w.value)


def test_hidden_controls_read_the_url_with_the_codec():
    hidden_all = ",".join(HIDEABLE)
    at = open_page("net", hide=hidden_all, hidden="4", act="tanh", feats=["x1²", "x2²"], batch="10", l2="0.1",
                   lr="0.3", data="circles", n="100", seed="7")
    # only α (presentation mode keeps it: it is what a class changes), playback and the view stay
    assert not widgets(at).keys() - {"lr", "speed", "logy", "showtest", "discrete", "diagram"}
    Browser(at).step()
    assert_clean(at)
    live = at.session_state["live:net"]
    model = live.run.model
    assert (model.hidden_units, model.activation.name, model.l2, model.n_features) == (4, "tanh", 0.1, 4)
    assert live.signature[1][:4] == ("circles", 100, 0.15, 7) and live.run.lr == 0.3

    bad = open_page("net", hide=hidden_all, **INVALID)
    Browser(bad).step()
    assert_clean(bad)
    model = bad.session_state["live:net"].run.model
    assert (model.hidden_units, model.activation.name, model.l2) == (8, "relu", 0.0)
    assert bad.session_state["live:net"].signature[1][:5] == ("moons", 200, 0.15, 0, 0.25)


def test_streamlits_own_url_spelling_decodes_with_the_codec():
    at = open_page("net")
    at.select_slider(key="lr").set_value(0.003).run()
    at.select_slider(key="l2").set_value(0.03).run()
    at.slider(key="noise").set_value(0.35).run()
    at.number_input(key="seed").set_value(42).run()
    at.multiselect(key="feats").set_value(["x1x2"]).run()
    at.selectbox(key="act").set_value("sigmoid").run()
    at.checkbox(key="logy").check().run()
    assert_clean(at)
    url = dict(at.query_params)
    expected = {"lr": 0.003, "l2": 0.03, "noise": 0.35, "seed": 42, "feats": ("x1x2",), "act": "sigmoid",
                "logy": True}
    for key, value in expected.items():
        raw = url[key] if isinstance(url[key], list) else [url[key]]
        assert PARAMS_BY_KEY[key].decode(raw) == pytest.approx(value), (key, raw)


# --- pages: thin scripts, explicit model kinds ----------------------------------------------------
def test_every_page_script_is_at_most_15_lines():
    scripts = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    assert {s.relative_to(ROOT).as_posix() for s in scripts} == {p.script for p in SITE.values()}
    for script in scripts:
        lines = script.read_text().splitlines()
        assert len(lines) <= 15, (script.name, len(lines))


def test_each_page_names_its_model_kind():
    for key, page in SITE.items():
        if page.kind is not None:
            assert page.kind in MODEL_KINDS and page.kind_setting is None, key
        if page.kind_setting is not None:
            assert set(PARAMS_BY_KEY[page.kind_setting].options) == set(MODEL_KINDS), key
        assert set(page.settings) <= set(PARAMS_BY_KEY), key
    at = open_page("logistic")
    Browser(at).step()
    assert isinstance(at.session_state["live:logistic"].run.model, LogisticRegression)
    switch(at, "net")
    Browser(at).step()
    assert isinstance(at.session_state["live:net"].run.model, TwoLayerNet)
    lab = open_page("lab", lab_model="Logistic regression", iters="10")
    sweeps = lab.session_state["lab_result"].results.values()
    assert all(isinstance(m, LogisticRegression) for r in sweeps for m, _ in r.runs.values())


def test_math_page_uses_the_model_its_page_is_training():
    at = open_page("net")
    view = Browser(at)
    for _ in range(2):
        view.step()
    switch(at, "math")
    assert any("from the Neural network page, at iteration 20" in c.value for c in at.caption)
    at.radio(key="math_model").set_value("Logistic regression").run()
    assert any("fresh starting weights" in c.value for c in at.caption)


# --- the allocator is tuned by the app, not by importing ui ---------------------------------------
def test_importing_ui_leaves_the_allocator_alone():
    modules = ("params", "page", "live", "lab", "explain", "upload", "home", "server")
    imports = ", ".join(f"scratchnet.ui.{m}" for m in modules)
    code = f"import {imports}; import scratchnet.ui as ui; print(ui.server._tuned)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
    from scratchnet.ui import server

    open_page("home")  # AppTest runs the page in this process: page.setup tunes it, once
    assert server._tuned is True
    from streamlit.watcher import polling_path_watcher

    assert polling_path_watcher._POLLING_PERIOD_SECS == server.CONFIG_POLL_S  # config files polled every 5 s


def test_presentation_mode_starts_with_the_sidebar_collapsed(monkeypatch):
    import streamlit as st

    seen: list[str] = []
    original = st.set_page_config

    def record(**kwargs):
        seen.append(kwargs["initial_sidebar_state"])
        return original(**kwargs)

    monkeypatch.setattr(st, "set_page_config", record)
    open_page("net")
    assert set(seen) == {"auto"}  # open on a wide screen, closed on a phone
    seen.clear()
    open_page("net", hide="gradients")
    assert set(seen) == {"collapsed"}


# --- the deep network's settings (issue 24) ------------------------------------------------------------------
@pytest.mark.parametrize("text, tidy", [("6,4", "6,4"), (" 6 , 4 ", "6,4"), ("", None), ("8", "8"),
                                        ("8,8,8,8,8,8", "8,8,8,8,8,8"), ("32", "32")])
def test_a_network_shape_reads_as_tf_playground_writes_it(text, tidy):
    assert PARAMS_BY_KEY["layers"].decode([text]) == tidy


@pytest.mark.parametrize("text", ["6,x", "6,,4", "0", "33", "1,1,1,1,1,1,1", "-2", "2.5"])
def test_a_bad_network_shape_is_no_shape(text):
    assert PARAMS_BY_KEY["layers"].decode([text]) is None
    assert Settings.from_values({"layers": text, "hidden": 5}).hidden_layers == (5,)  # the one-layer fallback


def test_the_deep_settings_make_the_model_and_its_optimizer():
    s = Settings.from_values({"layers": "6,4", "act": "linear", "l1": 0.01, "opt": "adam", "beta": 0.8,
                              "beta2": 0.99, "seed": 3, "wseed": 2})
    hyper = s.model_hyper()
    assert hyper["hidden_layers"] == (6, 4) and hyper["l1"] == 0.01 and hyper["activation"] == "linear"
    assert hyper["seed"] == 3 + 2 * 10000  # a weights seed apart from the data seed
    assert Settings.from_values({"seed": 3}).model_hyper()["seed"] == 3  # wseed 0: the data seed's start, as before
    assert s.optimizer() == Adam(0.8, 0.99)
    assert Settings.from_values({"opt": "momentum", "beta": 0.5}).optimizer() == Momentum(0.5)
    assert s.architecture("net") == ((6, 4), "linear", 0.01, 2, ("adam", 0.8, 0.99))
    assert s.replace(beta2=0.9).architecture("net") != s.architecture("net")  # β₂ matters to Adam …
    sgd = s.replace(opt="sgd")
    assert sgd.replace(beta=0.5).architecture("net") == sgd.architecture("net")  # … and β not to plain descent

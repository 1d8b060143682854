"""The "Your data" page with files as students bring them, through AppTest: one preparation whose counts are
what training uses, sensible defaults, empty cells, the file kept across pages, and the plotted slice."""

from __future__ import annotations

import json
import re

import pytest
from app_support import assert_clean, button, copy_texts, open_page, shown, switch
from live_support import Browser
from realistic_data import titanic_csv, wine_csv
from streamlit.testing.v1 import AppTest

import scratchnet.ui.data_source as data_source
from scratchnet.data import read_csv

TITANIC = titanic_csv()
AGE_GAPS = int(read_csv(TITANIC)["Age"].isna().sum())


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    return at.file_uploader(key="csv_file").set_value((name, data, "text/csv")).run()


def by_prefix(widgets, prefix: str):
    return next(w for w in widgets if w.key and w.key.startswith(prefix))


def ready(at: AppTest) -> tuple[int, int]:
    text = next(s.value for s in at.success if s.value.startswith("Ready"))
    n_train, n_test = re.match(r"Ready: (\d+) training and (\d+) test rows", text).groups()
    return int(n_train), int(n_test)


def captions(at: AppTest) -> str:
    return "\n".join(shown(c.value) for c in at.caption)


def errors(at: AppTest) -> list[str]:
    return [shown(e.value) for e in at.error]


@pytest.fixture
def resolved(monkeypatch) -> list:
    """Every Problem a page resolved (the data every page trains on), in order."""
    seen: list = []
    original = data_source.resolve

    def record(settings):
        problem, error = original(settings)
        seen.append(problem)
        return problem, error

    monkeypatch.setattr(data_source, "resolve", record)
    return seen


@pytest.fixture
def preparations(monkeypatch) -> list:
    calls: list = []
    original = data_source.prepare_dataset

    def counted(*args, **kwargs):
        calls.append(kwargs.get("test_ratio"))
        return original(*args, **kwargs)

    monkeypatch.setattr(data_source, "prepare_dataset", counted)
    return calls


# --- one preparation ---------------------------------------------------------------------------------
@pytest.mark.parametrize("test", [0.0, 0.1, 0.25, 0.5])
def test_ready_counts_are_what_the_model_pages_train_on(resolved, test):
    at = open_page("upload")
    at.slider(key="test").set_value(test).run()
    upload(at, "titanic.csv", TITANIC)
    n_train, n_test = ready(at)
    assert n_train + n_test == 400 and abs(n_test - 400 * test) <= 2  # stratified: rounded per class
    button(at, "use_upload").click().run()
    for page in ("logistic", "net", "lab"):
        switch(at, page)
        assert_clean(at)
        ds = resolved[-1].dataset
        assert (ds.n_train, ds.n_test) == (n_train, n_test), page


def test_an_upload_is_prepared_once_per_split(preparations):
    at = open_page("upload")
    upload(at, "titanic.csv", TITANIC)
    assert len(preparations) == 1
    at.run()
    button(at, "use_upload").click().run()
    for page in ("logistic", "net", "upload", "logistic"):
        switch(at, page)
        assert_clean(at)
    Browser(at).step()  # the live view's own Step (live_support drives it as its JavaScript does)
    assert at.session_state["live:logistic"].run.iteration == 10
    assert len(preparations) == 1  # the preview, and every page after it, used the same Dataset
    at.slider(key="test").set_value(0.5).run()
    switch(at, "net")
    assert preparations == [0.25, 0.5]  # a new split is a new preparation, once


# --- defaults --------------------------------------------------------------------------------------
def test_titanic_defaults_skip_the_id_and_explain_every_column():
    at = open_page("upload")
    upload(at, "titanic.csv", TITANIC)
    assert_clean(at)
    assert by_prefix(at.selectbox, "label_").value == "Survived"
    features = by_prefix(at.multiselect, "features_")
    assert features.value == ["Pclass", "Sex"]
    assert "PassengerId (ID?)" in features.options and "Sex (female = 0, male = 1)" in features.options
    assert not {"Name", "Ticket", "Cabin", "Embarked"} & set(features.options)
    text = captions(at)
    assert "**Suggested: Pclass and Sex** — the columns whose class means lie furthest apart on the training " \
           "rows, in within-class standard deviations" in text
    assert re.search(r"Sex \d\.\d\d · Pclass \d\.\d\d · Fare", text)
    assert "**PassengerId** looks like an ID (its name): you can choose it, it is never suggested." in text
    assert "Not offered as features: **Name**, **Cabin**, **Embarked** — text with more than two different values " \
           "(one-hot encoding, a 0/1 column per value, is not supported here)." in text
    assert 'Not offered: **Ticket** — mostly numbers, but has text: "PC ' in text
    assert '"Sex" is text with two values, used as female = 0, male = 1.' in text
    assert ready(at) == (300, 100)


def test_more_than_two_classes_are_all_kept_or_one_vs_rest_as_chosen():
    at = open_page("upload")
    upload(at, "wine.csv", wine_csv(german=True))
    assert by_prefix(at.selectbox, "label_").value == "cultivar"
    mode = at.radio(key="classes")
    assert mode.value == "all" and by_prefix(at.selectbox, "positive_").disabled
    assert any("3 classes, one colour each" in shown(s.value) for s in at.success)
    # the default features separate all three cultivars (not one against the rest)
    assert by_prefix(at.multiselect, "features_").value == ["Flavanoids", "Proline"]
    assert "class means are spread furthest apart" in captions(at)
    assert "its square is proportional to ANOVA's F" in captions(at)  # the score itself is not (f_classif)
    mode.set_value("one-vs-rest").run()
    positive = by_prefix(at.selectbox, "positive_")
    assert not positive.disabled
    positive.set_value("Grignolino").run()
    assert any("class 1 = “Grignolino”, class 0 = “not Grignolino”" in shown(s.value) for s in at.success)
    assert 'One-vs-rest: class 1 = "Grignolino"' in captions(at)


# --- empty cells -----------------------------------------------------------------------------------
def test_empty_cells_tell_by_default_then_drop_or_fill():
    at = open_page("upload")
    upload(at, "titanic.csv", TITANIC)
    by_prefix(at.multiselect, "features_").set_value(["Sex", "Age", "Fare"]).run()
    assert any('Column "Age" is empty (or NA / NaN) in rows' in e for e in errors(at))
    choice = by_prefix(at.radio, "missing_")
    assert choice.value == "tell" and choice.label == f"Empty cells (Age {AGE_GAPS})"
    assert f"Drop rows with missing values ({AGE_GAPS} rows)" in choice.options
    assert f"Fill with the training mean ({AGE_GAPS} cells)" in choice.options
    choice.set_value("drop").run()
    assert sum(ready(at)) == 400 - AGE_GAPS and f'Dropped {AGE_GAPS} rows with empty cells ("Age" {AGE_GAPS})' \
        in captions(at)
    by_prefix(at.radio, "missing_").set_value("fill").run()
    assert sum(ready(at)) == 400 and f'Filled {AGE_GAPS} empty cells of "Age"' in captions(at)
    button(at, "use_upload").click().run()
    assert at.session_state["uploaded_data"].missing == "fill"


# --- the file stays -------------------------------------------------------------------------------
def test_the_file_and_its_choices_stay_across_pages_and_can_be_replaced():
    at = open_page("upload")
    upload(at, "titanic.csv", TITANIC)
    by_prefix(at.multiselect, "features_").set_value(["Sex", "Age", "Fare"]).run()
    by_prefix(at.radio, "missing_").set_value("fill").run()
    button(at, "use_upload").click().run()
    first = at.session_state["uploaded_data"]
    switch(at, "net")
    switch(at, "upload")
    assert_clean(at)
    assert at.file_uploader(key="csv_file").value is None  # Streamlit's uploader is empty again …
    assert any(shown(m.value).startswith("**titanic.csv** — 400 rows × 12 columns") for m in at.markdown)  # … kept
    assert by_prefix(at.multiselect, "features_").value == ["Sex", "Age", "Fare"]
    assert by_prefix(at.radio, "missing_").value == "fill"
    assert button(at, "use_upload").proto.label == "In use on every page ✓"
    by_prefix(at.multiselect, "features_").set_value(["Sex", "Fare"]).run()  # re-choose without uploading
    button(at, "use_upload").click().run()
    assert at.session_state["uploaded_data"].features == ["Sex", "Fare"]
    assert at.session_state["uploaded_data"].upload_id != first.upload_id
    assert at.file_uploader(key="csv_file").proto.label == "Replace the file: drop another CSV here"
    upload(at, "wine.csv", wine_csv())  # replacing is one upload
    assert any(shown(m.value).startswith("**wine.csv** — 178 rows") for m in at.markdown)
    assert any("In use: **titanic.csv**" in shown(i.value) for i in at.info)  # until the new one is used


def test_bad_input_never_loses_the_data_in_use():
    at = open_page("upload")
    upload(at, "titanic.csv", TITANIC)
    button(at, "use_upload").click().run()
    by_prefix(at.selectbox, "label_").set_value("Name").run()  # 400 values: one passenger against the rest
    assert_clean(at)
    assert errors(at) and all(len(e) > 30 for e in errors(at))
    upload(at, "photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert_clean(at)
    assert any("PNG image" in e for e in errors(at))
    assert any("In use: **titanic.csv**" in shown(i.value) for i in at.info)
    switch(at, "logistic")
    Browser(at).step()
    assert_clean(at)
    assert at.session_state["live:logistic"].run.iteration == 10
    assert at.session_state["uploaded_data"].file_name == "titanic.csv"


# --- the slice -------------------------------------------------------------------------------------
def test_the_drawn_features_are_chosen_in_the_sidebar_and_explained(resolved):
    at = open_page("upload")
    upload(at, "wine.csv", wine_csv())
    at.radio(key="classes").set_value("one-vs-rest").run()  # two classes: this test is about the slice
    by_prefix(at.selectbox, "positive_").set_value("Grignolino").run()
    chosen = ["Alcohol", "Malic acid", "Flavanoids", "Color intensity", "Hue", "Proline"]
    by_prefix(at.multiselect, "features_").set_value(chosen).run()
    button(at, "use_upload").click().run()
    switch(at, "logistic")
    assert_clean(at)
    problem = resolved[-1]
    x, y = at.selectbox(key="plot_x"), at.selectbox(key="plot_y")
    assert list(x.options) == chosen and (x.value, y.value) == problem.plot_names
    assert x.value not in y.options
    info = next(i.value for i in at.info if "The plots show a slice" in i.value)
    assert f"**{x.value}** across and **{y.value}** up, with the other 4" in info
    assert "held at their training mean" in info and "fainter the further they lie from this slice" in info
    x.set_value("Hue").run()
    assert_clean(at)
    assert resolved[-1].plot_axes[0] == chosen.index("Hue") and at.query_params["plot_x"] == "Hue"
    switch(at, "lab")
    assert_clean(at)
    boundaries = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert boundaries["layout"]["annotations"][0]["text"] == "Hue"  # the lab's panels share this x axis name
    # another file: "Hue" is not one of its features, so the pickers fall back to its best two
    switch(at, "upload")
    upload(at, "titanic.csv", TITANIC)
    by_prefix(at.multiselect, "features_").set_value(["Pclass", "Sex", "SibSp", "Fare"]).run()
    button(at, "use_upload").click().run()
    switch(at, "logistic")
    assert_clean(at)
    assert (at.selectbox(key="plot_x").value, at.selectbox(key="plot_y").value) == resolved[-1].plot_names \
        == ("Pclass", "Sex")


def test_two_features_show_no_pickers():
    at = open_page("logistic")
    assert not [s for s in at.selectbox if s.key in ("plot_x", "plot_y")]
    assert not any("The plots show a slice" in i.value for i in at.info)


def test_long_names_are_shortened_where_they_are_shown_in_full_on_hover():
    long = "Was this passenger travelling with a spouse or a sibling on board"
    frame = read_csv(TITANIC).rename(columns={"Sex": long})
    at = open_page("upload")
    upload(at, "long names.csv", frame.to_csv(index=False).encode())
    features = by_prefix(at.multiselect, "features_")
    shown = next(o for o in features.options if o.startswith("Was this"))
    assert shown == "Was this passenger travelling with a sp… (female = 0, male = 1)"
    assert long in features.value  # the value is the column itself
    preview = json.loads(at.get("plotly_chart")[0].proto.spec)
    titles = [preview["layout"][axis]["title"]["text"] for axis in ("xaxis", "yaxis")]
    assert all(len(t) <= 30 for t in titles) and any(t.startswith("Was this") and t.endswith("…") for t in titles)
    assert any(long in t.get("hovertemplate", "") for t in preview["data"])


def test_the_drawn_features_are_in_the_share_link_and_hidden_in_presentation_mode(resolved):
    chosen = ["Alcohol", "Malic acid", "Flavanoids", "Color intensity", "Hue", "Proline"]
    at = open_page("upload", hide="data")
    upload(at, "wine.csv", wine_csv())
    by_prefix(at.multiselect, "features_").set_value(chosen).run()
    button(at, "use_upload").click().run()
    switch(at, "logistic")
    assert_clean(at)
    assert not [s for s in at.selectbox if s.key in ("plot_x", "plot_y")]  # the data group is hidden …
    # … and the picture shows the two that separate all three cultivars best: Flavanoids, Proline
    assert resolved[-1].plot_axes == (2, 5)
    assert any("The plots show a slice" in i.value for i in at.info)
    plain = open_page("upload")
    upload(plain, "wine.csv", wine_csv())
    by_prefix(plain.multiselect, "features_").set_value(chosen).run()
    button(plain, "use_upload").click().run()
    switch(plain, "logistic")
    plain.selectbox(key="plot_y").set_value("Hue").run()
    link = next(c for c in copy_texts(plain) if "?" in c)
    assert "plot_y=Hue" in link and "plot_x=Flavanoids" in link
    switch(plain, "upload")
    plain.selectbox(key="data").set_value("moons").run()  # two features: no feature names in the link
    assert copy_texts(plain) and not any("plot_" in c for c in copy_texts(plain))

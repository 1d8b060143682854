"""The figures as Chromium draws them: long names shortened so that legend entries and row labels never
overlap and are never cut off, at a phone's width and at a projector's third of a screen."""

from __future__ import annotations

import json
from pathlib import Path

import plotly
import plotly.io as pio
import pytest
from test_figures_fidelity import long_names_dataset

from scratchnet import LogisticRegression, TwoLayerNet, decision_grid, figures, fit, plane_grid

pytestmark = pytest.mark.browser  # Debian's Chromium draws the figures

WIDTHS = (330, 420, 600)  # a phone (390 px less Streamlit's padding), a third and half of 1366 px

BOXES = """(selector) => {
  const svg = document.querySelector('.main-svg').getBoundingClientRect();
  const boxes = [...document.querySelectorAll(selector)].map(e => {
    const r = e.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, text: e.textContent};
  });
  return {svg: {left: svg.left, right: svg.right, top: svg.top, bottom: svg.bottom}, boxes};
}"""


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):
    """One page with plotly.js from the installed package (never a CDN) loaded once; figures drawn into it."""
    js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    html = tmp_path_factory.mktemp("figures") / "page.html"
    html.write_text(f"<html><body style='margin:0'><div id='fig'></div><script src='{js.as_uri()}'></script>")
    context = browser.new_context(viewport={"width": 800, "height": 900})
    page = context.new_page()
    page.goto(html.as_uri())
    page.wait_for_function("typeof Plotly !== 'undefined'")
    yield page
    context.close()


def boxes_of(page, fig, width: int, selector: str) -> tuple[dict, list[dict]]:
    spec = json.loads(pio.to_json(fig, validate=False))
    spec["layout"]["width"] = width
    page.evaluate(
        "async (spec) => { await Plotly.purge('fig'); await Plotly.newPlot('fig', spec.data, spec.layout); }", spec
    )
    found = page.evaluate(BOXES, selector)
    assert found["boxes"], selector
    return found["svg"], found["boxes"]


def overlap(a: dict, b: dict, slack: float = 0.5) -> bool:
    return (
        a["left"] < b["right"] - slack
        and b["left"] < a["right"] - slack
        and a["top"] < b["bottom"] - slack
        and b["top"] < a["bottom"] - slack
    )


def assert_apart_and_inside(svg: dict, boxes: list[dict]) -> None:
    for a, b in zip(boxes, boxes[1:], strict=False):
        assert not overlap(a, b), (a, b)
    for a in boxes:
        assert svg["left"] - 0.5 <= a["left"] and a["right"] <= svg["right"] + 0.5, (a, svg)


@pytest.mark.parametrize("width", WIDTHS)
def test_legend_entries_with_40_character_class_names_never_overlap(page, width):
    ds = long_names_dataset()
    grid = plane_grid(ds.X_train, resolution=20)
    model = LogisticRegression(2)
    fit(model, ds.X_train, ds.y_train, 0.5, 20)
    for fig in (figures.data_figure(ds), figures.boundary_figure(ds, grid, decision_grid(model, grid))):
        svg, entries = boxes_of(page, fig, width, ".legend .traces")
        assert len(entries) == 4
        for a in entries:
            assert all(not overlap(a, b) for b in entries if b is not a), (a, entries)
        assert_apart_and_inside(svg, entries)


@pytest.mark.parametrize("width", WIDTHS)
def test_gradient_row_labels_with_long_feature_names_fit(page, width):
    ds = long_names_dataset()
    model = TwoLayerNet(2, 8)
    history = fit(model, ds.X_train, ds.y_train, 0.1, 20)
    grads = model.gradients(ds.X_train, ds.y_train)
    fig = figures.gradient_figure(history, grads, params=model.param_info, input_names=ds.feature_names)
    svg, labels = boxes_of(page, fig, width, ".y2tick text")
    assert [b["text"] for b in labels][:2] == list(fig.layout.yaxis2.ticktext[:2])
    assert_apart_and_inside(svg, labels)

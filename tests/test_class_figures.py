"""The board's figures and exports: which setting varies, α on a log axis, diverged runs, nicknames as text,
thumbnails as real PNGs of the decision, a CSV a spreadsheet cannot run."""

from __future__ import annotations

import io
import subprocess

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from scratchnet.figures.board import outcome_histogram, outcome_scatter, thumb_png, varying
from scratchnet.figures.style import CLASS_COLORS
from scratchnet.ui.board import csv_text
from tests.browser_support import ROOT


def results(**columns) -> pd.DataFrame:
    base = {"nick": ["a", "b", "c"], "lr": [0.1, 0.1, 0.1], "hidden": [8, 8, 8], "act": ["relu"] * 3,
            "test_loss": [0.2, 0.3, 0.4]}
    return pd.DataFrame(base | columns)


def test_the_varying_setting_is_the_x_axis_and_alpha_is_logarithmic():
    df = results(lr=[0.001, 0.1, 10.0])
    assert varying(df) == "lr"
    fig = outcome_scatter(df, "lr", "test_loss")
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis.title.text == "learning rate α"
    assert varying(results(hidden=[2, 4, 8])) == "hidden" and varying(results()) is None
    assert outcome_scatter(results(hidden=[2, 4, 8]), "hidden", "test_loss").layout.xaxis.type is None


def test_colour_groups_and_diverged_runs_are_drawn_apart():
    df = results(lr=[0.01, 0.1, 10.0], act=["relu", "tanh", "relu"], test_loss=[0.2, 0.3, None])
    fig = outcome_scatter(df, "lr", "test_loss", colour="act")
    names = [t.name for t in fig.data]
    assert names == ["activation = relu", "activation = relu: diverged", "activation = tanh"]
    diverged = fig.data[1]
    assert list(diverged.x) == [10.0] and diverged.marker.symbol == "x" and diverged.y[0] > 0.3
    assert sum(len(t.x) for t in fig.data) == 3  # every run is a point
    assert list(outcome_histogram(df, "test_loss").data[0].x) == [0.2, 0.3]


def test_nicknames_reach_plotly_escaped():
    fig = outcome_scatter(results(nick=["<b>x</b>", "<a href=j>y</a>", "&"], lr=[0.1, 1.0, 3.0]), "lr", "test_loss")
    assert list(fig.data[0].text) == ["&lt;b&gt;x&lt;/b&gt;", "&lt;a href=j&gt;y&lt;/a&gt;", "&amp;"]


def test_a_thumbnail_is_a_png_of_the_winning_class():
    cls = np.zeros((24, 24), dtype=np.uint8)
    cls[:, 12:] = 1
    img = Image.open(io.BytesIO(thumb_png(cls, np.full((24, 24), 1.0), scale=4)))
    assert img.size == (96, 96) and img.mode == "RGB"
    left, right = img.getpixel((5, 50)), img.getpixel((90, 50))
    assert left[2] > left[0] and right[0] > right[2]  # class 0 (blue) on the left, class 1 (orange) on the right
    assert CLASS_COLORS[0] == "#0072B2" and CLASS_COLORS[1] == "#E69F00"


@pytest.mark.parametrize("nick", ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)"])
def test_the_csv_never_starts_a_cell_with_a_formula(nick):
    text = csv_text(results(nick=[nick, "ok", "fine"]))
    first = text.splitlines()[1]
    assert first.startswith("\"'") or first.startswith("'"), first
    assert "lr" in text.splitlines()[0] and "thumb" not in text


@pytest.mark.parametrize("store", ["postgres://x", "redis:/nohost", "sqlite:/x"])
def test_serve_sh_refuses_a_bad_store(store):
    out = subprocess.run(["bash", str(ROOT / "scripts" / "serve.sh"), "--store", store, "--print-config"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "--store wants" in out.stderr, out.stderr

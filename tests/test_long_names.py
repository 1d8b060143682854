"""Issue #21, defect 9: a 3,000-character name is cut wherever it is shown (axis titles, hovers, the live tooltip)
and kept whole in the data itself (what downloads and the model read)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from scratchnet import figures
from scratchnet.data import dataset_from_arrays
from scratchnet.figures import HOVER_LIMIT
from scratchnet.plane import plane_grid, slice_fade
from scratchnet.ui.live_payload import plane_meta

LONG = "".join(f"{k:04d}-" for k in range(600))  # 3,000 characters, no part of it repeats
NAMES = (LONG, "short", LONG[::-1])


def _dataset(seed: int):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(float)
    return dataset_from_arrays(X, y, name=LONG + ".csv", feature_names=NAMES, class_names=(LONG, "other"),
                               seed=seed)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def _assert_cut(strings: list[str]) -> None:
    for text in strings:
        for name in (LONG, LONG[::-1]):
            assert name[:HOVER_LIMIT] not in text, len(text)  # no name shown longer than HOVER_LIMIT characters


@pytest.mark.parametrize("seed", range(10))
def test_long_names_are_cut_in_figures_and_the_live_meta_but_whole_in_the_data(seed: int) -> None:
    ds = _dataset(seed)
    grid = plane_grid(ds.X_train, (0, 1), resolution=10)  # the third name is held: in the slice note's hover
    fade = slice_fade(ds.X_train, ds.X_test, (0, 1))
    proba = np.full((10, 10), 0.5)
    for figure in (figures.data_figure(ds, (0, 2)), figures.boundary_figure(ds, grid, proba, fade=fade)):
        spec = json.loads(figure.to_json())
        _assert_cut(_strings(spec))
        hovers = [t["hovertemplate"] for t in spec["data"] if "hovertemplate" in t]
        assert hovers and all(LONG[: HOVER_LIMIT - 1] in h for h in hovers)  # cut, not dropped
    meta = plane_meta(ds, grid, fade)
    _assert_cut(_strings(meta))
    assert len(meta["xname"]) <= HOVER_LIMIT and meta["xname"].startswith(LONG[:HOVER_LIMIT - 1])
    assert all(len(c) <= HOVER_LIMIT for c in meta["class_names"])
    assert ds.feature_names == NAMES and ds.class_names[0] == LONG  # whole where the data is

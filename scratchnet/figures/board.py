"""The class board's figures: outcome against the setting that varies, a histogram, boundary thumbnails.

Nicknames are students' text: every one goes through `text` (HTML-escaped) before plotly sees it, since plotly
renders a few HTML tags in hover text and labels.
"""

from __future__ import annotations

import html
import struct
import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .style import CLASS_COLORS

# the first setting that varies is the x axis
VARYING = ("lr", "opt", "depth", "hidden", "l2", "l1", "batch", "act", "iters", "wseed", "seed", "data")
COLOUR_BY = ("opt", "depth", "act", "hidden", "batch", "kind")  # colour by the first of these that also varies
LABELS = {"lr": "learning rate α", "opt": "optimizer", "depth": "hidden layers", "hidden": "hidden units (all layers)",
          "l1": "L1 λ₁", "wseed": "weights seed", "l2": "L2 λ", "batch": "batch size",
          "act": "activation", "iters": "iterations set", "seed": "seed", "data": "data set", "kind": "model",
          "train_loss": "final train loss", "test_loss": "final test loss", "train_acc": "train accuracy",
          "test_acc": "test accuracy", "n_params": "parameters", "iterations": "iterations run"}
LOG_AXES = {"lr", "l2", "l1"}


def text(value: object) -> str:
    """A student's text as plotly may show it: HTML-escaped."""
    return html.escape(str(value))


def varying(df: pd.DataFrame, among: Sequence[str] = VARYING) -> str | None:
    """The first setting that takes more than one value across the results."""
    return next((c for c in among if c in df and df[c].nunique(dropna=True) > 1), None)


def outcome_scatter(df: pd.DataFrame, x: str, y: str, colour: str | None = None) -> go.Figure:
    """Each result a point: outcome `y` against setting `x` (α on a log axis); diverged runs on the top edge."""
    fig = go.Figure()
    groups = df.groupby(colour, dropna=False) if colour else [(None, df)]
    for i, (name, part) in enumerate(groups):
        ok, div = part[part[y].notna()], part[part[y].isna()]
        color = CLASS_COLORS[i % len(CLASS_COLORS)]
        label = f"{LABELS.get(colour or '', colour)} = {name}" if colour else "runs"
        fig.add_scatter(x=ok[x], y=ok[y], mode="markers", name=label, marker={"size": 11, "color": color},
                        text=[text(n) for n in ok["nick"]], hovertemplate="%{text}: %{y:.3g}<extra></extra>")
        if len(div):
            top = float(df[y].max()) * 1.1 if df[y].notna().any() else 1.0
            fig.add_scatter(x=div[x], y=[top] * len(div), mode="markers", name=f"{label}: diverged",
                            marker={"size": 12, "color": color, "symbol": "x"}, text=[text(n) for n in div["nick"]],
                            hovertemplate="%{text}: diverged<extra></extra>")
    fig.update_layout(height=300, margin={"l": 50, "r": 10, "t": 30, "b": 40}, legend={"orientation": "h", "y": 1.12},
                      xaxis_title=LABELS.get(x, x), yaxis_title=LABELS.get(y, y))
    if x in LOG_AXES and (df[x] > 0).all():
        fig.update_xaxes(type="log")
    return fig


def outcome_histogram(df: pd.DataFrame, y: str) -> go.Figure:
    fig = go.Figure(go.Histogram(x=df[y].dropna(), nbinsx=15, marker={"color": CLASS_COLORS[0]}))
    fig.update_layout(height=300, margin={"l": 50, "r": 10, "t": 30, "b": 40}, bargap=0.05,
                      xaxis_title=LABELS.get(y, y), yaxis_title="runs")
    return fig


def thumb_png(cls: np.ndarray, p: np.ndarray, scale: int = 4) -> bytes:
    """A thumbnail as PNG bytes: each cell its class's colour, paler where the model is less sure."""
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in CLASS_COLORS], dtype=np.float64)
    sure = np.clip((p - 0.5) * 2 if cls.max(initial=0) < 2 else p, 0, 1)[..., None]
    img = 255 - (255 - rgb[cls % len(CLASS_COLORS)]) * (0.25 + 0.6 * sure)
    img = np.repeat(np.repeat(img[::-1], scale, axis=0), scale, axis=1).astype(np.uint8)  # row 0 = top
    return png_bytes(img)


def png_bytes(img: np.ndarray) -> bytes:
    """An (h, w, 3) uint8 image as a PNG file (zlib only; no imaging library)."""
    h, w, _ = img.shape
    raw = b"".join(b"\x00" + img[r].tobytes() for r in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))

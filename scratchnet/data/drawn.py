"""Points a student draws on the plane: the set, its edits, its CSV and its compact link encoding.

Coordinates live on TF Playground's square, x1, x2 ∈ [−6, 6], quantised to one byte each (a step of 12/255 ≈
0.047, finer than a cell of the 100×100 boundary grid): a point is snapped when it is drawn, so the set a link or a
CSV carries is the very set on screen. Every drawn point trains (there is no test split: each click must move the
boundary); the Dataset is built exactly as the upload path builds the set's CSV with test share 0.

The link encoding (`encode` / `decode`): one version byte, the number of classes K, then each point's two
coordinate bytes, then the classes packed at ⌈log2 K⌉ bits a point; base64url without padding. 500 points of
2 classes take 1,420 characters, of 6 classes 1,588.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .dataset import Dataset, assemble
from .errors import DataError
from .prepare import split_rows

DOMAIN = 6.0  # the square drawn on: [−DOMAIN, DOMAIN]² (TF Playground's)
LEVELS = 255  # coordinate bytes 0 … 255
STEP = 2 * DOMAIN / LEVELS
MAX_POINTS = 500
MIN_CLASSES, MAX_DRAWN_CLASSES = 2, 6
VERSION = 1
FEATURES = ("x1", "x2")
LABEL = "class"
NAME = "Drawn points"
START_RADIUS = 3.0  # the start points: one per class, on a circle


class DrawnLinkError(DataError):
    """A link's drawn points cannot be read (cut off, edited, from another version)."""


def snap(value: float) -> int:
    """A coordinate → its byte (clipped to the square)."""
    return int(np.clip(np.rint((float(value) + DOMAIN) / STEP), 0, LEVELS))


def unsnap(q: np.ndarray | int) -> np.ndarray:
    return np.asarray(q, dtype=np.float64) * STEP - DOMAIN


def _bits(k: int) -> int:
    return max(1, int(k - 1).bit_length())


@dataclass(frozen=True)
class Drawn:
    """A drawn set: `q` (n, 2) coordinate bytes, `c` (n,) class numbers 0 … k−1, and k, the classes one draws."""

    q: tuple[tuple[int, int], ...]
    c: tuple[int, ...]
    k: int = 2

    def __post_init__(self) -> None:
        if not MIN_CLASSES <= self.k <= MAX_DRAWN_CLASSES:
            raise ValueError(f"k must be {MIN_CLASSES}…{MAX_DRAWN_CLASSES}, not {self.k}")
        if len(self.q) != len(self.c) or any(not 0 <= c < self.k for c in self.c):
            raise ValueError("every point needs a class 0 … k−1")

    # --- making and editing ----------------------------------------------------------------------------
    @classmethod
    def start(cls, k: int = 2) -> Drawn:
        """The smallest set a model can learn from: one point per class on a circle (no coordinate constant)."""
        angles = np.pi / 4 + 2 * np.pi * np.arange(k) / k
        q = tuple((snap(START_RADIUS * np.cos(a)), snap(START_RADIUS * np.sin(a))) for a in angles)
        return cls(q, tuple(range(k)), k)

    @classmethod
    def from_points(cls, X: np.ndarray, labels: np.ndarray, k: int, seed: int = 0) -> Drawn:
        """A data set's points (two standardised features) drawn on the square: ×2 (±3 SD fills it), clipped;
        a seeded sample of MAX_POINTS when there are more (each class keeps a point)."""
        X, labels = np.asarray(X, dtype=np.float64), np.asarray(labels).astype(np.int64)
        order = np.arange(len(X))
        if len(order) > MAX_POINTS:
            firsts = np.array([np.flatnonzero(labels == c)[0] for c in np.unique(labels)])
            rest = np.setdiff1d(order, firsts)
            pick = np.random.default_rng(seed).choice(rest, MAX_POINTS - len(firsts), replace=False)
            order = np.sort(np.concatenate([firsts, pick]))
        q = tuple((snap(2 * X[i, 0]), snap(2 * X[i, 1])) for i in order)
        return cls(q, tuple(int(labels[i]) for i in order), k)

    @property
    def n(self) -> int:
        return len(self.c)

    @property
    def points(self) -> np.ndarray:
        """(n, 2) coordinates on the square."""
        return unsnap(np.array(self.q, dtype=np.int64).reshape(-1, 2))

    def add(self, x: float, y: float, cls: int) -> tuple[Drawn, str | None]:
        """The set with a point of class `cls` at (x, y) snapped, or the same set and why not."""
        if not 0 <= cls < self.k:
            return self, f"There is no class {cls} here: choose one of 0 … {self.k - 1}."
        if not (np.isfinite(x) and np.isfinite(y)):
            return self, "That point is not on the plane."
        if self.n >= MAX_POINTS:
            return self, (f"The drawn set is full: {MAX_POINTS} points at most. Remove some (shift-click or "
                          "long-press) to draw more.")
        return Drawn((*self.q, (snap(x), snap(y))), (*self.c, int(cls)), self.k), None

    def remove_nearest(self, x: float, y: float, within: float = np.inf) -> tuple[Drawn, str | None]:
        """The set without the point nearest (x, y) (within `within`), or the same set and why not: each class
        keeps a point, and each coordinate two values (a model needs both classes, and standardising a constant
        coordinate divides by 0)."""
        if not self.n or not (np.isfinite(x) and np.isfinite(y)):
            return self, "There is no point there to remove."
        d = np.hypot(*(self.points - [x, y]).T)
        i = int(np.argmin(d))
        if d[i] > within:
            return self, "There is no point there to remove."
        q, c = self.q[:i] + self.q[i + 1:], self.c[:i] + self.c[i + 1:]
        if self.c[i] not in c:
            return self, f"That is the last point of class {self.c[i]}: each class keeps one, to be learned."
        if min(len({p[j] for p in q}) for j in (0, 1)) < 2:
            return self, "Without that point every remaining point shares a coordinate; draw another first."
        return Drawn(q, c, self.k), None

    # --- what trains -------------------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """The set as a table: x1, x2, class (the CSV download; the upload path reads it back)."""
        X = self.points
        return pd.DataFrame({FEATURES[0]: X[:, 0], FEATURES[1]: X[:, 1], LABEL: np.array(self.c, dtype=np.int64)})

    def to_csv(self) -> str:
        return self.to_frame().to_csv(index=False, float_format="%.17g")

    def dataset(self, seed: int = 0) -> Dataset:
        """Every point trains (test share 0), standardised with their mean and spread, rows in the order the
        upload path puts the set's CSV in (split_rows): the CSV read back trains the same model."""
        codes = np.array(self.c, dtype=np.int64)
        train, test, _ = split_rows(codes, 0.0, seed)
        X = self.points
        names = tuple(str(v) for v in range(self.k))
        if self.k == 2:
            return assemble(NAME, (X[train], codes[train] * 1.0), (X[test], codes[test] * 1.0),
                            feature_names=FEATURES, label_name=LABEL, class_names=names)
        first = names[0]
        return assemble(NAME, (X[train], (codes[train] == 0) * 1.0), (X[test], (codes[test] == 0) * 1.0),
                        feature_names=FEATURES, label_name=LABEL, class_names=(f"not {first}", first),
                        labels=(codes[train], codes[test]), classes=names, positive=0)

    # --- the link --------------------------------------------------------------------------------------
    def encode(self) -> str:
        head = bytes([VERSION, self.k])
        coords = np.array(self.q, dtype=np.uint8).reshape(-1).tobytes()
        bits = _bits(self.k)
        flat = np.array([(cls >> b) & 1 for cls in self.c for b in range(bits)], dtype=np.uint8)
        packed = np.packbits(flat, bitorder="little").tobytes()
        return base64.urlsafe_b64encode(head + coords + packed).decode("ascii").rstrip("=")


def decode(text: str) -> Drawn:
    """The set a link carries; a DrawnLinkError saying what is wrong when it cannot be read."""
    broken = "The drawn points in this link cannot be read"
    text = (text or "").strip()
    if not text:
        raise DrawnLinkError(f"{broken}: it carries none.")
    if len(text) > 4 * (2 + 2 * MAX_POINTS + MAX_POINTS) // 3 + 4:
        raise DrawnLinkError(f"{broken}: it is longer than {MAX_POINTS} points can be.")
    try:
        if not re.fullmatch(r"[A-Za-z0-9_-]+", text):  # the decoder would skip such characters silently
            raise ValueError(text)
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise DrawnLinkError(f"{broken}: it has characters a link of points never has (was it edited?).") from None
    if len(raw) < 2 or raw[0] != VERSION:
        raise DrawnLinkError(f"{broken}: it was made by another version of scratchnet, or cut off.")
    k = raw[1]
    if not MIN_CLASSES <= k <= MAX_DRAWN_CLASSES:
        raise DrawnLinkError(f"{broken}: it says {k} classes; drawn sets have 2 to {MAX_DRAWN_CLASSES}.")
    body, bits = raw[2:], _bits(k)
    # n points take 2n bytes of coordinates and ⌈n·bits/8⌉ of classes: the one n that fits the length
    n = next((m for m in range(MAX_POINTS + 1) if 2 * m + -(-m * bits // 8) == len(body)), None)
    if n is None:
        raise DrawnLinkError(f"{broken}: it is cut off or has extra characters (copy the whole link).")
    q = np.frombuffer(body[:2 * n], dtype=np.uint8).reshape(n, 2)
    flat = np.unpackbits(np.frombuffer(body[2 * n:], dtype=np.uint8), bitorder="little")[:n * bits]
    c = flat.reshape(n, bits).astype(np.int64) @ (1 << np.arange(bits)) if n else np.zeros(0, dtype=np.int64)
    if np.any(c >= k):
        raise DrawnLinkError(f"{broken}: a point has a class beyond the {k} the link says.")
    drawn = Drawn(tuple((int(a), int(b)) for a, b in q), tuple(int(v) for v in c), k)
    missing = sorted(set(range(k)) - set(drawn.c))
    if missing or min(len(np.unique(q[:, j])) for j in (0, 1)) < 2:
        raise DrawnLinkError(f"{broken}: it needs a point of every class and two values of each coordinate.")
    return drawn

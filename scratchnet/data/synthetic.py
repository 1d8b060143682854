"""2-D toy datasets: two classes (blobs, moons, circles, xor, spiral) and more (3 or 4 blobs, a 3-arm spiral)."""

from __future__ import annotations

import numpy as np

from .dataset import Dataset, dataset_from_arrays

BINARY_KINDS: tuple[str, ...] = ("blobs", "moons", "circles", "xor", "spiral")
CLASS_COUNTS: dict[str, int] = {"blobs3": 3, "blobs4": 4, "spiral3": 3}  # the kinds with more than two classes
MULTICLASS_KINDS: tuple[str, ...] = tuple(CLASS_COUNTS)
SYNTHETIC_KINDS: tuple[str, ...] = (*BINARY_KINDS, *MULTICLASS_KINDS)

# Standard deviation of the Gaussian jitter at noise = 1, per kind (noise scales it linearly).
_JITTER_AT_FULL_NOISE = {"blobs": 1.2, "moons": 0.8, "circles": 0.6, "xor": 1.0, "spiral": 0.5,
                         "blobs3": 1.2, "blobs4": 1.2, "spiral3": 0.4}
# Centres of the multi-class blobs: 3 on a circle of radius 1.6 (2.77 apart), 4 at (±1.4, ±1.4) (2.8 apart);
# offsets are clipped to radius 1.2, so the clean blobs never touch and straight borders separate them.
_BLOB_CENTRES = {
    "blobs3": 1.6 * np.column_stack([np.cos(np.pi / 2 + 2 * np.pi * np.arange(3) / 3),
                                     np.sin(np.pi / 2 + 2 * np.pi * np.arange(3) / 3)]),
    "blobs4": 1.4 * np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]]),
}


def n_classes_of(kind: str) -> int:
    """How many classes a synthetic kind has (2 for the binary ones)."""
    return CLASS_COUNTS.get(kind, 2)


def _clipped_offsets(rng: np.random.Generator, n: int) -> np.ndarray:
    """Gaussian offsets (sd 0.4) clipped to radius 1.2."""
    offsets = rng.normal(0.0, 0.4, size=(n, 2))
    radius = np.linalg.norm(offsets, axis=1, keepdims=True)
    return offsets * np.minimum(1.0, 1.2 / np.maximum(radius, 1e-12))


def _clean_points(kind: str, rng: np.random.Generator, n: int, cls: int) -> np.ndarray:
    """n noise-free points of class `cls` (0 … K−1) for one kind of dataset."""
    if kind == "blobs":
        # Gaussian blobs around (-1,-1) / (1,1), clipped to radius 1.2: the line x1 + x2 = 0 is √2 away
        # from each centre, so the clean blobs are always linearly separable.
        offsets = _clipped_offsets(rng, n)
        centre = np.array([1.0, 1.0]) if cls == 1 else np.array([-1.0, -1.0])
        return centre + offsets
    if kind in _BLOB_CENTRES:
        return _BLOB_CENTRES[kind][cls] + _clipped_offsets(rng, n)
    if kind == "spiral3":
        # three arms a third of a turn apart, one turn each: a straight border must cut through the arms
        t = rng.uniform(0.0, 1.0, size=n)
        radius = 0.3 + 2.4 * t
        angle = 2 * np.pi * t + cls * 2 * np.pi / 3
        return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    if kind == "moons":
        t = rng.uniform(0.0, np.pi, size=n)
        if cls == 0:
            moon = np.column_stack([np.cos(t), np.sin(t)])
        else:
            moon = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
        return (moon - np.array([0.5, 0.25])) * 1.5  # centred, spanning about [-2.25, 2.25]
    if kind == "circles":
        # class 1: a disc of radius 1 in the middle; class 0: a ring between radius 1.6 and 2.4
        angle = rng.uniform(0.0, 2 * np.pi, size=n)
        if cls == 1:
            radius = np.sqrt(rng.uniform(0.0, 1.0, size=n))  # sqrt -> uniform density over the disc
        else:
            radius = rng.uniform(1.6, 2.4, size=n)
        return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    if kind == "xor":
        # class 1 in quadrants I and III (x1·x2 > 0), class 0 in II and IV; a 0.3 gap around the axes
        magnitude = rng.uniform(0.3, 2.5, size=(n, 2))
        sign1 = rng.choice(np.array([-1.0, 1.0]), size=n)
        sign2 = sign1 if cls == 1 else -sign1
        return magnitude * np.column_stack([sign1, sign2])
    if kind == "spiral":
        # two arms, half a turn apart, 1.5 turns each
        t = rng.uniform(0.0, 1.0, size=n)
        radius = 0.3 + 2.4 * t
        angle = 3 * np.pi * t + cls * np.pi
        return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    raise ValueError(f"unknown dataset kind {kind!r}")


def make_synthetic(
    kind: str, n: int = 200, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D toy dataset: X (n, 2) float64 and y (n,) float64 in {0, 1} (0 … K−1 for the MULTICLASS_KINDS).

    Classes are balanced (sizes differ by at most one, the later classes larger), rows are shuffled, and the
    result depends only on (kind, n, noise, seed). noise in [0, 1]: 0 = clean, 1 = heavily mixed. Coordinates stay
    roughly within [-3, 3] for small noise.
    """
    if kind not in SYNTHETIC_KINDS:
        raise ValueError(f"unknown dataset kind {kind!r}; choose one of: {', '.join(SYNTHETIC_KINDS)}")
    k = n_classes_of(kind)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < k:
        raise ValueError(f"n must be a whole number of at least {k} (one point per class), not {n!r}")
    if not (isinstance(noise, int | float | np.floating) and 0.0 <= noise <= 1.0):
        raise ValueError(f"noise must be a number between 0 and 1, not {noise!r}")
    rng = np.random.default_rng(seed)
    sizes = [n // k + (1 if c >= k - n % k else 0) for c in range(k)]  # two classes: n // 2, then the rest
    X = np.vstack([_clean_points(kind, rng, size, c) for c, size in enumerate(sizes)])
    y = np.repeat(np.arange(k, dtype=np.float64), sizes)
    # Always draw the jitter, so the same seed gives the same points at every noise level, just moved.
    X = X + rng.normal(0.0, 1.0, size=X.shape) * (_JITTER_AT_FULL_NOISE[kind] * float(noise))
    order = rng.permutation(n)
    return X[order].astype(np.float64), y[order].astype(np.float64)


def synthetic_dataset(
    kind: str, n: int = 200, noise: float = 0.1, seed: int = 0, test_ratio: float = 0.25
) -> Dataset:
    """make_synthetic + dataset_from_arrays, named like "moons (n=200, noise=0.1, seed=0)". Classes are named
    "0", "1", …; with more than two, the one-vs-rest view is class "1" against the others."""
    X, y = make_synthetic(kind, n=n, noise=noise, seed=seed)
    return dataset_from_arrays(
        X,
        y,
        name=f"{kind} (n={n}, noise={noise:g}, seed={seed})",
        feature_names=("x1", "x2"),
        label_name="label",
        class_names=tuple(str(c) for c in range(n_classes_of(kind))),
        test_ratio=test_ratio,
        seed=seed,
    )

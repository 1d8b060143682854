"""2-D two-class toy datasets: blobs, moons, circles, xor and spiral."""

from __future__ import annotations

import numpy as np

from .dataset import Dataset, dataset_from_arrays

SYNTHETIC_KINDS: tuple[str, ...] = ("blobs", "moons", "circles", "xor", "spiral")

# Standard deviation of the Gaussian jitter at noise = 1, per kind (noise scales it linearly).
_JITTER_AT_FULL_NOISE = {"blobs": 1.2, "moons": 0.8, "circles": 0.6, "xor": 1.0, "spiral": 0.5}


def _clean_points(kind: str, rng: np.random.Generator, n: int, cls: int) -> np.ndarray:
    """n noise-free points of class `cls` (0 or 1) for one kind of dataset."""
    if kind == "blobs":
        # Gaussian blobs around (-1,-1) / (1,1), clipped to radius 1.2: the line x1 + x2 = 0 is √2 away
        # from each centre, so the clean blobs are always linearly separable.
        offsets = rng.normal(0.0, 0.4, size=(n, 2))
        radius = np.linalg.norm(offsets, axis=1, keepdims=True)
        offsets *= np.minimum(1.0, 1.2 / np.maximum(radius, 1e-12))
        centre = np.array([1.0, 1.0]) if cls == 1 else np.array([-1.0, -1.0])
        return centre + offsets
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
    """A 2-D two-class toy dataset: X (n, 2) float64 and y (n,) float64 in {0, 1}.

    Classes are balanced (n // 2 of class 0, the rest class 1), rows are shuffled, and the result depends
    only on (kind, n, noise, seed). noise in [0, 1]: 0 = clean, 1 = heavily mixed. Coordinates stay
    roughly within [-3, 3] for small noise.
    """
    if kind not in SYNTHETIC_KINDS:
        raise ValueError(f"unknown dataset kind {kind!r}; choose one of: {', '.join(SYNTHETIC_KINDS)}")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"n must be a whole number of at least 2 (one point per class), not {n!r}")
    if not (isinstance(noise, int | float | np.floating) and 0.0 <= noise <= 1.0):
        raise ValueError(f"noise must be a number between 0 and 1, not {noise!r}")
    rng = np.random.default_rng(seed)
    n0 = n // 2
    n1 = n - n0
    X = np.vstack([_clean_points(kind, rng, n0, 0), _clean_points(kind, rng, n1, 1)])
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    # Always draw the jitter, so the same seed gives the same points at every noise level, just moved.
    X = X + rng.normal(0.0, 1.0, size=X.shape) * (_JITTER_AT_FULL_NOISE[kind] * float(noise))
    order = rng.permutation(n)
    return X[order].astype(np.float64), y[order].astype(np.float64)


def synthetic_dataset(
    kind: str, n: int = 200, noise: float = 0.1, seed: int = 0, test_ratio: float = 0.25
) -> Dataset:
    """make_synthetic + dataset_from_arrays, named like "moons (n=200, noise=0.1, seed=0)"."""
    X, y = make_synthetic(kind, n=n, noise=noise, seed=seed)
    return dataset_from_arrays(
        X,
        y,
        name=f"{kind} (n={n}, noise={noise:g}, seed={seed})",
        feature_names=("x1", "x2"),
        label_name="label",
        class_names=("0", "1"),
        test_ratio=test_ratio,
        seed=seed,
    )

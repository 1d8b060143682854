"""Tests for scratchnet.data (generators, split, Dataset, CSV reading, samples) and scratchnet.features."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scratchnet.data as data_module
from scratchnet.data import (
    MULTICLASS_KINDS,
    SAMPLE_DIR,
    SAMPLES,
    SYNTHETIC_KINDS,
    ColumnChoiceError,
    ConstantFeatureError,
    DataError,
    Dataset,
    DuplicateColumnError,
    EmptyFileError,
    MissingValueError,
    NonFiniteValueError,
    NonNumericValueError,
    NoNumericColumnError,
    RowLengthError,
    SingleClassError,
    TooFewColumnsError,
    TooFewRowsError,
    TooLargeError,
    TooManyClassesError,
    UnclosedQuoteError,
    UnreadableFileError,
    dataset_from_arrays,
    guess_positive,
    label_values,
    load_sample,
    make_synthetic,
    n_classes_of,
    prepare_dataset,
    read_csv,
    split,
    suggest_columns,
    synthetic_dataset,
)
from scratchnet.features import EXTRA_FEATURES, expand_features, expanded_names

REPO = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------------------------------------
# Synthetic generators
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", SYNTHETIC_KINDS)
@pytest.mark.parametrize("n", [200, 7, 4])
def test_generator_shape_dtype_and_balance(kind: str, n: int) -> None:
    X, y = make_synthetic(kind, n=n, noise=0.3, seed=5)
    k = n_classes_of(kind)
    assert X.shape == (n, 2) and y.shape == (n,)
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert set(np.unique(y)) == set(range(k))
    sizes = np.bincount(y.astype(int))
    assert sizes.max() - sizes.min() <= 1 and list(sizes) == sorted(sizes)  # balanced, the later ones larger
    if k == 2:
        assert int(np.sum(y == 0)) == n // 2 and int(np.sum(y == 1)) == n - n // 2
    assert np.all(np.isfinite(X))


def test_multiclass_kinds_and_their_smallest_size() -> None:
    assert MULTICLASS_KINDS == ("blobs3", "blobs4", "spiral3")
    assert [n_classes_of(k) for k in SYNTHETIC_KINDS] == [2] * 5 + [3, 4, 3]
    assert make_synthetic("blobs4", n=4)[1].tolist().count(3.0) == 1
    with pytest.raises(ValueError, match="at least 4"):
        make_synthetic("blobs4", n=3)


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("kind", ["blobs3", "blobs4"])
def test_clean_multiclass_blobs_are_separated_by_straight_borders(kind: str, seed: int) -> None:
    """Each point is nearer its own centre than any other: the borders of the centres' Voronoi cells, which are
    straight lines, separate the classes (so softmax regression can)."""
    X, y = make_synthetic(kind, n=600, noise=0.0, seed=seed)
    centres = np.array([X[y == c].mean(axis=0) for c in range(n_classes_of(kind))])
    nearest = np.argmin(np.linalg.norm(X[:, None, :] - centres[None], axis=2), axis=1)
    np.testing.assert_array_equal(nearest, y)


def test_spiral3_arms_wind_a_third_of_a_turn_apart() -> None:
    X, y = make_synthetic("spiral3", n=900, noise=0.0, seed=0)
    radius = np.linalg.norm(X, axis=1)
    t = (radius - 0.3) / 2.4
    angle = np.arctan2(X[:, 1], X[:, 0])
    expected = 2 * np.pi * t + y * 2 * np.pi / 3
    np.testing.assert_allclose(np.cos(angle - expected), 1.0, atol=1e-9)
    # a straight line cannot separate them: every arm covers every direction
    for c in range(3):
        sectors = np.unique(np.floor((angle[y == c] + np.pi) / (np.pi / 2)))
        assert len(sectors) == 4


@pytest.mark.parametrize("kind", SYNTHETIC_KINDS)
def test_generator_is_deterministic_per_seed(kind: str) -> None:
    X1, y1 = make_synthetic(kind, seed=3)
    X2, y2 = make_synthetic(kind, seed=3)
    X3, _ = make_synthetic(kind, seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("kind", SYNTHETIC_KINDS)
def test_generator_scale_is_sensible(kind: str) -> None:
    X, _ = make_synthetic(kind, n=1000, noise=0.1, seed=0)
    assert np.max(np.abs(X)) < 3.5
    assert np.ptp(X[:, 0]) > 2 and np.ptp(X[:, 1]) > 1.5  # spread over the plane, not a dot


@pytest.mark.parametrize("kind", SYNTHETIC_KINDS)
def test_rows_are_shuffled(kind: str) -> None:
    _, y = make_synthetic(kind, n=200, seed=0)
    assert 0 < np.sum(y[:100] == 0) < 100  # not all class 0 first


@pytest.mark.parametrize("seed", range(10))
def test_clean_blobs_are_linearly_separable(seed: int) -> None:
    X, y = make_synthetic("blobs", n=1000, noise=0.0, seed=seed)
    side = X[:, 0] + X[:, 1]  # the line x1 + x2 = 0 separates them
    assert np.all(side[y == 1] > 0) and np.all(side[y == 0] < 0)


def test_noisy_blobs_are_mixed() -> None:
    X, y = make_synthetic("blobs", n=2000, noise=1.0, seed=0)
    wrong_side = np.mean((X[:, 0] + X[:, 1] > 0) != (y == 1))
    assert wrong_side > 0.05


def test_clean_xor_and_circles_follow_their_rule() -> None:
    X, y = make_synthetic("xor", n=500, noise=0.0, seed=1)
    np.testing.assert_array_equal((X[:, 0] * X[:, 1] > 0).astype(float), y)
    X, y = make_synthetic("circles", n=500, noise=0.0, seed=1)
    radius = np.linalg.norm(X, axis=1)
    assert np.all(radius[y == 1] <= 1.0) and np.all(radius[y == 0] >= 1.6)


@pytest.mark.parametrize("kind", SYNTHETIC_KINDS)
def test_noise_moves_points_but_not_labels(kind: str) -> None:
    X0, y0 = make_synthetic(kind, noise=0.0, seed=2)
    X1, y1 = make_synthetic(kind, noise=0.5, seed=2)
    np.testing.assert_array_equal(y0, y1)
    moved = np.linalg.norm(X1 - X0, axis=1)
    assert np.mean(moved) > 0.05


def test_generator_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="blobs, moons, circles, xor, spiral"):
        make_synthetic("donut")
    with pytest.raises(ValueError, match="noise"):
        make_synthetic("moons", noise=1.5)
    with pytest.raises(ValueError, match="at least 2"):
        make_synthetic("moons", n=1)


# --------------------------------------------------------------------------------------------------------
# split
# --------------------------------------------------------------------------------------------------------


def _toy(n0: int, n1: int) -> tuple[np.ndarray, np.ndarray]:
    X = np.arange(2 * (n0 + n1), dtype=float).reshape(-1, 2)
    y = np.array([0.0] * n0 + [1.0] * n1)
    return X, y


def test_split_is_stratified_and_loses_nothing() -> None:
    X, y = _toy(40, 80)
    X_tr, X_te, y_tr, y_te = split(X, y, test_ratio=0.25, seed=0)
    assert (np.sum(y_te == 0), np.sum(y_te == 1)) == (10, 20)
    assert (np.sum(y_tr == 0), np.sum(y_tr == 1)) == (30, 60)
    rows = np.vstack([X_tr, X_te])
    np.testing.assert_array_equal(np.sort(rows[:, 0]), X[:, 0])  # each row exactly once
    labels = dict(zip(X[:, 0], y, strict=True))
    assert all(labels[x] == t for x, t in zip(X_te[:, 0], y_te, strict=True))  # rows keep their labels


def test_split_is_seeded() -> None:
    X, y = _toy(30, 30)
    a = split(X, y, seed=1)
    b = split(X, y, seed=1)
    c = split(X, y, seed=2)
    for left, right in zip(a, b, strict=True):
        np.testing.assert_array_equal(left, right)
    assert not np.array_equal(a[1], c[1])


def test_split_ratio_zero_gives_empty_test_arrays() -> None:
    X, y = _toy(5, 7)
    X_tr, X_te, y_tr, y_te = split(X, y, test_ratio=0.0)
    assert X_te.shape == (0, 2) and y_te.shape == (0,)
    assert X_tr.shape == (12, 2)


def test_split_keeps_a_training_example_of_every_class() -> None:
    X, y = _toy(1, 20)
    _, _, y_tr, y_te = split(X, y, test_ratio=0.9)
    assert np.sum(y_tr == 0) == 1 and np.sum(y_te == 0) == 0
    assert np.sum(y_tr == 1) >= 1


def test_split_rejects_bad_ratio_and_shapes() -> None:
    X, y = _toy(5, 5)
    with pytest.raises(ValueError, match="test_ratio"):
        split(X, y, test_ratio=0.95)
    with pytest.raises(ValueError):
        split(X, y[:-1])


# --------------------------------------------------------------------------------------------------------
# Dataset and standardisation
# --------------------------------------------------------------------------------------------------------


def test_synthetic_dataset_is_standardised_with_training_stats() -> None:
    ds = synthetic_dataset("moons", n=200, noise=0.1, seed=0)
    assert ds.name == "moons (n=200, noise=0.1, seed=0)"
    assert (ds.n_train, ds.n_test, ds.n_features) == (150, 50, 2)
    assert ds.feature_names == ("x1", "x2") and ds.class_names == ("0", "1")
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(ds.X_train.std(axis=0), 1.0, atol=1e-12)
    X, _ = make_synthetic("moons", n=200, noise=0.1, seed=0)
    raw_rows = {tuple(np.round(r, 9)) for r in X}
    back = np.vstack([ds.to_original(ds.X_train), ds.to_original(ds.X_test)])
    assert {tuple(np.round(r, 9)) for r in back} == raw_rows  # every raw point comes back exactly once


def test_round_trip_between_raw_and_standard_units() -> None:
    ds = synthetic_dataset("spiral", n=120, seed=4)
    raw = ds.to_original(ds.X_test)
    np.testing.assert_allclose(ds.to_standard(raw), ds.X_test, atol=1e-12)
    np.testing.assert_allclose(ds.to_original(np.zeros(2)), ds.mean)


def test_huge_and_tiny_values_standardise_to_finite_numbers() -> None:
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(1, 9, 60) * 1e300, rng.uniform(1, 9, 60) * 1e-300])
    y = np.tile([0.0, 1.0], 30)
    ds = dataset_from_arrays(X, y, name="extreme", feature_names=("huge", "tiny"))
    assert np.all(np.isfinite(ds.X_train)) and np.all(np.isfinite(ds.X_test))
    np.testing.assert_allclose(ds.X_train.std(axis=0), 1.0, rtol=1e-9)
    back = ds.to_original(ds.X_train)
    assert np.all(np.isfinite(back))
    assert np.all((back[:, 0] > 0.9e300) & (back[:, 0] < 9.1e300))
    assert np.all((back[:, 1] > 0.9e-300) & (back[:, 1] < 9.1e-300))


def test_a_test_value_far_beyond_the_training_spread_round_trips() -> None:
    """Found by test_numeric_tables_standardise_exactly in CI: training values ~1e-242, a test value ~1e66, so its
    standard coordinate is near the float maximum. Scaled by a power of two below max(|mean|, std), to_standard gave
    inf and to_original 1.8e308; scaled by the one above, both directions are exact."""
    ds = dataclasses.replace(synthetic_dataset("moons", n=40, seed=0), mean=np.array([1.23198666e-242, 0.0]),
                             std=np.array([2.46397332e-242, 1.0]))
    raw = np.array([[3.5e66, 0.5], [3.7e66, -0.5], [4.4e66, 2.0]])
    z = ds.to_standard(raw)
    assert np.all(np.isfinite(z)) and z[:, 0].min() > 1.4e308
    np.testing.assert_array_equal(ds.to_original(z), raw)
    np.testing.assert_array_equal(ds.to_standard(ds.to_original(z)), z)


def test_the_power_of_two_scale_stops_at_the_largest_float_power() -> None:
    """mean or std ≥ 2^1023: the power just above is 2^1024 = inf (what broke the first fix); 2^1023 is used."""
    ds = dataclasses.replace(synthetic_dataset("moons", n=40, seed=0), mean=np.array([1.7e308, -1.7e308]),
                             std=np.array([1.7e308, 1e308]))
    z = np.array([[0.0, 0.5], [-1.0, 1.0], [-0.5, 1.5]])
    raw = ds.to_original(z)
    np.testing.assert_allclose(raw, [[1.7e308, -1.2e308], [0.0, -7e307], [8.5e307, -2e307]], rtol=1e-15)
    np.testing.assert_array_equal(ds.to_standard(raw), z)
    assert np.all(ds.to_original(np.array([[2.0, -1.0]])) == [np.finfo(float).max, -np.finfo(float).max])  # clipped


def test_a_test_value_no_float_can_standardise_uses_all_rows_and_says_so() -> None:
    """Training values ~1e-243 and a test value 1e66: its standard coordinate (~1e309) is beyond the float range,
    so clipping it lost the value (to_original gave 7.8e64 for 1e66). That column is standardised with all rows."""
    X = np.column_stack([[1e-243 if i % 3 else 0.0 for i in range(12)], np.arange(12.0)])
    X[4, 0] = 1e66  # a test row with split seed 0
    y = np.array([0.0, 0, 1, 1] + [i % 2 for i in range(8)])
    ds = dataset_from_arrays(X, y, name="far", feature_names=("far", "plain"))
    assert 1e66 in X[:, 0][np.isin(X[:, 1], ds.to_original(ds.X_test)[:, 1])]
    Z = np.vstack([ds.X_train, ds.X_test])
    assert np.all(np.abs(Z) <= np.sqrt(len(X)))
    back = ds.to_original(Z)
    np.testing.assert_allclose(np.sort(back[:, 0]), np.sort(X[:, 0]), rtol=1e-15, atol=1e-9 * 1e66)
    np.testing.assert_allclose(ds.to_standard(back), Z, rtol=1e-12, atol=1e-12)
    assert ds.notes == ('Column "far" has a test value too far from its training values to standardise with their '
                        "spread; it was standardised with the mean and spread of all rows instead.",)
    plain = dataset_from_arrays(X[:, 1:], y, name="plain", feature_names=("plain",))
    np.testing.assert_allclose(ds.X_train[:, 1], plain.X_train[:, 0], rtol=1e-12)  # the other column as before


def test_dataset_arrays_are_read_only_and_validated() -> None:
    ds = synthetic_dataset("blobs")
    with pytest.raises(ValueError):
        ds.X_train[0, 0] = 1.0
    with pytest.raises(ValueError, match="0 or 1"):
        Dataset(
            "bad",
            np.zeros((2, 1)),
            np.array([0.0, 2.0]),
            np.zeros((0, 1)),
            np.zeros(0),
            ("a",),
            "y",
            ("0", "1"),
            np.zeros(1),
            np.ones(1),
        )
    with pytest.raises(ValueError, match="feature names"):
        Dataset(
            "bad",
            np.zeros((2, 2)),
            np.zeros(2),
            np.zeros((0, 2)),
            np.zeros(0),
            ("a",),
            "y",
            ("0", "1"),
            np.zeros(1),
            np.ones(1),
        )


def test_dataset_from_arrays_rejects_constant_and_infinite_columns() -> None:
    y = np.tile([0.0, 1.0], 10)
    X = np.column_stack([np.arange(20.0), np.full(20, 3.0)])
    with pytest.raises(ConstantFeatureError, match='"b"'):
        dataset_from_arrays(X, y, name="t", feature_names=("a", "b"))
    X[4, 0] = np.inf
    with pytest.raises(NonFiniteValueError, match='"a"'):
        dataset_from_arrays(X, y, name="t", feature_names=("a", "b"))


def test_column_constant_only_in_training_rows_gets_a_note() -> None:
    # 20 rows, one of them different: with everything else in training, the odd one is in the test set.
    y = np.tile([0.0, 1.0], 10)
    X = np.column_stack([np.arange(20.0), np.full(20, 3.0)])
    X[0, 1] = 4.0
    found_note = False
    for seed in range(30):
        ds = dataset_from_arrays(X, y, name="t", feature_names=("a", "b"), seed=seed)
        assert np.all(np.isfinite(ds.X_test)) and ds.std[1] > 0
        found_note |= any('"b" has the same value in every training row' in n for n in ds.notes)
    assert found_note


def test_standardisation_takes_mean_and_divisor_from_training_rows_only() -> None:
    # "b" is 2.0 and "c" is 0.0 in every training row but not in the test rows (split depends on y and
    # the seed only). Before issue #10 item 7b, b's divisor was its largest value over all rows (40).
    y = np.tile([0.0, 1.0], 10)
    _, test_positions, _, _ = split(np.arange(20.0)[:, None], y, test_ratio=0.25, seed=0)
    test_rows = test_positions[:, 0].astype(int)
    X = np.column_stack([np.arange(20.0) ** 2, np.full(20, 2.0), np.zeros(20)])
    X[test_rows, 1] = np.linspace(-6.0, 40.0, len(test_rows))
    X[test_rows, 2] = np.linspace(-3.0, 5.0, len(test_rows))
    names = ("a", "b", "c")
    ds = dataset_from_arrays(X, y, name="t", feature_names=names)
    assert ds.mean[1] == 2.0 and ds.std[1] == 2.0  # the training value's size stands in for the spread
    assert ds.mean[2] == 0.0 and ds.std[2] == 1.0  # ... or 1 when that value is 0
    _, X_test_raw, _, _ = split(X, y, test_ratio=0.25, seed=0)
    np.testing.assert_array_equal(ds.X_test[:, 1], (X_test_raw[:, 1] - 2.0) / 2.0)
    np.testing.assert_array_equal(ds.X_test[:, 2], X_test_raw[:, 2])
    np.testing.assert_array_equal(ds.X_train[:, 1:], 0.0)
    assert any('"b" has the same value in every training row' in n and "size" in n for n in ds.notes)
    assert any('"c" has the same value in every training row' in n and "not scaled" in n for n in ds.notes)
    # whatever the test rows hold, the training statistics and inputs stay the same, bit for bit
    X_far = X.copy()
    X_far[test_rows] = X_far[test_rows] * 1e6 + 7.0
    far = dataset_from_arrays(X_far, y, name="t", feature_names=names)
    for attr in ("mean", "std", "X_train"):
        np.testing.assert_array_equal(getattr(far, attr), getattr(ds, attr), err_msg=attr)


# --------------------------------------------------------------------------------------------------------
# read_csv / label_values / suggest_columns / prepare_dataset
# --------------------------------------------------------------------------------------------------------

SPECIES = ("setosa", "versicolor", "virginica")
IRIS_LIKE = (
    "sepal,petal,species\n"
    + "\n".join(f"{5 + i / 10},{1 + (i % 4) / 2},{SPECIES[i % 3]}" for i in range(15))
    + "\n"
).encode()


def test_read_csv_accepts_bytes_paths_and_file_objects(tmp_path: Path) -> None:
    path = tmp_path / "iris.csv"
    path.write_bytes(IRIS_LIKE)
    frames = [read_csv(IRIS_LIKE), read_csv(path), read_csv(str(path)), read_csv(io.BytesIO(IRIS_LIKE))]
    for frame in frames:
        pd.testing.assert_frame_equal(frame, frames[0])
    assert frames[0].index.name == "row" and list(frames[0].index[:2]) == [2, 3]
    assert frames[0].attrs == {"notes": [], "delimiter": ",", "encoding": "utf-8"}
    assert frames[0]["sepal"].dtype == np.float64 and frames[0]["species"].iloc[0] == "setosa"


def test_label_values_are_display_strings_most_frequent_first() -> None:
    frame = read_csv(b"x,label\n1,b\n2,a\n3,b\n4,c\n5,a\n6,b\n7,\n")
    assert label_values(frame, "label") == ["b", "a", "c"]
    numbers = read_csv(b"x,label\n1,1.0\n2,0\n3,0\n4,2.5\n")
    assert label_values(numbers, "label") == ["0", "1", "2.5"]
    with pytest.raises(ColumnChoiceError, match='"nope"'):
        label_values(frame, "nope")


def test_suggest_columns_prefers_label_names_and_clean_numeric_features() -> None:
    frame = pd.DataFrame(
        {
            "id": range(20),
            "height": np.linspace(1, 2, 20),
            "empty": [np.nan] * 20,
            "weight": np.linspace(50, 90, 20),
            "Diagnosis": ["M", "B"] * 10,
            "group": [1, 2, 3, 4] * 5,
        }
    )
    # never the id, never the empty column; height and weight separate M from B equally (one is a multiple of
    # the other), group separates them best: group, and of the tie the first in the table
    assert suggest_columns(frame) == (["height", "group"], "Diagnosis")
    unnamed = frame.drop(columns=["Diagnosis"])
    assert suggest_columns(unnamed) == (["height", "weight"], "group")  # last column with 2-10 values


def test_prepare_dataset_on_a_hand_made_frame() -> None:
    frame = pd.DataFrame(
        {
            "a": [str(v) for v in np.linspace(0, 1, 12)],  # numbers as text still work
            "b": [True, False, False] * 4,  # booleans count as 0/1
            "label": [" Yes ", "no"] * 6,
        }
    )
    ds = prepare_dataset(frame, ["a", "b"], "label", test_ratio=0.0, name="hand.csv")
    assert ds.class_names == ("no", "Yes") and ds.n_train == 12 and ds.n_test == 0
    assert ds.name == "hand.csv" and ds.feature_names == ("a", "b")
    np.testing.assert_allclose(ds.to_original(ds.X_train)[:, 1].sum(), 4.0)
    bad = frame.assign(a=["x"] + frame["a"].tolist()[1:])
    with pytest.raises(NonNumericValueError, match=r'"x" in row 2'):  # row numbers: position + 2
        prepare_dataset(bad, ["a"], "label")


def test_prepare_dataset_subsamples_stratified_and_seeded() -> None:
    n = 5000
    y = np.where(np.arange(n) % 10 == 0, "rare", "common")
    frame = pd.DataFrame({"x": np.arange(n, dtype=float), "z": np.sin(np.arange(n)), "label": y})
    a = prepare_dataset(frame, ["x", "z"], "label", max_rows=1000, positive="rare", test_ratio=0.0)
    b = prepare_dataset(frame, ["x", "z"], "label", max_rows=1000, positive="rare", test_ratio=0.0)
    assert a.n_train == 1000 and np.sum(a.y_train) == 100  # 10 % rare, as in the full table
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert "Used 1,000 of 5,000 rows" in a.notes[-1]


def test_guess_positive() -> None:
    assert guess_positive(["no", "yes"]) == "yes" and guess_positive(["yes", "no"]) == "yes"
    assert guess_positive(["0", "1"]) == "1" and guess_positive(["True", "False"]) == "True"
    assert guess_positive(["ham", "eggs"]) == "eggs"  # the one that is not negative-looking
    assert guess_positive(["10", "9"]) == "10"  # second in numeric order, not "9" > "10" as text
    with pytest.raises(ValueError):
        guess_positive(["a", "b", "c"])


def test_label_guessing_and_explicit_positive() -> None:
    frame = pd.DataFrame({"x": np.arange(12.0), "y": ["benign", "malignant"] * 6})
    assert prepare_dataset(frame, ["x"], "y").class_names == ("benign", "malignant")
    swapped = prepare_dataset(frame, ["x"], "y", positive="BENIGN")  # case-insensitive match
    assert swapped.class_names == ("malignant", "benign")
    plain = pd.DataFrame({"x": np.arange(12.0), "y": ["cat", "dog"] * 6})
    assert prepare_dataset(plain, ["x"], "y").class_names == ("cat", "dog")  # second in sorted order


# One realistic input per DataError subclass (the catalogue has many more).
ERROR_EXAMPLES: dict[type[DataError], tuple[bytes, tuple[str, ...] | None, str | None, str]] = {
    EmptyFileError: (b"", None, None, "empty"),
    UnreadableFileError: (b"\x89PNG\r\n\x1a\n" + bytes(40), None, None, "PNG image"),
    RowLengthError: (b"a,b,label\n1,2,yes\n1,234,5,no\n", None, None, "Row 3"),
    UnclosedQuoteError: (b'a,b,label\n1,"2,yes\n3,4,no\n', None, None, "row 2"),
    DuplicateColumnError: (b"a,a,label\n1,2,yes\n", None, None, '"a" (columns 1 and 2)'),
    TooFewColumnsError: (b"only\n1\n2\n", None, None, "only 1 column"),
    NoNumericColumnError: (b"name,label\nAnn,yes\nBob,no\nCy,no\n", None, None, "holds only numbers"),
    NonNumericValueError: (
        b"a,colour,label\n" + b"1,red,yes\n2,blue,no\n3,green,no\n" * 4,
        ("a", "colour"),
        "label",
        "one-hot encoding",
    ),
    MissingValueError: (
        b"a,b,label\n" + b"1,2,yes\n" * 5 + b"1,,no\n" + b"2,3,no\n" * 5,
        None,
        None,
        "in row 7.",
    ),
    NonFiniteValueError: (b"a,b,label\n" + b"1,2,yes\n3,inf,no\n" * 6, None, None, "rows 3, 5, 7"),
    SingleClassError: (b"a,b,label\n" + b"1,2,yes\n3,4,yes\n" * 6, None, None, '"yes"'),
    TooManyClassesError: (b"a,b,grade\n" + b"".join(b"%d,%d,g%d\n" % (i, i % 5, i % 7) for i in range(21)), None, None,
                          "pick the positive class"),
    ConstantFeatureError: (b"a,b,label\n" + b"1,2,yes\n3,2,no\n" * 6, None, None, 'Column "b"'),
    TooFewRowsError: (b"a,b,label\n1,2,yes\n3,4,no\n", None, None, "only 2 data rows"),
    TooLargeError: (b",".join(b"c%d" % i for i in range(400)) + b"\n" + b"1," * 399 + b"1\n", None, None,
                    "400 columns"),
    ColumnChoiceError: (IRIS_LIKE, ("sepal", "colour"), "species", 'no column called "colour"'),
}


def test_every_data_error_subclass_has_an_example() -> None:
    subclasses = {
        cls
        for cls in vars(data_module).values()
        if isinstance(cls, type) and issubclass(cls, DataError) and cls is not DataError
    }
    assert subclasses == set(ERROR_EXAMPLES)
    assert all(issubclass(cls, ValueError) for cls in subclasses)


@pytest.mark.parametrize("error", list(ERROR_EXAMPLES), ids=lambda cls: cls.__name__)
def test_each_data_error_is_raised_by_a_realistic_input(error: type[DataError]) -> None:
    data, features, label, message = ERROR_EXAMPLES[error]
    with pytest.raises(error) as caught:
        frame = read_csv(data)
        if features is None:
            features, label = suggest_columns(frame)
        prepare_dataset(frame, list(features), str(label))
    assert type(caught.value) is error
    assert message in str(caught.value)


# --------------------------------------------------------------------------------------------------------
# Samples
# --------------------------------------------------------------------------------------------------------


def test_iris_sample() -> None:
    ds = load_sample("iris")
    assert ds.name == "iris_setosa_versicolor.csv"
    assert ds.feature_names == ("sepal length (cm)", "sepal width (cm)") and ds.label_name == "species"
    assert ds.class_names == ("setosa", "versicolor")
    assert ds.n_train + ds.n_test == 100 and np.sum(ds.y_train) + np.sum(ds.y_test) == 50
    np.testing.assert_allclose(ds.to_original(ds.X_train).min(axis=0), [4.3, 2.0], atol=0.3)


def test_breast_cancer_sample() -> None:
    ds = load_sample("breast_cancer", test_ratio=0.2, seed=1)
    assert ds.class_names == ("benign", "malignant") and ds.label_name == "diagnosis"
    assert ds.n_train + ds.n_test == 569 and np.sum(ds.y_train) + np.sum(ds.y_test) == 212
    assert len(ds.feature_names) == 2 and all(name.startswith("mean ") for name in ds.feature_names)


def test_samples_are_described_and_shipped() -> None:
    readme = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    for spec in SAMPLES.values():
        assert (SAMPLE_DIR / spec.file).is_file()
        assert spec.file in readme and spec.key == next(k for k, v in SAMPLES.items() if v is spec)
        assert "CC BY 4.0" in spec.licence and "UCI" in spec.source
    assert readme.count("CC BY 4.0") >= 2
    with pytest.raises(ValueError, match="iris"):
        load_sample("titanic")


@pytest.mark.parametrize("kind", SYNTHETIC_KINDS)
def test_synthetic_csvs_match_the_generator(kind: str) -> None:
    """sample_data/<kind>.csv is make_synthetic(kind, n=200, noise=0.1, seed=0) rounded to 4 decimals."""
    path = SAMPLE_DIR / f"{kind}.csv"
    assert kind in (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    with path.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == ["x1", "x2", "label"]
    values = np.array(table[1:], dtype=float)
    X, y = make_synthetic(kind, n=200, noise=0.1, seed=0)
    np.testing.assert_allclose(values[:, :2], X, atol=5e-5)
    np.testing.assert_array_equal(values[:, 2], y)


# --------------------------------------------------------------------------------------------------------
# features.py
# --------------------------------------------------------------------------------------------------------


def test_expand_features_values_and_order() -> None:
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    out = expand_features(X, ["sinx2", "x1sq", "x1x2"])  # order given does not matter
    expected = np.column_stack([X, X[:, 0] ** 2, X[:, 0] * X[:, 1], np.sin(X[:, 1])])
    np.testing.assert_allclose(out, expected)
    assert out.dtype == np.float64
    every = expand_features(X, list(EXTRA_FEATURES))
    assert every.shape == (2, 7)
    np.testing.assert_allclose(every[:, 3], X[:, 1] ** 2)
    np.testing.assert_allclose(every[:, 5], np.sin(X[:, 0]))


def test_expand_features_edge_cases() -> None:
    assert expand_features(np.zeros((0, 2)), ["x1sq", "x2sq"]).shape == (0, 4)
    X3 = np.ones((4, 3))
    same = expand_features(X3, [])
    np.testing.assert_array_equal(same, X3)
    assert same is not X3
    with pytest.raises(ValueError, match="exactly 2"):
        expand_features(X3, ["x1sq"])
    with pytest.raises(ValueError, match="x1cube"):
        expand_features(np.ones((2, 2)), ["x1cube"])
    with pytest.raises(ValueError, match="more than once"):
        expand_features(np.ones((2, 2)), ["x1sq", "x1sq"])


def test_expanded_names_use_the_real_feature_names() -> None:
    names = expanded_names(("petal length", "petal width"), ["x1x2", "x1sq"])
    assert names == ["petal length", "petal width", "petal length²", "petal length·petal width"]
    assert expanded_names(("x1", "x2"), list(EXTRA_FEATURES))[2:] == list(EXTRA_FEATURES.values())
    assert expanded_names(("a", "b", "c"), []) == ["a", "b", "c"]
    with pytest.raises(ValueError):
        expanded_names(("a",), ["x1sq"])

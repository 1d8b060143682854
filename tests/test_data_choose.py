"""What each column can be and the default choices (choose.py), empty cells (prepare.py), K-class labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from realistic_data import WINE_CULTIVARS, titanic_csv, wine_csv
from sklearn.feature_selection import f_classif

from scratchnet.data import (
    ColumnChoiceError,
    Dataset,
    MissingValueError,
    NonNumericValueError,
    TooFewRowsError,
    binary_coding,
    dataset_from_arrays,
    describe_columns,
    id_reason,
    missing_cells,
    prepare_dataset,
    read_csv,
    separation,
    split_rows,
    suggest_columns,
    suggest_features,
)
from scratchnet.data.choose import ID, TEXT, TWO_VALUES
from scratchnet.data.columns import _label_coding, _row_numbers


@pytest.fixture(scope="module")
def titanic() -> pd.DataFrame:
    return read_csv(titanic_csv())


@pytest.fixture(scope="module")
def wine() -> pd.DataFrame:
    return read_csv(wine_csv(german=True))  # ";" and decimal commas, as a German Excel saves it


def training_rows(df: pd.DataFrame, label: str, positive: str | None, test: float, seed: int) -> np.ndarray:
    coding = _label_coding(df[label], label, _row_numbers(df), positive, allow_missing=True)
    return split_rows(coding.codes, test, seed)[0]


# --- IDs -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["id", "ID", "PassengerId", "passenger_id", "Row ID", "index", "row", "No.", "#",
                                  "customerid", "Unnamed: 0", "Sample Nr"])
def test_columns_named_like_an_id_are_ids(name):
    assert id_reason(pd.Series([3, 1, 2, 5] * 3), name) == "its name"


@pytest.mark.parametrize("name", ["paid", "valid", "Pclass", "number of rooms", "fluid", "width", "x1"])
def test_ordinary_names_are_not_ids(name):
    assert id_reason(pd.Series([3, 1, 2, 5] * 3), name) is None


def test_unique_increasing_whole_numbers_are_ids_by_their_values():
    assert "increase down the file" in id_reason(pd.Series(np.arange(1, 13)), "x")
    assert "increase down the file" in id_reason(pd.Series([10, 12, 15, 40, 41, 99]), "code")
    assert id_reason(pd.Series([4, 2, 3, 1, 5, 6]), "x") is None  # unique, not increasing
    assert id_reason(pd.Series([1, 2, 2, 3, 4, 5]), "x") is None  # a repeat
    assert id_reason(pd.Series(np.linspace(1, 2, 12)), "x") is None  # measurements, not whole numbers


def test_an_id_is_never_a_default_feature_even_if_it_separates_best():
    n = 40
    y = np.repeat(["no", "yes"], n // 2)  # sorted by label: the row number separates the classes perfectly
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"record": np.arange(1, n + 1), "a": rng.normal(size=n) + (y == "yes"),
                          "b": rng.normal(size=n), "c": rng.normal(size=n), "label": y})
    frame.index = pd.Index(np.arange(n) + 2, name="row")
    features, label = suggest_columns(frame)
    assert label == "label" and "record" not in features and "a" in features
    info = next(i for i in describe_columns(frame, label) if i.name == "record")
    assert info.kind == ID and info.offered and not info.default  # it can still be chosen by hand


# --- text ----------------------------------------------------------------------------------------------
def test_the_titanic_like_file_gets_sensible_defaults(titanic):
    features, label = suggest_columns(titanic)
    assert label == "Survived"
    assert features == ["Pclass", "Sex"]  # Sex separates best, then Pclass (the generator's strongest effects)
    infos = {i.name: i for i in describe_columns(titanic, label)}
    assert infos["PassengerId"].kind == ID and not infos["PassengerId"].default
    assert infos["Sex"].kind == TWO_VALUES and infos["Sex"].coding == ("female", "male")
    for name in ("Name", "Cabin", "Embarked"):
        assert infos[name].kind == TEXT and not infos[name].offered
        assert "one-hot encoding (a 0/1 column per value) is not supported here" in infos[name].reason
    assert infos["Ticket"].kind == TEXT and "mostly numbers" in infos["Ticket"].reason
    assert infos["Age"].missing == int(titanic["Age"].isna().sum()) > 50


def test_two_value_text_is_a_0_1_feature_with_its_mapping_noted(titanic):
    ds = prepare_dataset(titanic, ["Sex", "Fare"], "Survived", test_ratio=0.0)
    raw = ds.to_original(ds.X_train)[:, 0]
    assert set(np.round(raw, 12)) == {0.0, 1.0}
    assert '"Sex" is text with two values, used as female = 0, male = 1.' in ds.notes
    assert int(raw.sum()) == int((titanic["Sex"] == "male").sum())
    assert binary_coding(pd.Series(["yes", "no", None, "yes"])) == ("no", "yes")  # the positive-looking one is 1
    assert binary_coding(pd.Series(["10 kg", "12 kg"] * 3)) is None  # broken numbers stay an error
    assert binary_coding(pd.Series(["a", "b", "c"])) is None


def test_text_with_more_values_is_explained_not_one_hot_encoded(titanic):
    with pytest.raises(NonNumericValueError, match="one-hot encoding"):
        prepare_dataset(titanic, ["Fare", "Embarked"], "Survived")


# --- the measure -----------------------------------------------------------------------------------------
def test_separation_is_the_standardised_mean_difference():
    x = np.array([1.0, 2.0, 3.0, 5.0, 6.0, 10.0])
    y = np.array([0, 0, 0, 1, 1, 1])
    within = np.sqrt((3 * np.var(x[:3]) + 3 * np.var(x[3:])) / 6)
    assert separation(x[:, None], y)[0] == pytest.approx((7.0 - 2.0) / within)
    big = separation(np.column_stack([x * 1e300, x * 1e-300, np.full(6, 4.0), [0, 0, 0, 1, 1, 1]]), y)
    assert big[:2] == pytest.approx([5.0 / within] * 2) and big[2] == 0.0 and big[3] == np.inf
    with_gaps = np.array([1.0, np.nan, 3.0, 5.0, np.inf, 10.0])
    assert separation(with_gaps[:, None], y)[0] == pytest.approx(
        separation(np.array([[1.0], [3.0], [5.0], [10.0]]), np.array([0, 0, 1, 1]))[0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_wine_defaults_are_the_two_best_by_sklearns_anova_f_on_the_training_rows(wine, seed):
    suggestion = suggest_features(wine, "cultivar", "Grignolino", test_ratio=0.25, seed=seed)
    train = training_rows(wine, "cultivar", "Grignolino", 0.25, seed)
    numbers = [c for c in wine.columns if c != "cultivar"]
    X, y = wine[numbers].to_numpy(dtype=float)[train], (wine["cultivar"].to_numpy()[train] == "Grignolino")
    F, _ = f_classif(X, y)  # for two groups, F = d² · n0·n1·(n − 2) / n²: the same order as our d
    n, n1 = len(y), int(y.sum())
    d = np.array([suggestion.scores[c] for c in numbers])
    np.testing.assert_allclose(d**2 * (n - n1) * n1 * (n - 2) / n**2, F, rtol=1e-9)
    best = {numbers[k] for k in np.argsort(-F)[:2]}
    assert set(suggestion.features) == best and list(suggestion.scores)[:2] == sorted(best, key=lambda c: -F[
        numbers.index(c)])


def test_the_default_features_never_look_at_the_test_rows():
    n = 60
    rng = np.random.default_rng(1)
    y = np.array(["a", "b"] * (n // 2))
    frame = pd.DataFrame({"honest": rng.normal(size=n) + 0.8 * (y == "b"), "other": rng.normal(size=n),
                          "leaky": rng.normal(size=n), "label": y})
    frame.index = pd.Index(np.arange(n) + 2, name="row")
    train = training_rows(frame, "label", None, 0.5, 3)
    test = np.setdiff1d(np.arange(n), train)
    frame.loc[frame.index[test], "leaky"] = 100.0 * (y[test] == "b")  # perfect, but only in the test rows
    suggestion = suggest_features(frame, "label", test_ratio=0.5, seed=3, k=1)
    assert suggestion.features == ("honest",)
    assert suggestion.scores["leaky"] < suggestion.scores["honest"]


# --- empty cells -------------------------------------------------------------------------------------------
def test_empty_cells_tell_by_default_naming_column_and_rows(titanic):
    with pytest.raises(MissingValueError, match=r'Column "Age" is empty \(or NA / NaN\) in rows \d'):
        prepare_dataset(titanic, ["Age", "Fare"], "Survived")
    rows, per_column = missing_cells(titanic, ["Age", "Fare", "Embarked", "Survived"])
    assert per_column == {"Age": int(titanic["Age"].isna().sum()), "Embarked": 2}
    assert rows == int((titanic["Age"].isna() | titanic["Embarked"].isna()).sum())


@pytest.mark.parametrize("test", [0.0, 0.25, 0.5])
def test_drop_leaves_out_the_rows_with_gaps_and_says_how_many(titanic, test):
    ds = prepare_dataset(titanic, ["Age", "Fare", "Sex"], "Survived", missing="drop", test_ratio=test)
    gaps = int(titanic["Age"].isna().sum())
    assert ds.n_train + ds.n_test == len(titanic) - gaps
    note = next(n for n in ds.notes if n.startswith("Dropped"))
    assert f'Dropped {gaps} rows with empty cells ("Age" {gaps})' in note
    assert np.isfinite(ds.X_train).all() and np.isfinite(ds.X_test).all()


def test_fill_uses_the_training_mean_only(titanic):
    ds = prepare_dataset(titanic, ["Age", "Fare"], "Survived", missing="fill", test_ratio=0.3, seed=2)
    coding = _label_coding(titanic["Survived"], "Survived", _row_numbers(titanic), None)
    train, test, _ = split_rows(coding.codes, 0.3, 2)
    age = titanic["Age"].to_numpy()
    mean = np.nanmean(age[train])
    filled = np.isnan(age[train])
    np.testing.assert_allclose(ds.to_original(ds.X_train)[filled, 0], mean)
    np.testing.assert_allclose(ds.to_original(ds.X_test)[np.isnan(age[test]), 0], mean)
    assert any(f"with its mean over the {int((~filled).sum())} training rows that have a value, {mean:.4g}." in n
               for n in ds.notes)
    # the test rows' own ages change nothing the training rows see
    changed = titanic.copy()
    changed.loc[changed.index[test], "Age"] = 99.0
    again = prepare_dataset(changed, ["Age", "Fare"], "Survived", missing="fill", test_ratio=0.3, seed=2)
    np.testing.assert_array_equal(again.X_train, ds.X_train)


def test_rows_without_a_label_are_left_out_when_dropping_or_filling():
    b = np.where(np.arange(14) % 2, np.nan, np.arange(14.0))  # a value in every other row
    frame = pd.DataFrame({"a": np.arange(14.0) % 5, "b": b, "label": ["x", "y"] * 6 + [None, None]})
    frame.index = pd.Index(np.arange(14) + 2, name="row")
    with pytest.raises(MissingValueError, match='label column "label"'):
        prepare_dataset(frame, ["a", "b"], "label")
    filled = prepare_dataset(frame, ["a", "b"], "label", missing="fill", test_ratio=0.0)
    assert filled.n_train == 12 and "Left out 2 rows without a label (rows 14 and 15)." in filled.notes
    with pytest.raises(TooFewRowsError, match="Only 6 rows have a value in every chosen column"):
        prepare_dataset(frame, ["a", "b"], "label", missing="drop")
    with pytest.raises(ValueError, match="missing must be one of"):
        prepare_dataset(frame, ["a"], "label", missing="guess")


# --- more than two classes ---------------------------------------------------------------------------------
def test_the_dataset_keeps_all_label_values_as_0_to_k_minus_1(wine):
    ds = prepare_dataset(wine, ["Alcohol", "Hue", "Proline"], "cultivar", positive="Grignolino", test_ratio=0.25)
    assert ds.classes == tuple(sorted(WINE_CULTIVARS)) and ds.n_classes == 3
    assert ds.class_names == ("not Grignolino", "Grignolino") and ds.classes[ds.positive] == "Grignolino"
    for labels, y in ((ds.labels_train, ds.y_train), (ds.labels_test, ds.y_test)):
        assert labels.dtype == np.int64 and not labels.flags.writeable
        np.testing.assert_array_equal(labels == ds.positive, y == 1.0)
    counts = np.bincount(np.concatenate([ds.labels_train, ds.labels_test]), minlength=3)
    assert dict(zip(ds.classes, counts, strict=True)) == wine["cultivar"].value_counts().to_dict()
    # stratified by cultivar: each one sends round(0.25 · its rows) to the test set
    for k, name in enumerate(ds.classes):
        assert np.sum(ds.labels_test == k) == np.floor(0.25 * np.sum(wine["cultivar"] == name) + 0.5)


def test_datasets_without_label_values_keep_their_two_classes():
    X = np.random.default_rng(0).normal(size=(20, 2))
    y = np.array([0.0, 1.0] * 10)
    ds = dataset_from_arrays(X, y, name="arrays", class_names=("cat", "dog"))
    assert ds.classes == ("cat", "dog") and ds.positive == 1
    np.testing.assert_array_equal(ds.labels_train, ds.y_train)
    with pytest.raises(ValueError, match="labels_train == positive"):
        Dataset(name="bad", X_train=X, y_train=y, X_test=X[:0], y_test=y[:0], feature_names=("a", "b"),
                label_name="l", class_names=("0", "1"), mean=np.zeros(2), std=np.ones(2), classes=("a", "b", "c"),
                labels_train=np.zeros(20), labels_test=np.zeros(0), positive=1)


def test_column_choice_errors_still_come_first():
    frame = pd.DataFrame({"a": np.arange(12.0), "label": ["x", "y"] * 6})
    with pytest.raises(ColumnChoiceError):
        prepare_dataset(frame, [], "label", missing="fill")

"""Data with more than two classes: synthetic sets, iris and wine samples, uploads, and what a Problem hands the
models (all K classes, or one against the rest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scratchnet import fit, make_model
from scratchnet.data import (
    MAX_CLASSES,
    MULTICLASS_KINDS,
    SAMPLE_DIR,
    SAMPLES,
    dataset_from_arrays,
    load_sample,
    prepare_dataset,
    synthetic_dataset,
)
from scratchnet.problem import Problem


@pytest.mark.parametrize("kind, k", [("blobs3", 3), ("blobs4", 4), ("spiral3", 3)])
def test_synthetic_multiclass_dataset_keeps_every_class(kind, k):
    ds = synthetic_dataset(kind, n=200, noise=0.1, seed=3)
    assert ds.n_classes == k and ds.classes == tuple(str(c) for c in range(k))
    assert ds.positive == 1 and ds.class_names == ("not 1", "1")
    np.testing.assert_array_equal(ds.y_train, (ds.labels_train == 1) * 1.0)  # the one-vs-rest view
    counts = np.bincount(ds.labels_test, minlength=k)
    assert counts.min() >= 200 // k // 4 - 1 and counts.max() - counts.min() <= 1  # stratified by class


def test_dataset_from_arrays_with_k_classes_and_a_chosen_positive():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = np.repeat([0.0, 1.0, 2.0], 20)
    ds = dataset_from_arrays(X, y, name="t", class_names=("a", "b", "c"), positive=2)
    assert ds.classes == ("a", "b", "c") and ds.class_names == ("not c", "c")
    assert sorted(np.bincount(ds.labels_test)) == [5, 5, 5]
    with pytest.raises(ValueError, match="0..2"):
        dataset_from_arrays(X, y + 1, name="t", class_names=("a", "b", "c"))
    with pytest.raises(ValueError, match="0..1"):
        dataset_from_arrays(X, y, name="t")  # two class names, three values


def test_problem_hands_the_models_all_classes_or_one_against_the_rest():
    ds = synthetic_dataset("blobs3", n=150, seed=0)
    every = Problem(ds, ("s",))
    assert every.n_classes == 3 and every.class_names == ("0", "1", "2")
    np.testing.assert_array_equal(every.y_train, ds.labels_train.astype(float))
    np.testing.assert_array_equal(every.y_test, ds.labels_test.astype(float))
    ovr = Problem(ds, ("s",), one_vs_rest=True)
    assert ovr.n_classes == 2 and ovr.class_names == ("not 1", "1")
    np.testing.assert_array_equal(ovr.y_train, ds.y_train)
    two = Problem(synthetic_dataset("moons", n=100), ("m",))
    assert two.n_classes == 2 and two.class_names == ("0", "1")
    np.testing.assert_array_equal(two.y_train, two.dataset.y_train)
    # the models the app builds from a problem take its classes
    for problem, k in ((every, 3), (ovr, 2)):
        model = make_model("net", problem.n_inputs, problem.n_classes, hidden_units=4)
        history = fit(model, problem.X_train, problem.y_train, 0.5, 5, X_test=problem.X_test, y_test=problem.y_test)
        assert model.n_classes == k and history.diverged_at is None


@pytest.mark.parametrize("key, k, counts, classes", [
    ("iris3", 3, [50, 50, 50], ("setosa", "versicolor", "virginica")),
    ("wine", 3, [59, 71, 48], ("cultivar 1", "cultivar 2", "cultivar 3")),
])
def test_multiclass_samples_are_shipped_with_source_and_licence(key, k, counts, classes):
    spec = SAMPLES[key]
    readme = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    assert spec.file in readme and "CC BY 4.0" in spec.licence and "UCI" in spec.source
    frame = pd.read_csv(SAMPLE_DIR / spec.file)
    assert frame[spec.label].value_counts().reindex(list(classes)).tolist() == counts
    ds = load_sample(key)
    assert ds.n_classes == k and ds.classes == classes and ds.n_train + ds.n_test == sum(counts)
    assert ds.feature_names == spec.features
    assert Problem(ds, (key,)).n_classes == 3


def test_multiclass_samples_match_scikit_learns_copies():
    from sklearn.datasets import load_iris, load_wine

    iris, wine = load_iris(), load_wine()
    frame = pd.read_csv(SAMPLE_DIR / SAMPLES["iris3"].file)
    np.testing.assert_array_equal(frame[list(iris.feature_names)].to_numpy(), iris.data)
    assert frame["species"].tolist() == [str(iris.target_names[t]) for t in iris.target]
    frame = pd.read_csv(SAMPLE_DIR / SAMPLES["wine"].file)
    np.testing.assert_allclose(frame[list(wine.feature_names)].to_numpy(), wine.data, rtol=0, atol=5e-4)
    assert frame["cultivar"].tolist() == [f"cultivar {t + 1}" for t in wine.target]


def table(labels: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({"x1": rng.normal(size=len(labels)), "x2": rng.normal(size=len(labels)), "kind": labels})


def test_an_upload_keeps_up_to_six_classes_without_a_positive_class():
    labels = [f"k{i % MAX_CLASSES}" for i in range(60)]
    ds = prepare_dataset(table(labels), ["x1", "x2"], "kind")
    assert ds.n_classes == MAX_CLASSES and ds.classes == tuple(f"k{i}" for i in range(MAX_CLASSES))
    assert ds.class_names == ("not k0", "k0")  # one-vs-rest, if chosen, starts with the first class
    assert any(f"{MAX_CLASSES} classes" in note for note in ds.notes)
    assert Problem(ds, ("u",)).n_classes == MAX_CLASSES


def test_more_than_six_classes_need_a_positive_class_and_are_one_against_the_rest():
    labels = [f"k{i % 7}" for i in range(70)]
    ds = prepare_dataset(table(labels), ["x1", "x2"], "kind", positive="k3")
    assert ds.n_classes == 7 and ds.class_names == ("not k3", "k3")
    problem = Problem(ds, ("u",))
    assert problem.n_classes == 2 and problem.class_names == ("not k3", "k3")
    np.testing.assert_array_equal(problem.y_train, ds.y_train)


def test_every_multiclass_kind_is_offered():
    from scratchnet.ui.params import DATA_LABELS, PARAMS_BY_KEY

    for kind in MULTICLASS_KINDS:
        assert kind in PARAMS_BY_KEY["data"].options and "classes" in DATA_LABELS[kind]


def test_k_class_separation_is_a_multiple_of_anovas_f_and_matches_two_classes():
    from sklearn.feature_selection import f_classif

    from scratchnet.data import separation

    rng = np.random.default_rng(4)
    labels = np.repeat([0, 1, 2], [40, 50, 30])
    X = rng.normal(size=(120, 4)) + np.outer(labels, [0.0, 0.5, 2.0, -1.0])
    score = separation(X, labels.astype(float))
    F, _ = f_classif(X, labels)
    n, k = 120, 3
    np.testing.assert_allclose((score / 2) ** 2 * (n - k) / (k - 1), F, rtol=1e-10)
    assert list(np.argsort(-score)) == list(np.argsort(-F))
    # two equal classes: the K-class measure equals the two-class |m1 − m0| / s
    two = np.repeat([0.0, 1.0], 30)
    Y = rng.normal(size=(60, 3)) + np.outer(two, [0.0, 1.0, 3.0])
    np.testing.assert_allclose(score_k := separation(Y, np.where(two > 0, 2.0, 0.0)) , separation(Y, two), rtol=1e-12)
    assert np.all(np.isfinite(score_k))


def test_drawn_axes_and_suggested_features_separate_all_classes_when_all_are_kept():
    from scratchnet.data import read_csv, suggest_features

    frame = read_csv(SAMPLE_DIR / SAMPLES["wine"].file)
    names = [c for c in frame.columns if c != "cultivar"]
    every = suggest_features(frame, "cultivar", "cultivar 2", all_classes=True)
    one = suggest_features(frame, "cultivar", "cultivar 2")
    assert every.features != one.features  # which columns separate best depends on the classes asked about
    ds = prepare_dataset(frame, names, "cultivar", positive="cultivar 2")
    all_k = Problem(ds, ("w",))
    ovr = Problem(ds, ("w",), one_vs_rest=True)
    from scratchnet.data import separation

    best = set(np.argsort(-separation(ds.X_train, ds.labels_train.astype(float)))[:2])
    assert set(all_k.plot_axes) == best
    assert set(ovr.plot_axes) == set(np.argsort(-separation(ds.X_train, ds.y_train))[:2])
    assert {names[i] for i in all_k.plot_axes} == set(every.features)

"""Property tests: whatever a student uploads, the pipeline answers with a DataError or a safe Dataset."""

from __future__ import annotations

import csv
import io

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scratchnet.data import (
    ConstantFeatureError,
    DataError,
    Dataset,
    label_values,
    prepare_dataset,
    read_csv,
    suggest_columns,
)
from tests.hypothesis_profiles import examples

SETTINGS = settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])

MAGIC_PREFIXES = [
    b"",
    b"\x89PNG\r\n\x1a\n",
    b"PK\x03\x04",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"sep=;\n",
]


def assert_safe(dataset: Dataset) -> None:
    """What the models receive: finite standardised inputs and 0/1 targets of both classes."""
    assert np.all(np.isfinite(dataset.X_train)) and np.all(np.isfinite(dataset.X_test))
    assert set(np.unique(np.concatenate([dataset.y_train, dataset.y_test]))) <= {0.0, 1.0}
    assert set(np.unique(dataset.y_train)) == {0.0, 1.0}
    assert np.all(np.isfinite(dataset.mean)) and np.all(dataset.std > 0) and np.all(np.isfinite(dataset.std))


# --- 1. arbitrary bytes --------------------------------------------------------------------------------

text_like_bytes = st.tuples(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["utf-8", "cp1252", "latin-1", "utf-16"]),
).map(lambda pair: pair[0].encode(pair[1], errors="replace"))

any_bytes = st.one_of(
    st.binary(max_size=2000),
    st.tuples(st.sampled_from(MAGIC_PREFIXES), st.binary(max_size=500)).map(lambda p: p[0] + p[1]),
    text_like_bytes,
)


@SETTINGS
@given(any_bytes)
def test_read_csv_raises_only_data_errors(data: bytes) -> None:
    try:
        frame = read_csv(data)
    except DataError as error:
        assert str(error)  # always a message for the student
        return
    assert len(frame) >= 1 and len(frame.columns) >= 1
    assert isinstance(frame.attrs["notes"], list)
    assert frame.columns.is_unique


# --- 2. random small tables with nasty cells -------------------------------------------------------------

NASTY_CELLS = [
    "",
    " ",
    "nan",
    "NaN",
    "NA",
    "N/A",
    "null",
    "?",
    "inf",
    "-inf",
    "Infinity",
    "1e999",
    "-1e999",
    "1e300",
    "1e-300",
    "5e-324",
    "yes",
    "no",
    " spam ",
    "TRUE",
    "False",
    "1,234.5",
    "3,5",
    "1 234",
    "1.234,5",
    "12%",
    "€5",
    '"',
    "a\nb",
    "x,y",
    "x;y",
    "\t",
    "Müller",
    "café",
]
cell = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**6), 10**6).map(str),
    st.sampled_from(NASTY_CELLS),
    st.text(max_size=6),
)
column_name = st.one_of(
    st.sampled_from(["x1", "x2", "label", "class", "y", "", " ", "Größe", "x1"]), st.text(max_size=6)
)


@st.composite
def nasty_tables(draw: st.DrawFn) -> bytes:
    n_columns = draw(st.integers(1, 5))
    n_rows = draw(st.integers(0, 25))
    header = draw(st.lists(column_name, min_size=n_columns, max_size=n_columns))
    # most rows full width, some short or long
    body = [
        draw(st.lists(cell, min_size=max(0, n_columns - 1), max_size=n_columns + 1)) for _ in range(n_rows)
    ]
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows([header, *body])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return buffer.getvalue().encode(encoding, errors="replace")


@SETTINGS
@given(nasty_tables(), st.data())
def test_pipeline_on_nasty_tables_raises_only_data_errors(data: bytes, choices: st.DataObject) -> None:
    try:
        frame = read_csv(data)
        if choices.draw(st.booleans(), label="use suggestions"):
            features, label = suggest_columns(frame)
        else:
            columns = [str(c) for c in frame.columns]
            label = choices.draw(st.sampled_from(columns), label="label")
            features = choices.draw(
                st.lists(st.sampled_from(columns), max_size=3, unique=True), label="features"
            )
        values = label_values(frame, label) if label in frame.columns else []
        positive = choices.draw(st.one_of(st.none(), st.sampled_from(values or ["?"])), label="positive")
        dataset = prepare_dataset(frame, features, label, positive=positive, test_ratio=0.25)
    except DataError as error:
        assert str(error)
        return
    assert_safe(dataset)


# --- 3. valid-looking numeric tables with extreme magnitudes ---------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False)
scaled = st.tuples(st.floats(-10, 10), st.sampled_from([1e-300, 1e-150, 1e-5, 1.0, 1e5, 1e150, 1e300])).map(
    lambda p: p[0] * p[1]
)


@st.composite
def numeric_tables(draw: st.DrawFn) -> tuple[np.ndarray, list[str]]:
    n_rows = draw(st.integers(10, 40))
    n_features = draw(st.integers(1, 3))
    element = draw(st.sampled_from([finite, scaled]))
    X = np.array(
        draw(
            st.lists(
                st.lists(element, min_size=n_features, max_size=n_features), min_size=n_rows, max_size=n_rows
            )
        )
    )
    names = draw(st.sampled_from([("no", "yes"), ("0", "1"), ("benign", "malignant"), ("B", "M")]))
    labels = [names[0], names[0], names[1], names[1]]
    labels += draw(st.lists(st.sampled_from(names), min_size=n_rows - 4, max_size=n_rows - 4))
    return X, labels


def nearly_constant(column: np.ndarray) -> bool:
    scale = np.max(np.abs(column))
    if scale == 0:
        return True
    spread = np.std(column / scale)
    return bool(spread < 1e-11 or spread * scale < 1e-300)


def far_test_value(tiny: float) -> tuple[np.ndarray, list[str]]:
    """Training values 0 and `tiny`, and a test value 1e66 (row 4 goes to the test rows with ratio 0.25)."""
    X = np.array([[tiny if i % 3 else 0.0] for i in range(12)])
    X[4, 0] = 1e66
    return X, ["no", "no", "yes", "yes"] + ["no", "yes"] * 4


@SETTINGS
@given(numeric_tables(), st.sampled_from([",", ";", "\t"]), st.sampled_from([0.0, 0.25, 0.5]))
@example(far_test_value(1.59e-242), ",", 0.25)  # standard coordinate 1.45e308: to_standard gave inf on the way back
@example(far_test_value(1e-243), ",", 0.25)  # ~1e309, beyond any float: clipped, it came back as 7.8e64
def test_numeric_tables_standardise_exactly(
    table: tuple[np.ndarray, list[str]], sep: str, ratio: float
) -> None:
    X, labels = table
    names = [f"f{j}" for j in range(X.shape[1])]
    lines = [sep.join([*names, "label"])]
    lines += [sep.join([*(repr(float(v)) for v in row), lab]) for row, lab in zip(X, labels, strict=True)]
    data = ("\n".join(lines) + "\n").encode()

    frame = read_csv(data)
    np.testing.assert_array_equal(frame[names].to_numpy(dtype=float), X)  # repr round-trips exactly
    assert suggest_columns(frame)[1] == "label"
    try:
        dataset = prepare_dataset(frame, names, "label", test_ratio=ratio)
    except ConstantFeatureError:
        assert any(nearly_constant(X[:, j]) for j in range(X.shape[1]))
        return
    assert_safe(dataset)
    assert dataset.n_train + dataset.n_test == len(X)
    Z = np.vstack([dataset.X_train, dataset.X_test])
    for j, name in enumerate(names):
        # the training rows' mean and std; all rows' for a column with a test value too far to standardise so
        by_all_rows = any(note.startswith(f'Column "{name}" has a test value') for note in dataset.notes)
        column = Z[:, j] if by_all_rows else dataset.X_train[:, j]
        assert abs(column.mean()) < 1e-3
        assert abs(column.std() - 1) < 1e-3 or column.std() < 1e-3  # ≈ 1, or 0 if constant in the training rows
    # back to the file's units: the same multiset of rows, up to rounding relative to each column's size
    back = dataset.to_original(Z)
    scale = np.max(np.abs(X), axis=0)
    for j in range(X.shape[1]):
        np.testing.assert_allclose(np.sort(back[:, j]), np.sort(X[:, j]), rtol=0, atol=1e-9 * scale[j])
    # and back again: the same standard coordinates, up to rounding relative to each column's mean and spread
    cancellation = 1 + np.max(np.abs(dataset.mean) / dataset.std)  # z ≈ 0 is raw/std − mean/std
    np.testing.assert_allclose(dataset.to_standard(back), Z, rtol=1e-12, atol=1e-12 * cancellation)

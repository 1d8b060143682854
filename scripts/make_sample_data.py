"""Write the CSV files in sample_data/ (run from anywhere: `python -m scripts.make_sample_data`).

- blobs.csv, moons.csv, circles.csv, xor.csv, spiral.csv: scratchnet.data.make_synthetic(kind, n=200,
  noise=0.1, seed=0), columns x1, x2, label (0/1), coordinates rounded to 4 decimals;
- iris_setosa_versicolor.csv, iris.csv (all three species, all four measurements), wine.csv (three cultivars,
  all 13 measurements) and breast_cancer.csv: exported from the copies of the UCI datasets that
  scikit-learn ships (scikit-learn is needed only here, never by the scratchnet package).

The output is byte-for-byte reproducible: same library data + same seed -> same files.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from scratchnet.data import SAMPLE_DIR, SAMPLES, SYNTHETIC_KINDS, make_synthetic

ROOT = Path(__file__).resolve().parent.parent

SYNTHETIC_N, SYNTHETIC_NOISE, SYNTHETIC_SEED, SYNTHETIC_DECIMALS = 200, 0.1, 0, 4


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """UTF-8, comma-separated, \\n line endings, quoting only where needed."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def number_text(value: float, decimals: int) -> str:
    """Round and print without trailing zeros (or a "-0")."""
    text = f"{round(float(value), decimals):.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def write_synthetic(directory: Path) -> list[Path]:
    paths = []
    for kind in SYNTHETIC_KINDS:
        X, y = make_synthetic(kind, n=SYNTHETIC_N, noise=SYNTHETIC_NOISE, seed=SYNTHETIC_SEED)
        rows = [
            (number_text(a, SYNTHETIC_DECIMALS), number_text(b, SYNTHETIC_DECIMALS), int(label))
            for (a, b), label in zip(X, y, strict=True)
        ]
        path = directory / f"{kind}.csv"
        write_csv(path, ("x1", "x2", "label"), rows)
        paths.append(path)
    return paths


def write_iris(directory: Path) -> Path:
    from sklearn.datasets import load_iris

    spec = SAMPLES["iris"]
    iris = load_iris()
    names = list(iris.feature_names)
    columns = [names.index(feature) for feature in spec.features]
    rows = []
    for values, target in zip(iris.data, iris.target, strict=True):
        species = str(iris.target_names[target])
        if species in ("setosa", "versicolor"):
            rows.append([number_text(values[j], 1) for j in columns] + [species])
    path = directory / spec.file
    write_csv(path, (*spec.features, spec.label), rows)
    return path


def write_breast_cancer(directory: Path) -> Path:
    from sklearn.datasets import load_breast_cancer

    spec = SAMPLES["breast_cancer"]
    cancer = load_breast_cancer()
    names = list(cancer.feature_names)
    columns = [names.index(feature) for feature in spec.features]
    # target_names[target] is the diagnosis as text: "malignant" or "benign"
    rows = [
        [number_text(values[j], 3) for j in columns] + [str(cancer.target_names[target])]
        for values, target in zip(cancer.data, cancer.target, strict=True)
    ]
    path = directory / spec.file
    write_csv(path, (*spec.features, spec.label), rows)
    return path


def write_all_columns(directory: Path, key: str, bunch, decimals: int, label_of) -> Path:
    """Every feature column of a scikit-learn data set (`bunch`, loaded as_frame) and its label as named by
    `label_of(target index)`, into SAMPLES[key]'s file."""
    spec = SAMPLES[key]
    names = list(bunch.feature_names)
    rows = [[number_text(v, decimals) for v in row[names]] + [label_of(int(row["target"]))]
            for _, row in bunch.frame.iterrows()]
    path = directory / spec.file
    write_csv(path, (*names, spec.label), rows)
    return path


def write_iris3(directory: Path) -> Path:
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True)
    return write_all_columns(directory, "iris3", iris, 1, lambda t: str(iris.target_names[t]))


def write_wine(directory: Path) -> Path:
    from sklearn.datasets import load_wine

    # sklearn names the cultivars class_0 … class_2; the UCI description numbers them 1 … 3
    return write_all_columns(directory, "wine", load_wine(as_frame=True), 3, lambda t: f"cultivar {t + 1}")


def main() -> None:
    SAMPLE_DIR.mkdir(exist_ok=True)
    paths = [*write_synthetic(SAMPLE_DIR), write_iris(SAMPLE_DIR), write_iris3(SAMPLE_DIR), write_wine(SAMPLE_DIR),
             write_breast_cancer(SAMPLE_DIR)]
    for path in paths:
        n_rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
        print(f"wrote {path.relative_to(ROOT)} ({n_rows} rows)")


if __name__ == "__main__":
    main()

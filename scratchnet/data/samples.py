"""The CSV files shipped in sample_data/ (SAMPLES) and load_sample."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .csv_reader import read_csv
from .dataset import Dataset
from .prepare import prepare_dataset

_HERE = Path(__file__).resolve()
# A checkout keeps the CSVs at its top level; an installed wheel carries them as scratchnet/sample_data.
SAMPLE_DIR: Path = next(
    (d for d in (_HERE.parents[2] / "sample_data", _HERE.parents[1] / "sample_data") if d.is_dir()),
    _HERE.parents[2] / "sample_data",
)


@dataclass(frozen=True)
class SampleSpec:
    """A CSV shipped in sample_data/ and how to read it."""

    key: str
    title: str
    file: str
    features: tuple[str, ...]
    label: str
    positive: str
    description: str
    source: str
    licence: str


_UCI_LICENCE = "CC BY 4.0 (Creative Commons Attribution 4.0 International)"
_IRIS_SOURCE = ("Fisher, R. A. (1936). Iris [Dataset]. UCI Machine Learning Repository. "
                "https://doi.org/10.24432/C56C76 (the copy shipped with scikit-learn)")

SAMPLES: dict[str, SampleSpec] = {
    "iris": SampleSpec(
        key="iris",
        title="Iris flowers: setosa vs versicolor",
        file="iris_setosa_versicolor.csv",
        features=("sepal length (cm)", "sepal width (cm)"),
        label="species",
        positive="versicolor",
        description="100 iris flowers of two species, measured by their sepals (the green leaves under the "
        "petals). Fisher's classic 1936 data.",
        source=_IRIS_SOURCE,
        licence=_UCI_LICENCE,
    ),
    "breast_cancer": SampleSpec(
        key="breast_cancer",
        title="Breast cancer (Wisconsin diagnostic): malignant vs benign",
        file="breast_cancer.csv",
        features=("mean radius", "mean texture"),
        label="diagnosis",
        positive="malignant",
        description="569 breast-tissue samples; each row describes the cell nuclei in a digitised image of a "
        "fine-needle aspirate: their average radius and texture (variation of grey levels).",
        source="Wolberg, W., Mangasarian, O., Street, N. & Street, W. (1993). Breast Cancer Wisconsin "
        "(Diagnostic) [Dataset]. UCI Machine Learning Repository. https://doi.org/10.24432/C5DW2B "
        "(the copy shipped with scikit-learn)",
        licence=_UCI_LICENCE,
    ),
    "iris3": SampleSpec(
        key="iris3",
        title="Iris flowers: all three species",
        file="iris.csv",
        features=("petal length (cm)", "petal width (cm)"),
        label="species",
        positive="versicolor",
        description="150 iris flowers, 50 of each species (setosa, versicolor, virginica), measured by their "
        "petals. Setosa stands apart; versicolor and virginica touch. The file has the sepal measurements too.",
        source=_IRIS_SOURCE,
        licence=_UCI_LICENCE,
    ),
    "wine": SampleSpec(
        key="wine",
        title="Wine: three cultivars",
        file="wine.csv",
        features=("alcohol", "flavanoids"),
        label="cultivar",
        positive="cultivar 2",
        description="178 wines from three grape cultivars grown in the same region of Italy, by chemical analysis: "
        "alcohol (% by volume) and flavanoids (a group of phenols). The file has all 13 measurements.",
        source="Aeberhard, S. & Forina, M. (1992). Wine [Dataset]. UCI Machine Learning Repository. "
        "https://doi.org/10.24432/C5PC7J (the copy shipped with scikit-learn)",
        licence=_UCI_LICENCE,
    ),
}


def load_sample(key: str, test_ratio: float = 0.25, seed: int = 0) -> Dataset:
    """Read one of SAMPLES from sample_data/ with read_csv + prepare_dataset."""
    if key not in SAMPLES:
        raise ValueError(f"unknown sample {key!r}; choose one of: {', '.join(SAMPLES)}")
    spec = SAMPLES[key]
    frame = read_csv(SAMPLE_DIR / spec.file)
    return prepare_dataset(
        frame,
        spec.features,
        spec.label,
        positive=spec.positive,
        test_ratio=test_ratio,
        seed=seed,
        name=spec.file,
    )

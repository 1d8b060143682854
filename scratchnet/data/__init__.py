"""Datasets for the classroom: 2-D synthetic generators, a forgiving CSV reader and validation.

Everything a student can get wrong in a file ends in a DataError whose str() is the message to show:
it names the column, the rows (spreadsheet numbering: the header is row 1, the first data row is row 2)
and what to do about it. The size of an upload is limited by Streamlit (server.maxUploadSize), not here.

errors (DataError and its subclasses), numbers, csv_reader + frame (read_csv), columns (labels, feature
columns), dataset (split, standardisation, Dataset, prepare_dataset), synthetic, samples.
"""

from .columns import guess_positive, label_values, suggest_columns
from .csv_reader import read_csv
from .dataset import MIN_ROWS, Dataset, dataset_from_arrays, prepare_dataset, split
from .errors import (
    ColumnChoiceError,
    ConstantFeatureError,
    DataError,
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
    TooManyClassesError,
    UnclosedQuoteError,
    UnreadableFileError,
)
from .samples import SAMPLE_DIR, SAMPLES, SampleSpec, load_sample
from .synthetic import SYNTHETIC_KINDS, make_synthetic, synthetic_dataset

__all__ = [
    "MIN_ROWS",
    "SAMPLES",
    "SAMPLE_DIR",
    "SYNTHETIC_KINDS",
    "ColumnChoiceError",
    "ConstantFeatureError",
    "DataError",
    "Dataset",
    "DuplicateColumnError",
    "EmptyFileError",
    "MissingValueError",
    "NoNumericColumnError",
    "NonFiniteValueError",
    "NonNumericValueError",
    "RowLengthError",
    "SampleSpec",
    "SingleClassError",
    "TooFewColumnsError",
    "TooFewRowsError",
    "TooManyClassesError",
    "UnclosedQuoteError",
    "UnreadableFileError",
    "dataset_from_arrays",
    "guess_positive",
    "label_values",
    "load_sample",
    "make_synthetic",
    "prepare_dataset",
    "read_csv",
    "split",
    "suggest_columns",
    "synthetic_dataset",
]

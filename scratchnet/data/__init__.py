"""Datasets for the classroom: 2-D synthetic generators, a forgiving CSV reader and validation.

Everything a student can get wrong in a file ends in a DataError whose str() is the message to show:
it names the column, the rows (spreadsheet numbering: the header is row 1, the first data row is row 2)
and what to do about it. The size of an upload in bytes is limited by Streamlit (server.maxUploadSize); its
shape (columns, rows, cells) by read_csv, before it parses the whole file.

errors (DataError and its subclasses), numbers, csv_reader + frame (read_csv), columns (labels, feature
values), choose (what each column can be, default label and features), dataset (split, standardisation,
Dataset), prepare (prepare_dataset: columns -> Dataset, empty cells), synthetic, samples.
"""

from .choose import (
    ColumnInfo,
    FeatureSuggestion,
    check_feature_columns,
    check_table,
    describe_columns,
    id_reason,
    separation,
    suggest_columns,
    suggest_features,
    suggest_label,
)
from .columns import MAX_CLASSES, LabelCoding, binary_coding, guess_positive, label_values
from .csv_reader import MAX_CELLS, MAX_COLUMNS, MAX_FILE_ROWS, read_csv
from .dataset import Dataset, dataset_from_arrays, split
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
    TooLargeError,
    TooManyClassesError,
    UnclosedQuoteError,
    UnreadableFileError,
)
from .prepare import MAX_ROWS, MIN_ROWS, MISSING_CHOICES, missing_cells, prepare_dataset, split_rows
from .samples import SAMPLE_DIR, SAMPLES, SampleSpec, load_sample
from .synthetic import (
    BINARY_KINDS,
    MULTICLASS_KINDS,
    SYNTHETIC_KINDS,
    make_synthetic,
    n_classes_of,
    synthetic_dataset,
)

__all__ = [
    "BINARY_KINDS",
    "MAX_CELLS",
    "MAX_CLASSES",
    "MAX_COLUMNS",
    "MAX_FILE_ROWS",
    "MULTICLASS_KINDS",
    "n_classes_of",
    "MAX_ROWS",
    "MIN_ROWS",
    "MISSING_CHOICES",
    "SAMPLES",
    "SAMPLE_DIR",
    "SYNTHETIC_KINDS",
    "ColumnChoiceError",
    "ColumnInfo",
    "ConstantFeatureError",
    "DataError",
    "Dataset",
    "DuplicateColumnError",
    "EmptyFileError",
    "FeatureSuggestion",
    "LabelCoding",
    "MissingValueError",
    "NoNumericColumnError",
    "NonFiniteValueError",
    "NonNumericValueError",
    "RowLengthError",
    "SampleSpec",
    "SingleClassError",
    "TooFewColumnsError",
    "TooFewRowsError",
    "TooLargeError",
    "TooManyClassesError",
    "UnclosedQuoteError",
    "UnreadableFileError",
    "binary_coding",
    "check_feature_columns",
    "check_table",
    "dataset_from_arrays",
    "describe_columns",
    "guess_positive",
    "id_reason",
    "label_values",
    "load_sample",
    "make_synthetic",
    "missing_cells",
    "prepare_dataset",
    "read_csv",
    "separation",
    "split",
    "split_rows",
    "suggest_columns",
    "suggest_features",
    "suggest_label",
    "synthetic_dataset",
]

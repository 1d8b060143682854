"""scratchnet: logistic regression and a two-layer network in numpy, with hand-derived gradients.

    from scratchnet import LogisticRegression, TwoLayerNet, train, gradcheck
"""

from .activations import ACTIVATIONS, sigmoid
from .gradcheck import GradCheckResult, gradcheck
from .losses import bce_from_logits
from .models import LogisticRegression, Model, TwoLayerNet, model_from_dict
from .plane import PlaneGrid, decision_grid, hidden_unit_grids, plane_grid
from .training import (
    History,
    Record,
    TrainingRun,
    compare_learning_rates,
    fit,
    lr_verdict,
    sweep_verdicts,
    train,
)

__all__ = [
    "ACTIVATIONS",
    "GradCheckResult",
    "History",
    "LogisticRegression",
    "Model",
    "PlaneGrid",
    "Record",
    "TrainingRun",
    "TwoLayerNet",
    "bce_from_logits",
    "compare_learning_rates",
    "decision_grid",
    "fit",
    "gradcheck",
    "hidden_unit_grids",
    "lr_verdict",
    "model_from_dict",
    "plane_grid",
    "sigmoid",
    "sweep_verdicts",
    "train",
]

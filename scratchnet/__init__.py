"""scratchnet: logistic regression and a two-layer network in numpy, with hand-derived gradients.

    from scratchnet import LogisticRegression, TwoLayerNet, train, gradcheck
"""

from .activations import ACTIVATIONS, sigmoid
from .gradcheck import GradCheckResult, gradcheck
from .landscape import (
    LineScan,
    LossSurface,
    Overshoot,
    falls_steadily,
    loss_along_gradient,
    loss_surface,
    lr_verdict,
    max_step_length,
    overshoot_events,
    sweep_verdicts,
    zigzag,
)
from .losses import bce_from_logits
from .models import (
    MODEL_KINDS,
    LogisticRegression,
    Model,
    ParamInfo,
    TraceStep,
    TwoLayerNet,
)
from .network import Network, SoftmaxNetwork, make_model, model_from_dict
from .optimizers import SGD, Adam, Momentum, OptimizerState
from .plane import ClassRegions, PlaneGrid, class_regions, decision_grid, hidden_unit_grids, plane_grid
from .problem import Problem
from .softmax import SoftmaxNet, SoftmaxRegression, softmax
from .sweep import Sweep, compare_learning_rates
from .training import (
    History,
    Record,
    TrainingRun,
    evaluate,
    fit,
    train,
)

__all__ = [
    "ACTIVATIONS",
    "Adam",
    "ClassRegions",
    "GradCheckResult",
    "History",
    "LineScan",
    "LossSurface",
    "MODEL_KINDS",
    "LogisticRegression",
    "Model",
    "Momentum",
    "Network",
    "OptimizerState",
    "Overshoot",
    "ParamInfo",
    "Problem",
    "PlaneGrid",
    "Record",
    "SGD",
    "SoftmaxNetwork",
    "SoftmaxNet",
    "SoftmaxRegression",
    "TraceStep",
    "TrainingRun",
    "TwoLayerNet",
    "bce_from_logits",
    "class_regions",
    "compare_learning_rates",
    "Sweep",
    "decision_grid",
    "evaluate",
    "fit",
    "gradcheck",
    "hidden_unit_grids",
    "loss_along_gradient",
    "loss_surface",
    "falls_steadily",
    "lr_verdict",
    "make_model",
    "max_step_length",
    "model_from_dict",
    "overshoot_events",
    "plane_grid",
    "sigmoid",
    "softmax",
    "sweep_verdicts",
    "train",
    "zigzag",
]

"""What a model's parts are, in words figures and tables can use: ParamInfo per tensor, TraceStep per row of
an example's derivation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ParamInfo:
    """What a parameter tensor is, so figures and tables never guess from its name."""

    name: str  # key in model.params, e.g. "W1"
    layer: int  # 1 = input → hidden (or the only layer), 2 = hidden → output
    is_bias: bool  # biases are never penalised by L2
    role: str  # what it connects, for a caption: "input → hidden weights"
    per_class: bool = False  # one row (or entry) per class: softmax's W, b, W2, b2

    @property
    def grad_name(self) -> str:
        """How the derivation writes its gradient: dW1, db2, dw."""
        return "d" + self.name


@dataclass(frozen=True)
class TraceStep:
    """One row of an example's derivation: `symbol = formula`, and its value for that example."""

    symbol: str  # what the derivation calls it: "a1", "dw2", "L (cross-entropy)", "+ λ·w2"
    formula: str  # how the rows above give it ("" for what is given: x, y, a penalty term)
    value: np.ndarray | float | int

    @property
    def label(self) -> str:
        return f"{self.symbol} = {self.formula}" if self.formula else self.symbol

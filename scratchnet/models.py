"""Logistic regression and a two-layer network with hand-derived gradients (no autograd).

Shapes follow the derivation, one example per row of X:
    X (m, d);  logistic regression: z = X·w + b
    net: a1 = X·W1ᵀ + b1 (m, h),  h1 = g(a1),  z = h1·w2 + b2 (m,),  ŷ = σ(z)
Every gradient is the mean over the m examples, with dL/dz = ŷ − y.
With n_classes = K ≥ 3 the constructors give the softmax models of softmax.py (K logits per example).
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import numpy as np

from .activations import get_activation, sigmoid
from .describe import ParamInfo, TraceStep
from .losses import bce_from_logits, bce_rows_and_sigmoid, ones

Params = dict[str, np.ndarray]
Cache = dict[str, Any]


class Model:
    """What both models share: parameters, loss with optional L2, scikit-learn style predict methods."""

    kind: ClassVar[str]  # the short name the app and make_model use: "logistic" or "net"
    hyperparameters: ClassVar[tuple[str, ...]]  # constructor settings besides n_features (and n_classes)
    param_info: ClassVar[tuple[ParamInfo, ...]]  # every tensor, in the order of params
    params: Params
    n_classes: int = 2  # K: two classes have one logit z and ŷ = σ(z); softmax.py's models have K logits
    l1: float = 0.0  # λ₁ of the L1 penalty λ₁·‖W‖₁ (network.py's Network takes it; training applies its zero rule)
    _delta_formula: ClassVar[str] = "ŷ − y"  # dL/dz, as the trace writes it

    def __new__(cls, *args: Any, n_classes: int = 2, **kwargs: Any) -> Model:
        """n_classes ≠ 2 builds the softmax variant (softmax.py): LogisticRegression(2, n_classes=3) is a
        SoftmaxRegression, still a LogisticRegression; it checks K itself."""
        if n_classes != 2 and cls.n_classes == 2:
            from .softmax import SOFTMAX_VARIANTS  # softmax.py subclasses these models: imported when needed

            cls = SOFTMAX_VARIANTS.get(cls, cls)
        return super().__new__(cls)

    def __init__(self, n_features: int, l2: float = 0.0) -> None:
        if n_features < 1:
            raise ValueError("n_features must be at least 1")
        if l2 < 0:
            raise ValueError("l2 must be >= 0")
        self.n_features = int(n_features)
        self.l2 = float(l2)

    # --- implemented by each model ---------------------------------------------------------------
    def forward(self, X: np.ndarray) -> tuple[np.ndarray, Cache]:
        raise NotImplementedError

    def _backward_data(self, cache: Cache, delta: np.ndarray) -> Params:
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        raise NotImplementedError

    # --- the output layer: σ and binary cross-entropy; softmax.py overrides these five for K ≥ 3 ------------
    def proba_from_logits(self, z: np.ndarray) -> np.ndarray:
        """ŷ = σ(z), the probability of class 1."""
        return sigmoid(z)

    def cross_entropy(self, z: np.ndarray, y: np.ndarray) -> float:
        """Mean cross-entropy from logits, finite for any finite z."""
        return bce_from_logits(z, y)

    def row_losses_and_proba(self, z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(each row's cross-entropy, ŷ): a mean over any rows is their cross_entropy, bit for bit."""
        return bce_rows_and_sigmoid(z, y)

    def targets(self, y: np.ndarray) -> np.ndarray:
        """y as `decide` answers: True for class 1."""
        return np.asarray(y) > 0.5

    def decide(self, z: np.ndarray) -> np.ndarray:
        """The predicted class from logits: z > 0, i.e. σ(z) > 0.5."""
        return z > 0

    # --- shared ----------------------------------------------------------------------------------
    @property
    def weight_names(self) -> tuple[str, ...]:
        """Tensors the L2 penalty applies to (never biases)."""
        return tuple(p.name for p in self.param_info if not p.is_bias)

    @property
    def has_kink(self) -> bool:
        """True where g' jumps (ReLU): finite differences straddling the corner are not exact."""
        return False

    def gradients(self, X: np.ndarray, y: np.ndarray) -> Params:
        """∂L/∂θ of the objective on (X, y): one forward and one backward pass."""
        _, cache = self.forward(X)
        return self.backward(cache, y)

    def data_backward(self, cache: Cache, y: np.ndarray) -> Params:
        """Gradients of the mean cross-entropy alone (no λW); stores dL/dz in the cache."""
        y = np.asarray(y, dtype=np.float64)
        y_hat = cache.get("y_hat")  # set by train() when it already computed ŷ along with the loss
        delta = self._dL_dz(self.proba_from_logits(cache["z"]) if y_hat is None else y_hat, y)
        cache["dL_dz"] = delta
        return self._backward_data(cache, delta)

    def _dL_dz(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        return y_hat - y  # dL_i/dz_i = ŷ_i − y_i

    def add_penalty_gradients(self, data_grads: Params, l1: bool = True) -> Params:
        """data_grads + λW (+ λ₁·sign(W) unless l1=False) for each weight tensor (biases unchanged); data_grads
        itself when no penalty applies, else a new dict (data_grads untouched)."""
        out = data_grads
        if self.l2:  # d/dW of (λ/2)·‖W‖² is λ·W
            out = {k: g + self.l2 * self.params[k] if k in self.weight_names else g for k, g in out.items()}
        if l1 and self.l1:  # d/dW of λ₁·‖W‖₁ is λ₁·sign(W) (0 at W = 0, as TF Playground takes it)
            out = {k: g + self.l1 * np.sign(self.params[k]) if k in self.weight_names else g for k, g in out.items()}
        return out

    def backward(self, cache: Cache, y: np.ndarray) -> Params:
        """Gradients of the objective (cross-entropy + penalty); same keys and shapes as params."""
        return self.add_penalty_gradients(self.data_backward(cache, y))

    def smooth_backward(self, cache: Cache, y: np.ndarray) -> Params:
        """∂(cross-entropy + L2)/∂θ, what an optimizer steps on: training takes the L1 term as a step of its own."""
        if not self.l1:
            return self.backward(cache, y)
        return self.add_penalty_gradients(self.data_backward(cache, y), l1=False)

    def penalty(self) -> float:
        """(λ/2)·Σ‖W‖² + λ₁·Σ‖W‖₁ over the weight tensors."""
        out = 0.0
        if self.l2:
            out = 0.5 * self.l2 * float(sum(np.vdot(self.params[n], self.params[n]) for n in self.weight_names))
        if self.l1:
            out += self.l1 * float(sum(np.abs(self.params[n]).sum() for n in self.weight_names))
        return out

    def dead_units(self, cache: Cache) -> int | None:
        """Hidden units whose output is 0 on every row the cache saw; None for a model without hidden units."""
        return None

    def loss_from_logits(self, z: np.ndarray, y: np.ndarray) -> float:
        """The objective from logits: cross-entropy + penalty."""
        return self.cross_entropy(z, y) + self.penalty()

    def data_loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """Mean cross-entropy alone, stable for any logit: what the loss curves show."""
        return self.cross_entropy(self.forward(X)[0], y)

    def accuracy(self, z: np.ndarray, targets: np.ndarray) -> float:
        """Share of examples whose predicted class (from logits z) is right; targets as `targets(y)` gives."""
        return np.count_nonzero(self.decide(z) == targets) / targets.shape[0] if targets.size else float("nan")

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """The objective gradient descent minimises (and gradcheck differentiates): cross-entropy + penalty."""
        z, _ = self.forward(X)
        return self.loss_from_logits(z, y)

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return self.forward(X)[0]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """ŷ = σ(z), the probability of class 1, shape (m,); (m, K) rows summing to 1 for K ≥ 3."""
        return self.proba_from_logits(self.decision_function(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class 1 where z > 0, i.e. where σ(z) > 0.5; for K ≥ 3 the class with the largest logit."""
        return self.decide(self.decision_function(X)).astype(np.int64)

    def trace(self, x: np.ndarray, y: float) -> Cache:
        """One example pushed forward and backward: every intermediate value and every gradient.

        The data term and the penalty are kept apart: "data_loss" (cross-entropy), "penalty" ((λ/2)‖W‖²),
        "loss" (their sum, the objective); "data_grads" (without λW) and "grads" (with it).
        """
        X = np.asarray(x, dtype=np.float64).reshape(1, -1)
        z, cache = self.forward(X)
        data_grads = self.data_backward(cache, np.array([y], dtype=np.float64))
        cache["y"] = float(y)
        cache["y_hat"] = self.proba_from_logits(z)
        cache["data_loss"] = self.cross_entropy(z, np.array([y], dtype=np.float64))
        cache["penalty"] = self.penalty()
        cache["loss"] = cache["data_loss"] + cache["penalty"]
        cache["data_grads"] = data_grads
        cache["grads"] = self.add_penalty_gradients(data_grads)
        return cache

    def trace_steps(self, x: np.ndarray, y: float) -> list[TraceStep]:
        """One example forward and backward as the rows of the derivation, in its order: x, the forward
        pass, ŷ and y, the loss terms apart (cross-entropy L, the penalty, the objective J = L + penalty), then
        dL/dz = ŷ − y and each gradient. A gradient's row is its data term (dw2 = (ŷ − y)·h1); with λ > 0 a
        penalised weight adds rows "+ λ·w2" and their sum ∂J/∂w2, the gradient a step uses."""
        t = self.trace(x, y)
        return [
            TraceStep("x", "", t["X"][0]),
            *self._forward_steps(t),
            *self._output_steps(t),
            TraceStep("penalty", "(λ/2)·‖W‖²" + (" + λ₁·‖W‖₁" if self.l1 else ""), t["penalty"]),
            TraceStep("objective J", "L + penalty", t["loss"]),
            TraceStep("dL/dz", self._delta_formula, t["dL_dz"][0] if self.n_classes > 2 else float(t["dL_dz"][0])),
            *self._backward_steps(t),
        ]

    def _output_steps(self, t: Cache) -> list[TraceStep]:
        """ŷ, y and the cross-entropy L."""
        return [TraceStep("ŷ", "σ(z)", float(t["y_hat"][0])), TraceStep("y", "", int(t["y"])),
                TraceStep("L (cross-entropy)", "", t["data_loss"])]

    def _forward_steps(self, t: Cache) -> list[TraceStep]:
        raise NotImplementedError

    def _backward_steps(self, t: Cache) -> list[TraceStep]:
        raise NotImplementedError

    def _gradient_steps(self, t: Cache, name: str, formula: str) -> list[TraceStep]:
        """d<name> from the data term alone; for a penalised weight with λ > 0, + λ·<name> (with λ₁ > 0,
        + λ₁·sign(<name>)) and the sum."""
        rows = [TraceStep(f"d{name}", formula, t["data_grads"][name])]
        terms = [(f"λ·{name}", self.l2 * self.params.get(name, 0.0)), (f"λ₁·sign({name})",
                  self.l1 * np.sign(self.params.get(name, 0.0)))] if name in self.weight_names else []
        terms = [(term, value) for (term, value), on in zip(terms, (self.l2, self.l1), strict=False) if on]
        if terms:
            rows += [TraceStep(f"+ {term}", "", value) for term, value in terms]
            rows.append(TraceStep(f"∂J/∂{name}", " + ".join([f"d{name}", *(term for term, _ in terms)]),
                                  t["grads"][name]))
        return rows

    def copy(self) -> Model:
        return copy.deepcopy(self)

    def get_params(self) -> Params:
        return {k: v.copy() for k, v in self.params.items()}

    def set_params(self, params: Params) -> None:
        for name, value in params.items():
            if name not in self.params:
                raise KeyError(f"unknown parameter {name!r}")
            value = np.asarray(value, dtype=np.float64)
            if value.shape != self.params[name].shape:
                raise ValueError(f"{name}: shape {value.shape} != {self.params[name].shape}")
            self.params[name] = value.copy()

    @property
    def n_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description: the class, its settings and every parameter as nested lists."""
        return {
            "model": type(self).__name__,
            **self.config(),
            "params": {k: v.tolist() for k, v in self.params.items()},
        }

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class LogisticRegression(Model):
    """z = X·w + b, ŷ = σ(z).  Gradients: dw = Xᵀ(ŷ − y)/m, db = mean(ŷ − y)."""

    kind = "logistic"
    hyperparameters = ("l2", "seed")
    param_info = (
        ParamInfo("w", 1, False, "input → output weights"),
        ParamInfo("b", 1, True, "output bias"),
    )

    def __init__(self, n_features: int = 2, l2: float = 0.0, seed: int | None = 0, *, n_classes: int = 2) -> None:
        super().__init__(n_features, l2)
        self.seed = seed
        rng = np.random.default_rng(seed)
        # small random start, so the first boundary is visible but says almost nothing
        self.params = {
            "w": rng.normal(0.0, 0.1, size=n_features),
            "b": np.array(0.0),
        }

    def forward(self, X: np.ndarray) -> tuple[np.ndarray, Cache]:
        X = np.asarray(X, dtype=np.float64)
        z = X @ self.params["w"] + self.params["b"]
        return z, {"X": X, "z": z}

    def _backward_data(self, cache: Cache, delta: np.ndarray) -> Params:
        X = cache["X"]
        m = X.shape[0]
        return {
            "w": X.T @ delta / m,  # dw = Xᵀ(ŷ − y)/m
            "b": np.array(delta.sum() / m),  # db = mean(ŷ − y)
        }

    def _forward_steps(self, t: Cache) -> list[TraceStep]:
        return [TraceStep("z", "w·x + b", float(t["z"][0]))]

    def _backward_steps(self, t: Cache) -> list[TraceStep]:
        return [*self._gradient_steps(t, "w", "(ŷ − y)·x"), *self._gradient_steps(t, "b", "ŷ − y")]

    def config(self) -> dict[str, Any]:
        return {"n_features": self.n_features, "l2": self.l2, "seed": self.seed}


class TwoLayerNet(Model):
    """Input → hidden layer (W1, b1, activation g) → one sigmoid output (w2, b2).

    Backprop, all means over the m examples (rows):
        dL/dz  = ŷ − y
        dw2    = h1ᵀ·dL/dz / m          db2 = mean(dL/dz)
        dL/dh1 = dL/dz ⊗ w2             (each example's error sent back through w2)
        dL/da1 = dL/dh1 ⊙ g'(a1)
        dW1    = dL/da1ᵀ·X / m          db1 = mean over rows of dL/da1
    """

    kind = "net"
    hyperparameters = ("hidden_units", "activation", "l2", "seed")
    param_info = (
        ParamInfo("W1", 1, False, "input → hidden weights"),
        ParamInfo("b1", 1, True, "hidden biases"),
        ParamInfo("w2", 2, False, "hidden → output weights"),
        ParamInfo("b2", 2, True, "output bias"),
    )

    def __init__(
        self,
        n_features: int = 2,
        hidden_units: int = 8,
        activation: str = "relu",
        l2: float = 0.0,
        seed: int | None = 0,
        *,
        n_classes: int = 2,
    ) -> None:
        super().__init__(n_features, l2)
        if hidden_units < 1:
            raise ValueError("hidden_units must be at least 1")
        self.hidden_units = int(hidden_units)
        self.activation = get_activation(activation)
        self.seed = seed
        rng = np.random.default_rng(seed)
        d, h = self.n_features, self.hidden_units
        self.params = {
            # He init for ReLU (variance 2/d), LeCun's for tanh/sigmoid (variance 1/d)
            "W1": rng.normal(0.0, np.sqrt(self.activation.init_gain / d), size=(h, d)),
            "b1": np.zeros(h),
            "w2": rng.normal(0.0, np.sqrt(1.0 / h), size=h),
            "b2": np.array(0.0),
        }

    def forward(self, X: np.ndarray) -> tuple[np.ndarray, Cache]:
        X = np.asarray(X, dtype=np.float64)
        p = self.params
        a1 = X @ p["W1"].T  # a1 = W1·x + b1, one row per example
        a1 += p["b1"]
        h1 = self.activation.g(a1)  # h1 = g(a1)
        z = self._output_logits(h1)
        return z, {"X": X, "a1": a1, "h1": h1, "z": z}

    def _output_logits(self, h1: np.ndarray) -> np.ndarray:
        return h1 @ self.params["w2"] + self.params["b2"]  # z = w2ᵀ·h1 + b2

    def _dL_dh1(self, delta: np.ndarray) -> np.ndarray:
        return delta[:, None] * self.params["w2"]  # dL/dh1 = (ŷ − y)·w2, one row per example

    def _output_grads(self, h1: np.ndarray, delta: np.ndarray) -> Params:
        m = h1.shape[0]
        return {
            "w2": h1.T @ delta / m,  # dw2 = (ŷ − y)·h1, averaged
            "b2": np.array(delta.sum() / m),  # db2 = ŷ − y, averaged
        }

    @property
    def has_kink(self) -> bool:
        return self.activation.has_kink

    def dead_units(self, cache: Cache) -> int:
        """Units with h1 = 0 on every row of the forward pass that made `cache`: no gradient reaches their W1
        or b1 from these rows, so on the training set a dead ReLU unit stays dead."""
        h1 = cache["h1"]
        if self.activation.nonnegative:  # h1 ≥ 0: a column sums to 0 only if every entry is 0 (one mat-vec)
            return int(np.count_nonzero(ones(h1.shape[0]) @ h1 == 0.0))
        return int(np.count_nonzero(~h1.any(axis=0)))

    def hidden(self, X: np.ndarray) -> np.ndarray:
        """h1 for every row of X, shape (m, h): what each hidden unit outputs."""
        return self.forward(X)[1]["h1"]

    def _backward_data(self, cache: Cache, delta: np.ndarray) -> Params:
        X, a1, h1 = cache["X"], cache["a1"], cache["h1"]
        m = X.shape[0]
        dL_da1 = self._dL_dh1(delta)  # dL/dh1 …
        dL_da1 *= self.activation.g_prime(a1)  # … ⊙ g'(a1), in place: this is dL/da1
        cache["dL_da1"] = dL_da1
        return {
            "W1": dL_da1.T @ X / m,  # dW1 = (dL/da1)ᵀ·xᵀ, averaged
            "b1": ones(m) @ dL_da1 / m,  # db1 = dL/da1, averaged (column means as one mat-vec product)
            **self._output_grads(h1, delta),
        }

    def trace(self, x: np.ndarray, y: float) -> Cache:
        cache = super().trace(x, y)
        cache["dL_dh1"] = self._dL_dh1(cache["dL_dz"])  # backward keeps only dL/da1
        return cache

    def _forward_steps(self, t: Cache) -> list[TraceStep]:
        return [TraceStep("a1", "W1·x + b1", t["a1"][0]), TraceStep("h1", "g(a1)", t["h1"][0]),
                TraceStep("z", "w2·h1 + b2", float(t["z"][0]))]

    def _backward_steps(self, t: Cache) -> list[TraceStep]:
        return [
            *self._gradient_steps(t, "w2", "(ŷ − y)·h1"),
            *self._gradient_steps(t, "b2", "ŷ − y"),
            TraceStep("dL/dh1", "(ŷ − y)·w2", t["dL_dh1"][0]),
            TraceStep("g'(a1)", f"{self.activation.name}'(a1)",
                      np.asarray(self.activation.g_prime(t["a1"][0]), dtype=np.float64)),  # ReLU's is 0/1
            TraceStep("dL/da1", "dL/dh1 ⊙ g'(a1)", t["dL_da1"][0]),
            *self._gradient_steps(t, "b1", "dL/da1"),
            *self._gradient_steps(t, "W1", "dL/da1·xᵀ"),
        ]

    def config(self) -> dict[str, Any]:
        return {
            "n_features": self.n_features,
            "hidden_units": self.hidden_units,
            "activation": self.activation.name,
            "l2": self.l2,
            "seed": self.seed,
        }


MODEL_CLASSES: dict[str, type[Model]] = {"LogisticRegression": LogisticRegression, "TwoLayerNet": TwoLayerNet}
MODEL_KINDS: dict[str, type[Model]] = {cls.kind: cls for cls in MODEL_CLASSES.values()}

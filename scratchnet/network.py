"""A network of 0–6 hidden layers (TF Playground's largest: 6 × 8), one backward recursion derived by hand.

Shapes as in models.py, one example per row; layer l has W_l (n_l, n_{l−1}) and b_l (n_l,), h_0 = X:
    a_l = h_{l−1}·W_lᵀ + b_l,   h_l = g(a_l)                         l = 1 … L (the hidden layers)
    z   = h_L·w_{L+1} + b_{L+1}, ŷ = σ(z)    (two classes: one logit, w_{L+1} a vector)
    z   = h_L·W_{L+1}ᵀ + b_{L+1}, P = softmax(z)   (K ≥ 3 classes: K logits)
Backward, means over the m rows (δ_l = dL/da_l, one row per example; δ_{L+1} = dL/dz):
    δ_{L+1} = P − Y                      (ŷ − y for two classes)
    δ_l     = (δ_{l+1}·W_{l+1}) ⊙ g'(a_l)
    dW_l    = δ_lᵀ·h_{l−1} / m,   db_l = column means of δ_l
(scikit-learn stores coefs_[l] = W_lᵀ and writes the same recursion as δ_{l+1}·coefs_[l]ᵀ.)

With L = 1 this is TwoLayerNet's equations, with the same operations in the same order, so it gives the same bits;
with L = 0 it is logistic (or softmax) regression, started as those models start.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .activations import get_activation
from .describe import ParamInfo, TraceStep
from .losses import ones
from .models import MODEL_CLASSES, MODEL_KINDS, Cache, Model, Params
from .softmax import SOFTMAX_VARIANTS, SoftmaxOutput, _check_classes

MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 64  # the one-layer page's slider goes to 64; the app's layers control offers 1–32 per layer


def check_layers(hidden_layers: Sequence[int]) -> tuple[int, ...]:
    """The widths as a tuple of ints, or a clear error: 0–6 layers of 1–64 units."""
    try:
        layers = tuple(int(h) for h in hidden_layers)
    except (TypeError, ValueError):
        raise ValueError(f"hidden_layers must be a list of whole numbers, not {hidden_layers!r}") from None
    if len(layers) > MAX_HIDDEN_LAYERS or any(not 1 <= h <= MAX_UNITS for h in layers):
        raise ValueError(f"a network has 0–{MAX_HIDDEN_LAYERS} hidden layers of 1–{MAX_UNITS} units; "
                         f"got {list(layers)}")
    return layers


class Network(Model):
    """Input → L hidden layers (W_l, b_l, one activation g for all) → one sigmoid output (w_{L+1}, b_{L+1})."""

    kind = "net"
    hyperparameters = ("hidden_layers", "activation", "l1", "l2", "seed")

    def __init__(
        self,
        n_features: int = 2,
        hidden_layers: Sequence[int] = (8,),
        activation: str = "relu",
        l1: float = 0.0,
        l2: float = 0.0,
        seed: int | None = 0,
        *,
        n_classes: int = 2,
    ) -> None:
        super().__init__(n_features, l2)
        if l1 < 0:
            raise ValueError("l1 must be >= 0")
        self.l1 = float(l1)
        self.hidden_layers = check_layers(hidden_layers)
        self.activation = get_activation(activation)
        self.seed = seed
        L, out = len(self.hidden_layers), len(self.hidden_layers) + 1
        w_out = f"w{out}" if self.n_classes == 2 else f"W{out}"  # one output: a vector, as the derivation writes it
        info = [p for i, h in enumerate(self.hidden_layers, 1) for p in (
            ParamInfo(f"W{i}", i, False, f"{'input' if i == 1 else f'layer {i - 1}'} → layer {i} weights"),
            ParamInfo(f"b{i}", i, True, f"layer {i} biases"))]
        k = self.n_classes > 2
        self.param_info = (*info, ParamInfo(w_out, out, False, f"{f'layer {L}' if L else 'input'} → output "
                                            f"weights{', one row per class' if k else ''}", per_class=k),
                           ParamInfo(f"b{out}", out, True, "output biases, one per class" if k else "output bias",
                                     per_class=k))
        self.params = self._initial_params()

    def _initial_params(self) -> Params:
        """He (ReLU) or LeCun (the others) for each hidden layer, N(0, 1/n_L) for the output, from one generator
        in layer order: TwoLayerNet's (and SoftmaxNet's) start for one layer. No hidden layer: logistic
        regression's small N(0, 0.1²) start."""
        rng = np.random.default_rng(self.seed)
        params, fan_in = {}, self.n_features
        for i, h in enumerate(self.hidden_layers, 1):
            params[f"W{i}"] = rng.normal(0.0, np.sqrt(self.activation.init_gain / fan_in), size=(h, fan_in))
            params[f"b{i}"] = np.zeros(h)
            fan_in = h
        out, k = len(self.hidden_layers) + 1, self.n_classes
        scale = np.sqrt(1.0 / fan_in) if self.hidden_layers else 0.1
        if k == 2:
            params[f"w{out}"], params[f"b{out}"] = rng.normal(0.0, scale, size=fan_in), np.array(0.0)
        else:  # the output's own generator when there are hidden layers, as SoftmaxNet draws W2
            own = np.random.default_rng(None if self.seed is None else [self.seed, k]) if self.hidden_layers else rng
            params[f"W{out}"], params[f"b{out}"] = own.normal(0.0, scale, size=(k, fan_in)), np.zeros(k)
        return params

    @property
    def depth(self) -> int:
        """L, the number of hidden layers."""
        return len(self.hidden_layers)

    @property
    def hidden_units(self) -> int:
        """Units in the first hidden layer (what a one-layer view draws); 0 without hidden layers."""
        return self.hidden_layers[0] if self.hidden_layers else 0

    @property
    def has_kink(self) -> bool:
        return self.activation.has_kink and self.depth > 0

    def _out(self) -> tuple[str, str]:
        out = self.depth + 1
        return (f"w{out}" if self.n_classes == 2 else f"W{out}"), f"b{out}"

    def forward(self, X: np.ndarray) -> tuple[np.ndarray, Cache]:
        X = np.asarray(X, dtype=np.float64)
        cache: Cache = {"X": X}
        z = self._logits(self._layers(X, 1, cache))
        cache["z"] = z
        return z, cache

    def _layers(self, h: np.ndarray, first: int, cache: Cache | None = None) -> np.ndarray:
        """h_L from h_{first−1}: a_l = h_{l−1}·W_lᵀ + b_l, h_l = g(a_l) for l = first … L (kept in `cache`)."""
        p = self.params
        for i in range(first, self.depth + 1):
            # layer 1 as TwoLayerNet computes it (the same bits); deeper, a contiguous W_lᵀ: the same product,
            # ~10× faster for BLAS on a picture's 10,000 rows × 8 units
            a = h @ (p[f"W{i}"].T if i == 1 else np.ascontiguousarray(p[f"W{i}"].T))
            a += p[f"b{i}"]
            h = self.activation.g(a)
            if cache is not None:
                cache[f"a{i}"], cache[f"h{i}"] = a, h
        return h

    def _logits(self, h: np.ndarray) -> np.ndarray:
        """z = w_{L+1}·h_L + b_{L+1} (K classes: W_{L+1}·h_L + b_{L+1}), one row per example."""
        w, b = self._out()
        return h @ self.params[w] + self.params[b] if self.n_classes == 2 else h @ self.params[w].T + self.params[b]

    def _output_logits(self, h1: np.ndarray) -> np.ndarray:
        """z from the first hidden layer's outputs (plane.decision_grid starts there, as for TwoLayerNet)."""
        return self._logits(self._layers(h1, 2))

    def _backward_data(self, cache: Cache, delta: np.ndarray) -> Params:
        p, m, L = self.params, delta.shape[0], self.depth
        h = cache[f"h{L}"] if L else cache["X"]
        w, b = self._out()
        if self.n_classes == 2:
            grads = {w: h.T @ delta / m, b: np.array(delta.sum() / m)}  # dw = h_Lᵀ·(ŷ − y)/m, db = mean(ŷ − y)
            back = delta[:, None] * p[w] if L else None  # dL/dh_L = (ŷ − y)·w_{L+1}
        else:
            grads = {w: delta.T @ h / m, b: ones(m) @ delta / m}  # dW = (P − Y)ᵀ·h_L/m, db = column means
            back = delta @ p[w] if L else None  # dL/dh_L = (P − Y)·W_{L+1}
        for i in range(L, 0, -1):
            back *= self.activation.g_prime(cache[f"a{i}"])  # δ_l = dL/dh_l ⊙ g'(a_l), in place
            cache[f"dL_da{i}"] = back
            h_before = cache[f"h{i - 1}"] if i > 1 else cache["X"]
            grads[f"W{i}"] = back.T @ h_before / m  # dW_l = δ_lᵀ·h_{l−1}/m
            grads[f"b{i}"] = ones(m) @ back / m  # db_l = column means of δ_l (one mat-vec product)
            back = back @ p[f"W{i}"] if i > 1 else None  # dL/dh_{l−1} = δ_l·W_l
        return {name: grads[name] for name in p}  # in the order of params

    def dead_units(self, cache: Cache) -> int | None:
        """Hidden units (in any layer) whose output is 0 on every row the cache saw: no gradient reaches their
        weights from these rows; None without hidden layers."""
        if not self.depth:
            return None
        hs = [cache[f"h{i}"] for i in range(1, self.depth + 1)]
        if self.activation.nonnegative:  # h ≥ 0: a column sums to 0 only if every entry is 0 (one mat-vec each)
            return sum(int(np.count_nonzero(ones(h.shape[0]) @ h == 0.0)) for h in hs)
        return sum(int(np.count_nonzero(~h.any(axis=0))) for h in hs)

    def hidden(self, X: np.ndarray, layer: int = 1) -> np.ndarray:
        """h_layer for every row of X, shape (m, n_layer): what each unit of that hidden layer outputs."""
        if not 1 <= layer <= self.depth:
            raise ValueError(f"layer must be 1…{self.depth}, not {layer}")
        return self.forward(X)[1][f"h{layer}"]

    def _forward_steps(self, t: Cache) -> list[TraceStep]:
        rows = []
        for i in range(1, self.depth + 1):
            before = "x" if i == 1 else f"h{i - 1}"
            rows += [TraceStep(f"a{i}", f"W{i}·{before} + b{i}", t[f"a{i}"][0]), TraceStep(f"h{i}", f"g(a{i})",
                                                                                       t[f"h{i}"][0])]
        w, b = self._out()
        z = t["z"][0]
        return [*rows, TraceStep("z", f"{w}·{f'h{self.depth}' if self.depth else 'x'} + {b}",
                                 z if self.n_classes > 2 else float(z))]

    def _backward_steps(self, t: Cache) -> list[TraceStep]:
        w, b = self._out()
        top = f"h{self.depth}" if self.depth else "x"
        rows = [*self._gradient_steps(t, w, f"dL/dz·{top}ᵀ"), *self._gradient_steps(t, b, "dL/dz")]
        for i in range(self.depth, 0, -1):
            after = "dL/dz" if i == self.depth else f"δ{i + 1}"
            weights = w if i == self.depth else f"W{i + 1}"
            rows += [TraceStep(f"δ{i} = dL/da{i}", f"({after}·{weights}) ⊙ g'(a{i})", t[f"dL_da{i}"][0]),
                     *self._gradient_steps(t, f"b{i}", f"δ{i}"),
                     *self._gradient_steps(t, f"W{i}", f"δ{i}ᵀ·{'x' if i == 1 else f'h{i - 1}'}")]
        return rows

    def config(self) -> dict[str, Any]:
        out = {"n_features": self.n_features, "hidden_layers": list(self.hidden_layers),
               "activation": self.activation.name, "l1": self.l1, "l2": self.l2, "seed": self.seed}
        return out if self.n_classes == 2 else {**out, "n_classes": self.n_classes}


class SoftmaxNetwork(SoftmaxOutput, Network):
    """The same network with K ≥ 3 softmax outputs: z = W_{L+1}·h_L + b_{L+1}; only δ_{L+1} = P − Y differs."""

    def __init__(self, n_features: int = 2, hidden_layers: Sequence[int] = (8,), activation: str = "relu",
                 l1: float = 0.0, l2: float = 0.0, seed: int | None = 0, *, n_classes: int = 3) -> None:
        self.n_classes = _check_classes(n_classes)
        super().__init__(n_features, hidden_layers, activation, l1, l2, seed, n_classes=self.n_classes)


SOFTMAX_VARIANTS[Network] = SoftmaxNetwork
MODEL_CLASSES.update({cls.__name__: cls for cls in (Network, SoftmaxNetwork)})


def make_model(kind: str, n_inputs: int, n_classes: int = 2, **hyper: Any) -> Model:
    """A fresh model of `kind` ("logistic" or "net") for n_inputs inputs and n_classes classes. A "net" with
    `hidden_layers` is a Network (0–6 layers), except that one layer without L1 is the TwoLayerNet it equals.

    `hyper` may hold every setting the app has: each kind takes the ones it declares and ignores the rest,
    so a caller need not know which settings belong to which model.
    """
    if kind not in MODEL_KINDS:
        raise ValueError(f"unknown model kind {kind!r}; choose one of {sorted(MODEL_KINDS)}")
    cls = MODEL_KINDS[kind]
    layers = hyper.get("hidden_layers")
    if kind == "net" and layers is not None:  # one layer without L1 stays the readable TwoLayerNet (same bits)
        if len(layers) == 1 and not hyper.get("l1"):
            hyper = {**hyper, "hidden_units": layers[0]}
        else:
            cls = Network
    return cls(n_inputs, n_classes=n_classes, **{k: v for k, v in hyper.items() if k in cls.hyperparameters})


def model_from_dict(data: dict[str, Any]) -> Model:
    """Rebuild a model saved with Model.to_dict()."""
    kind = data.get("model")
    if kind not in MODEL_CLASSES:
        raise ValueError(f"unknown model {kind!r}")
    settings = {k: v for k, v in data.items() if k not in ("model", "params")}
    model = MODEL_CLASSES[kind](**settings)
    model.set_params({k: np.asarray(v, dtype=np.float64) for k, v in data["params"].items()})
    return model

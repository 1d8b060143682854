"""Every setting the app has, in one table (as TF Playground's state.ts PROPS table), and the typed Settings.

A setting's key is its widget's key and its URL query name: widgets are bound to the URL, so a link such as
`/Neural_network?data=xor&hidden=4` opens exactly that setup. Everything derives from PARAMS: the widgets'
options, ranges, labels and help (scratchnet/ui/controls.py), reading a URL, share links and lesson links. Plain data,
no Streamlit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scratchnet.data import MAX_CLASSES, SYNTHETIC_KINDS
from scratchnet.data import SAMPLES as SAMPLE_SPECS
from scratchnet.diagram import edits_text
from scratchnet.features import EXTRA_FEATURES
from scratchnet.network import MAX_HIDDEN_LAYERS
from scratchnet.optimizers import Optimizer, make_optimizer

# --- choices ------------------------------------------------------------------------------------------
SYNTHETIC = SYNTHETIC_KINDS
SAMPLES = tuple(SAMPLE_SPECS)
UPLOADED = "uploaded"
DRAWN = "drawn"  # points drawn on the plane (scratchnet/data/drawn.py), kept in the session and in `pts`
DATA_LABELS = {
    "blobs": "Two blobs (linearly separable at noise 0)",
    "moons": "Two moons",
    "circles": "Circle inside a ring",
    "xor": "XOR (four quadrants)",
    "spiral": "Two spirals",
    "blobs3": "Three blobs (3 classes)",
    "blobs4": "Four blobs (4 classes)",
    "spiral3": "Three spiral arms (3 classes)",
    **{key: f"{spec.title} (real data)" for key, spec in SAMPLE_SPECS.items()},
    UPLOADED: "Your uploaded CSV",
    DRAWN: "✏️ Draw your own points",
}
N_OPTIONS = (20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
LR_OPTIONS = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
ITERATION_OPTIONS = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
OPTIMIZER_LABELS = {"sgd": "Gradient descent", "momentum": "Momentum", "adam": "Adam"}
BETA_OPTIONS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99)
BETA2_OPTIONS = (0.9, 0.99, 0.999, 0.9999)
LAYER_UNITS = 32  # units per layer the layers control offers (TF Playground: 8)
WEIGHT_SEEDS = 10000  # the weights' seed is seed + WEIGHT_SEEDS·wseed: wseed = 0 is the data seed's start
BATCH_OPTIONS = ("full", "1", "10", "32", "100")
L2_OPTIONS = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
# iterations per second of playback; "max" trains as much as fits in one redraw's time budget
SPEED_OPTIONS = ("0.1×", "0.25×", "0.5×", "1×", "2×", "4×", "max")
LAB_DEFAULT_LRS = (0.001, 0.01, 0.1, 1.0, 10.0)
MODEL_LABELS = {"logistic": "Logistic regression", "net": "Neural network"}  # model kind → how a control shows it
CLASS_MODES = {"all": "All classes (softmax)", "one-vs-rest": "One vs the rest (sigmoid)"}

# --- playback: what the speed setting means -----------------------------------------------------------
BASE_ITERATIONS_PER_SECOND = 250.0
STEP_ITERATIONS = 10

# The drawn points in a URL (?data=drawn&pts=…): scratchnet.data.drawn's encoding, outside the table as `hide` is
# (no widget: the plane is the control). A link stays under LINK_LIMIT characters, the length every browser, chat
# app and QR code carries (IE's old 2,083; 8,000 is where servers and proxies start refusing): 500 points of 2
# classes take 1,420, so only a long page address with many settings can push a full set over.
PTS = "pts"
LINK_LIMIT = 2000

# Control groups a teacher can hide with ?hide=data,model,... (presentation mode)
HIDE = "hide"
HIDEABLE = {
    "data": "data set controls",
    "features": "extra input features",
    "model": "learning rate, iterations, architecture",
    "advanced": "batch size and L2",
    "nav": "page links",
    "gradients": "the gradient panel",
}


def fmt(value: object) -> str:
    """How a control shows a value — and how the URL spells it: 0.1 → "0.1", 10.0 → "10", 1e-4 → "0.0001"."""
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Param:
    """One setting: its type and allowed values, its default, how the URL spells it, and what its widget shows."""

    key: str  # widget key = URL query name = Settings attribute
    type: type  # float, int, str or bool; for a list setting (a multiselect), the type of one item
    default: Any
    widget: str  # selectbox, radio, select_slider, multiselect, slider, number_input, checkbox; "": a link's only
    label: str
    options: tuple[Any, ...] = ()  # the allowed values, for a choice widget
    range: tuple[float, float] | None = None  # inclusive bounds, for a numeric slider or number box
    step: float | None = None
    show: Callable[[Any], str] = fmt  # how the widget shows an option; Streamlit spells it so in the URL too
    help: str | None = None
    note: str | Mapping[Any, str] = ""  # caption under the widget: one text, or one per option
    hide: str | None = None  # the presentation-mode group (HIDEABLE) that hides the widget
    sidebar: bool = True  # drawn in the sidebar on every page (else by a page's own body)
    hyper: str | None = None  # the scratchnet.make_model setting it feeds
    max_items: int | None = None  # a list setting holds at most this many
    from_data: bool = False  # the allowed values are the data set's feature names, known once it is loaded
    parse: Callable[[str], Any] | None = None  # a free-text setting: its tidy spelling, or None if invalid

    @property
    def many(self) -> bool:
        return self.widget == "multiselect"

    def coerce(self, value: Any) -> Any:
        """The value with this setting's type (a tuple for a list setting)."""
        return tuple(self.type(v) for v in value) if self.many else self.type(value)

    def encode(self, value: Any) -> str | list[str]:
        """How the URL spells a value: as its widget shows it (a list setting repeats the key)."""
        if self.many:
            return [self.show(v) for v in value]
        if self.type is bool:
            return "true" if value else "false"
        return self.show(value)

    def decode(self, raw: Sequence[str]) -> Any:
        """The value a URL gives (the strings after `key=`); None when absent or not an allowed value."""
        if not raw:
            return None
        if self.many:  # in the table's order, each once; unknown spellings are dropped
            picked = tuple(o for o in self.options if self.show(o) in raw)
            if not picked and any(r.strip() for r in raw):
                return None  # nothing valid (?lab_lrs=abc); an empty ?feats= is a valid empty choice
            return picked[: self.max_items] if self.max_items else picked
        text = raw[-1].strip()  # the last one wins, as for a widget Streamlit binds to the URL
        if self.from_data:  # checked against the data set once it is loaded (scratchnet.problem.axes_from_names)
            return text or None
        if self.parse is not None:  # an empty spelling is no value: the default
            return self.parse(text) or None
        if self.options:
            return next((o for o in self.options if self.show(o) == text), None)
        if self.type is bool:
            return {"true": True, "false": False}.get(text.lower())
        return self._number(text)

    def _number(self, text: str) -> float | int | None:
        assert self.range is not None, self.key
        try:
            number = float(text)
        except ValueError:
            return None
        lo, hi = self.range
        if not lo <= number <= hi:  # also rejects nan
            return None
        if self.type is int:
            return int(number) if number.is_integer() else None
        if self.step:  # onto the slider's steps, as its widget would put it (?test=0.001 → 0)
            number = min(hi, round(lo + round((number - lo) / self.step) * self.step, 10))
        return number

    def url_change(self, raw: Sequence[str]) -> str | None:
        """What reading `raw` (a URL's strings for this key) changed, in words for the student; None when it was
        used as given. A value that is not allowed gives the default; one off the slider's steps snaps to one."""
        value = self.decode(raw)
        if not raw or self.from_data or (self.many and value is not None and len(value) == len(raw)):
            return None
        text = raw[-1].strip()
        if value is None and self.parse is not None and self.parse(text) == self.default:
            return None  # a parsed setting spelled as its default ("layers=": one layer) is used as given
        if value is None:
            return f"{self.key}={text} is not allowed, so {self.label} is {self._shown(self.default)}"
        if self.many:
            return f"{self.key}: only {', '.join(self.encode(value)) or 'none'} of the values given are allowed"
        if self.range is not None and float(text) != value:
            return f"{self.key}={text} became {self._shown(value)} (the slider moves in steps of {fmt(self.step)})"
        return None

    def _shown(self, value: Any) -> str:
        return (", ".join(self.encode(value)) or "none") if self.many else (str(self.encode(value)) or "none")

    def note_for(self, value: Any) -> str:
        return self.note if isinstance(self.note, str) else self.note.get(value, "")

    def wrap(self, value: int) -> int:
        """value, brought back into the range by wrapping around (the seed's 🎲 button: 9999 + 1 → 0)."""
        assert self.range is not None and self.type is int, self.key
        lo, hi = int(self.range[0]), int(self.range[1])
        return lo + (value - lo) % (hi - lo + 1)


def parse_layers(text: str) -> str | None:
    """A network shape as TF Playground spells it, units per hidden layer from the input side: " 6, 4" → "6,4";
    "" stays "" (one layer of `hidden` units); None unless it is 1–6 whole numbers of 1–32."""
    parts = [part.strip() for part in str(text).split(",")] if str(text).strip() else []
    if not all(part.isdigit() for part in parts) or len(parts) > MAX_HIDDEN_LAYERS:
        return None
    if any(not 1 <= int(part) <= LAYER_UNITS for part in parts):
        return None
    return ",".join(str(int(part)) for part in parts)


def layers_text(widths: Sequence[int]) -> str:
    return ",".join(str(int(w)) for w in widths)


PARAMS: tuple[Param, ...] = (
    # data (the sidebar's "Data" section)
    Param("data", str, "moons", "selectbox", "Data set", (*SYNTHETIC, *SAMPLES, UPLOADED, DRAWN),
          note=DATA_LABELS, hide="data"),
    Param("n", int, 200, "select_slider", "Points", N_OPTIONS, hide="data"),
    Param("noise", float, 0.15, "slider", "Noise", range=(0.0, 1.0), step=0.05, hide="data",
          help="0 = clean shapes; 1 = classes heavily mixed."),
    Param("seed", int, 0, "number_input", "Seed", range=(0, 9999), step=1, hide="data", hyper="seed",
          help="Same seed, same points, same split, same starting weights."),
    Param("test", float, 0.25, "slider", "Test share", range=(0.0, 0.5), step=0.05, hide="data",
          help="Points held out of training: the model never learns from them, so their loss shows "
          "how well it generalises."),
    Param("feats", str, (), "multiselect", "Extra inputs", tuple(EXTRA_FEATURES), show=EXTRA_FEATURES.__getitem__,
          hide="features",
          help="Feed the model x1², x1·x2, sin(x1)… as well as x1 and x2. Logistic regression with x1² and x2² "
          "can draw a circle. Only for data with two features."),
    # data with more than two classes: all of them (a softmax output), or class 1 against the rest
    Param("classes", str, "all", "radio", "Classes", tuple(CLASS_MODES), show=CLASS_MODES.__getitem__, hide="data",
          help="All classes: the model has one output per class and a softmax turns them into probabilities; "
          "each class gets its own colour. One vs the rest: the positive class against all the others, one "
          f"sigmoid output, as for two classes. More than {MAX_CLASSES} classes: always one vs the rest.",
          note={"all": "One output per class; softmax.", "one-vs-rest": "Class 1 against all the others."}),
    # the two features the plane pictures draw, for data with more than two ("" = the two that separate best)
    Param("plot_x", str, "", "selectbox", "Drawn across (x axis)", hide="data", from_data=True,
          help="With more than two features the plots show a slice: these two features vary, every other one "
          "is held at its training mean. The model still uses all of them."),
    Param("plot_y", str, "", "selectbox", "Drawn up (y axis)", hide="data", from_data=True,
          help="The second feature the plots draw; every other one is held at its training mean."),
    # the run (each model page's toolbar; the lab has iterations too)
    Param("lr", float, 0.1, "select_slider", "Learning rate α", LR_OPTIONS, hide="model", sidebar=False,
          help="The step size in θ ← θ − α·∂L/∂θ. Too small: crawls. Too large: overshoots — a network's loss "
          "spikes (and ReLU units can die), then usually recovers; logistic regression zig-zags and cannot blow up "
          "here. A true blow-up (a number overflowing) is rare here; an L2 penalty with λ·α > 2 causes one. You can "
          "change it while the run plays."),
    Param("iters", int, 1000, "select_slider", "Iterations", ITERATION_OPTIONS, hide="model", sidebar=False,
          help="Play stops here. Raise it to keep training from where you are."),
    # the network (sidebar, on the pages that train one)
    Param("hidden", int, 8, "slider", "Hidden units", range=(1, 64), hide="model", hyper="hidden_units",
          help="How many units the hidden layer has: each one adds a bend the boundary can make."),
    Param("layers", str, "", "text_input", "Hidden layers (units each)", hide="model", parse=parse_layers,
          help=f"Units per hidden layer, input side first, as TF Playground writes a network's shape: 6,4 is two "
          f"layers of 6 and 4 units. Up to {MAX_HIDDEN_LAYERS} layers of 1–{LAYER_UNITS} units. Empty: one layer "
          "of 'Hidden units'. + Layer and − Layer add or remove one."),
    Param("act", str, "relu", "selectbox", "Activation", ACTIVATIONS, hide="model", hyper="activation",
          help="ReLU (as derived): g'(a) is 0 or 1. tanh and sigmoid squash; sigmoid's slope is at most 0.25, "
          "so gradients shrink on the way back. Linear: g(a) = a, so the network is one linear map whatever its "
          "depth.",
          note={"relu": "ReLU: max(0, a) — slope 0 or 1, as derived.",
                "tanh": "tanh: squashes to (−1, 1); slope at most 1.",
                "sigmoid": "sigmoid: squashes to (0, 1); slope at most ¼ — gradients vanish.",
                "linear": "linear: g(a) = a — layers of these still draw a straight boundary."}),
    Param("wseed", int, 0, "number_input", "Weights seed", range=(0, 9999), step=1, hide="model",
          help="Which random starting weights: 0 starts from the data seed's weights. 'New weights' keeps the "
          "points and draws a fresh start."),
    # weights set by hand at the start, a link's only (no widget: the diagram is where weights are typed)
    Param("edits", str, "", "", "Starting weights set by hand", hide="model", sidebar=False, parse=edits_text,
          help="Weights the run starts from instead of the random ones, named as in the diagram and the gradient "
          "chart: W1[2,0]:1; b2:-0.5 (up to 8, each between −100 and 100). Reset goes back to these."),
    # the optimiser (sidebar)
    Param("batch", str, "full", "select_slider", "Batch size", BATCH_OPTIONS, hide="advanced",
          help="'full' uses every training point for each step, as derived. A number samples that many per "
          "step (mini-batch SGD): cheaper, noisier steps.",
          note="full = gradient descent as derived; a number = noisier mini-batch steps."),
    Param("l2", float, 0.0, "select_slider", "L2 penalty λ", L2_OPTIONS, hide="advanced", hyper="l2",
          help="Gradient descent minimises the loss plus (λ/2)·‖W‖², so every step also shrinks the weights: "
          "smoother boundaries, less overfitting. Biases are not penalised. The loss curves show the cross-entropy "
          "alone; the penalty is shown apart. Keep λ·α ≤ 2: beyond that the shrinking overshoots and blows up.",
          note="λ > 0 pulls every weight towards 0 each step: smoother boundary, less overfitting."),
    Param("l1", float, 0.0, "select_slider", "L1 penalty λ₁", L2_OPTIONS, hide="advanced", hyper="l1",
          help="Gradient descent minimises the loss plus λ₁·‖W‖₁: each step also moves every weight α·λ₁ towards 0, "
          "and a weight that this would carry past 0 is set to exactly 0 (as TF Playground does), so weights "
          "really reach 0 and you can count them. The network only; changing it starts the run again.",
          note="λ₁ > 0 sets small weights to exactly 0: a sparser network."),
    Param("opt", str, "sgd", "radio", "Optimizer", tuple(OPTIMIZER_LABELS), show=OPTIMIZER_LABELS.__getitem__,
          hide="advanced",
          help="Gradient descent: θ ← θ − α·g. Momentum: v ← β·v − α·g, θ ← θ + v (a ball that keeps rolling). "
          "Adam: steps along a running mean of g divided by the running root-mean-square of g. Changing it starts "
          "the run again.",
          note={"sgd": "θ ← θ − α·g, as derived.", "momentum": "v ← β·v − α·g, θ ← θ + v.",
                "adam": "θ ← θ − α_t·m/(√v + ε)."}),
    Param("beta", float, 0.9, "select_slider", "β (momentum; Adam's β₁)", BETA_OPTIONS, hide="advanced",
          help="How much of the last step each step keeps: 0 is plain gradient descent, 0.9 remembers about the last "
          "10 steps."),
    Param("beta2", float, 0.999, "select_slider", "β₂ (Adam)", BETA2_OPTIONS, hide="advanced",
          help="How long Adam remembers the size of the gradient (its running mean of g²)."),
    # playback and view (model pages)
    Param("speed", str, "1×", "select_slider", "Speed", SPEED_OPTIONS, sidebar=False,
          help="How fast playback runs (1× ≈ 250 iterations a second). Slow it down to watch single steps."),
    Param("logy", bool, False, "checkbox", "Log-scale loss", sidebar=False),
    # TF Playground's two checkboxes: they change only the picture (no retraining), in the browser
    Param("showtest", bool, True, "checkbox", "Show test data", sidebar=False,
          help="Draw the test points (open markers) over the boundary. The model never trains on them."),
    Param("discrete", bool, False, "checkbox", "Discretize output", sidebar=False,
          help="Colour each region by the class the model predicts, flat, instead of shading by its probability."),
    Param("diagram", bool, True, "checkbox", "Network", sidebar=False,
          help="The network beside the boundary: every input, unit and weight, live. Off sends less."),
    # the learning-rate lab and the math page
    Param("lab_model", str, "net", "radio", "Model", tuple(MODEL_LABELS), show=MODEL_LABELS.__getitem__,
          sidebar=False),
    Param("lab_lrs", float, LAB_DEFAULT_LRS, "multiselect", "Learning rates", LR_OPTIONS, sidebar=False,
          max_items=8),
    Param("lab_opts", str, ("sgd",), "multiselect", "Optimizers", tuple(OPTIMIZER_LABELS),
          show=OPTIMIZER_LABELS.__getitem__, hide="advanced", sidebar=False,
          help="Each learning rate is run once per optimizer, all from the same starting weights on the same data: "
          "one colour per α, one dash per optimizer. Momentum and Adam take β (and β₂) from the boxes beside."),
    Param("math_model", str, "net", "radio", "Model", tuple(MODEL_LABELS), show=MODEL_LABELS.__getitem__,
          sidebar=False),
)
PARAMS_BY_KEY = {p.key: p for p in PARAMS}
SIDEBAR_KEYS = tuple(p.key for p in PARAMS if p.sidebar)


@dataclass(frozen=True)
class Settings:
    """Every setting, typed (one attribute per row of PARAMS, in the same order). Build it with from_values."""

    data: str
    n: int
    noise: float
    seed: int
    test: float
    feats: tuple[str, ...]
    classes: str
    plot_x: str
    plot_y: str
    lr: float
    iters: int
    hidden: int
    layers: str
    act: str
    wseed: int
    edits: str
    batch: str
    l2: float
    l1: float
    opt: str
    beta: float
    beta2: float
    speed: str
    logy: bool
    showtest: bool
    discrete: bool
    diagram: bool
    lab_model: str
    lab_lrs: tuple[float, ...]
    lab_opts: tuple[str, ...]
    math_model: str

    @classmethod
    def from_values(cls, values: Mapping[str, Any] | None = None) -> Settings:
        """Typed settings from raw values (widgets, a URL, a preset); a key not in `values` takes its default."""
        values = values or {}
        return cls(**{p.key: p.coerce(values[p.key]) if p.key in values else p.default for p in PARAMS})

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed (e.g. those a page's toolbar draws), typed like the rest."""
        return dataclasses.replace(self, **{k: PARAMS_BY_KEY[k].coerce(v) for k, v in changes.items()})

    @property
    def synthetic(self) -> bool:
        return self.data in SYNTHETIC

    @property
    def batch_size(self) -> int | None:
        return batch_size(self.batch)

    @property
    def hidden_layers(self) -> tuple[int, ...]:
        """The network's shape: `layers` (a valid one: the widget may hold anything), else one layer of `hidden`."""
        tidy = parse_layers(self.layers)
        return tuple(int(w) for w in tidy.split(",")) if tidy else (self.hidden,)

    def model_hyper(self) -> dict[str, Any]:
        """Keyword arguments for scratchnet.make_model (each model kind takes the ones it has). The weights'
        seed is the data seed while wseed = 0 ("New weights" keeps the points, draws a fresh start)."""
        hyper = {p.hyper: getattr(self, p.key) for p in PARAMS if p.hyper}
        return hyper | {"hidden_layers": self.hidden_layers, "seed": self.seed + WEIGHT_SEEDS * self.wseed}

    def optimizer(self) -> Optimizer:
        return make_optimizer(self.opt, self.beta, self.beta2)

    def optimizer_key(self) -> tuple[Any, ...]:
        """The optimizer and the settings it uses (β only matters to momentum and Adam, β₂ to Adam)."""
        return {"sgd": ("sgd",), "momentum": ("momentum", self.beta)}.get(self.opt, (self.opt, self.beta, self.beta2))

    def architecture(self, kind: str) -> tuple[Any, ...]:
        """What makes a model of `kind` and its training: when it changes, training starts over (α and λ may
        change mid-run). Net: (shape, activation, λ₁, weights seed, optimizer); logistic: the last two."""
        if kind == "net":
            return (self.hidden_layers, self.act, self.l1, self.wseed, self.optimizer_key())
        return (self.wseed, self.optimizer_key())

    def share_query(self, keys: Iterable[str], hidden: Iterable[str] = ()) -> dict[str, str | list[str]]:
        """The URL query that reproduces these settings: each of `keys` that differs from its default."""
        return share_query({key: getattr(self, key) for key in keys}, hidden)


DEFAULT_SETTINGS = Settings.from_values()
DEFAULTS: dict[str, Any] = {p.key: p.default for p in PARAMS}


def encode_query(values: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """Settings spelled for a URL, each as its widget shows it."""
    return {key: PARAMS_BY_KEY[key].encode(value) for key, value in values.items()}


def share_query(values: Mapping[str, Any], hidden: Iterable[str] = ()) -> dict[str, str | list[str]]:
    """The URL query that reproduces `values`: every setting that differs from its default, spelled as shown,
    and the hidden control groups (presentation mode)."""
    changed = {k: v for k, v in values.items() if PARAMS_BY_KEY[k].coerce(v) != PARAMS_BY_KEY[k].default}
    return encode_query(changed) | hide_query(hidden)


def hide_query(hidden: Iterable[str]) -> dict[str, str]:
    """Presentation mode in a URL: {"hide": "data,model"}, or nothing when no group is hidden."""
    groups = sorted(set(hidden))
    return {HIDE: ",".join(groups)} if groups else {}


def parse_hidden(values: list[str]) -> set[str]:
    """?hide=data,model or ?hide=data&hide=model → {"data", "model"}; unknown names are ignored."""
    out: set[str] = set()
    for value in values:
        out.update(part.strip() for part in value.split(",") if part.strip() in HIDEABLE)
    return out


def batch_size(choice: str) -> int | None:
    return None if choice == "full" else int(choice)


def iterations_per_second(speed: str) -> float | None:
    """Playback rate at a speed setting; None ('max') means as many as a redraw's time budget allows."""
    if speed == "max":
        return None
    return BASE_ITERATIONS_PER_SECOND * float(speed.rstrip("×"))

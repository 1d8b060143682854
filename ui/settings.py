"""What the controls offer, their defaults and the lesson presets — plain data, no Streamlit.

The keys here are also the URL query-parameter names (widgets are bound to the URL), so a link
such as `/Neural_network?data=xor&hidden=4` opens exactly that setup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from scratchnet.data import SAMPLES as SAMPLE_SPECS
from scratchnet.data import SYNTHETIC_KINDS
from scratchnet.features import EXTRA_FEATURES

# --- data -------------------------------------------------------------------------------------------
SYNTHETIC = SYNTHETIC_KINDS
SAMPLES = tuple(SAMPLE_SPECS)
UPLOADED = "uploaded"
DATA_LABELS = {
    "blobs": "Two blobs (linearly separable)",
    "moons": "Two moons",
    "circles": "Circle inside a ring",
    "xor": "XOR (four quadrants)",
    "spiral": "Two spirals",
    **{key: f"{spec.title} (real data)" for key, spec in SAMPLE_SPECS.items()},
    UPLOADED: "Your uploaded CSV",
}
N_OPTIONS = (20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)

# --- training ---------------------------------------------------------------------------------------
LR_OPTIONS = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
ITERATION_OPTIONS = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
ACTIVATIONS = ("relu", "tanh", "sigmoid")
BATCH_OPTIONS = ("full", "1", "10", "32", "100")
L2_OPTIONS = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
# iterations per second of playback; "max" trains as much as fits in one redraw's time budget
SPEED_OPTIONS = ("0.1×", "0.25×", "0.5×", "1×", "2×", "4×", "max")
BASE_ITERATIONS_PER_SECOND = 250.0
TICK_SECONDS = 0.15  # a redraw every 150 ms: about 6 visible updates a second
STEP_ITERATIONS = 10
LAB_DEFAULT_LRS = (0.001, 0.01, 0.1, 1.0, 10.0)

DEFAULTS: dict[str, object] = {
    "data": "moons",
    "n": 200,
    "noise": 0.15,
    "seed": 0,
    "test": 0.25,
    "feats": [],
    "lr": 0.1,
    "iters": 1000,
    "hidden": 8,
    "act": "relu",
    "batch": "full",
    "l2": 0.0,
    "speed": "1×",
    "logy": False,
    "lab_model": "Neural network",
    "lab_lrs": list(LAB_DEFAULT_LRS),
    "math_model": "Neural network",
}
MODEL_CHOICES = {"Logistic regression": "logistic", "Neural network": "net"}

# Control groups a teacher can hide with ?hide=data,model,... (presentation mode)
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


def iterations_per_second(speed: str) -> float | None:
    """Playback rate at a speed setting; None ('max') means as many as a redraw's time budget allows."""
    if speed == "max":
        return None
    return BASE_ITERATIONS_PER_SECOND * float(speed.rstrip("×"))


def iterations_per_tick(speed: str) -> int | None:
    """Updates one redraw covers when redraws come on time (every TICK_SECONDS)."""
    rate = iterations_per_second(speed)
    return None if rate is None else max(1, round(rate * TICK_SECONDS))


def batch_size(choice: str) -> int | None:
    return None if choice == "full" else int(choice)


def parse_hidden(values: list[str]) -> set[str]:
    """?hide=data,model or ?hide=data&hide=model → {"data", "model"}; unknown names are ignored."""
    out: set[str] = set()
    for value in values:
        out.update(part.strip() for part in value.split(",") if part.strip() in HIDEABLE)
    return out


# --- pages and lesson presets -----------------------------------------------------------------------
PAGES = {
    "home": ("app.py", "Home", "🏠"),
    "logistic": ("pages/1_Logistic_regression.py", "Logistic regression", "📈"),
    "net": ("pages/2_Neural_network.py", "Neural network", "🧠"),
    "lab": ("pages/3_Learning_rate_lab.py", "Learning-rate lab", "🧪"),
    "upload": ("pages/4_Your_data.py", "Your data (CSV)", "📄"),
    "math": ("pages/5_The_math.py", "The math", "🧮"),
}


def page_url_path(page: str) -> str:
    """The URL path Streamlit gives a page file: pages/2_Neural_network.py → 'Neural_network'."""
    script = PAGES[page][0]
    if page == "home":
        return ""
    stem = script.rsplit("/", 1)[-1].removesuffix(".py")
    return stem.split("_", 1)[1]


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    page: str
    params: dict[str, object]
    look_for: str  # two sentences: what to watch
    hide: tuple[str, ...] = field(default=())

    def query(self) -> dict[str, str | list[str]]:
        q: dict[str, str | list[str]] = {}
        for k, v in self.params.items():
            if k == "feats":  # the control shows (and the URL spells) features by their labels
                q[k] = [EXTRA_FEATURES[x] for x in v]
            else:
                q[k] = fmt(v)
        if self.hide:
            q["hide"] = ",".join(self.hide)
        q["lesson"] = self.key
        return q

    def url(self) -> str:
        return f"/{page_url_path(self.page)}?{urlencode(self.query(), doseq=True)}"


PRESETS: tuple[Preset, ...] = (
    Preset(
        "lr_too_large", "A learning rate too large", "net",
        {"data": "moons", "lr": 10.0, "iters": 1000, "hidden": 64},
        "Press Play and watch the loss jump up instead of down until the run blows up. "
        "Each step overshoots the valley, lands where the slope is steeper, and the next step overshoots further.",
    ),
    Preset(
        "lr_too_small", "A learning rate too small", "logistic",
        {"data": "blobs", "lr": 0.001, "iters": 1000},
        "The loss creeps from 0.69 to about 0.42 in 1,000 iterations, where α = 0.1 gets close to zero. "
        "The direction is right but the steps are tiny: raise α and press Reset to compare.",
    ),
    Preset(
        "lr_cant_xor", "Logistic regression can't do XOR", "logistic",
        {"data": "xor", "lr": 0.3, "iters": 500},
        "A single straight line cannot separate the four quadrants, so accuracy stays near 50%. "
        "The gradients shrink to almost nothing: the model is at its best and it is still wrong.",
    ),
    Preset(
        "net_xor", "Hidden units make XOR possible", "net",
        {"data": "xor", "lr": 0.3, "iters": 1000, "hidden": 4},
        "With four ReLU units the network bends its boundary around the quadrants. "
        "Open 'What each hidden unit learned' to see the pieces it adds up.",
    ),
    Preset(
        "crosses_circles", "Feature crosses solve circles", "logistic",
        {"data": "circles", "lr": 0.3, "iters": 500, "feats": ["x1sq", "x2sq"]},
        "With x1² and x2² as extra inputs, logistic regression draws a circle. "
        "The model is still linear — in the new features; switch them off to see it fail again.",
    ),
    Preset(
        "vanishing_sigmoid", "Vanishing gradients with sigmoid units", "net",
        {"data": "circles", "lr": 0.3, "iters": 2000, "hidden": 16, "act": "sigmoid"},
        "In the gradient panel ‖dW1‖ starts about fifty times below ‖dw2‖: every step back through a sigmoid "
        "multiplies by at most ¼, so the first layer starts learning last. Switch Activation to ReLU: its first-layer "
        "gradient starts over twenty times larger and the final loss is ten times lower.",
    ),
    Preset(
        "overfitting", "Overfitting with noise and few points", "net",
        {"data": "moons", "n": 50, "noise": 0.5, "lr": 0.3, "iters": 5000, "hidden": 64},
        "The training loss keeps falling while the test loss turns and rises. "
        "The boundary wraps around single noisy points: it memorises instead of generalising.",
    ),
)
PRESETS_BY_KEY = {p.key: p for p in PRESETS}


def share_query(values: dict[str, object], hidden: set[str] | frozenset[str] = frozenset()) -> dict[str, object]:
    """The URL query that reproduces `values`: every setting that differs from its default, spelled as shown."""
    query: dict[str, object] = {}
    for key, default in DEFAULTS.items():
        if key not in values or values[key] == default:
            continue
        value = values[key]
        if key == "feats":
            query[key] = [EXTRA_FEATURES[v] for v in value]
        elif isinstance(value, list | tuple):
            query[key] = [fmt(v) for v in value]
        else:
            query[key] = fmt(value)
    if hidden:
        query["hide"] = ",".join(sorted(hidden))
    return query

"""The lesson presets: a page set up for one idea, and what to look for there. Links are spelled by ui/params."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from ui.params import encode_query, hide_query
from ui.site import PAGES

LESSON = "lesson"  # the URL query name that says which lesson a link opened


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    page: str
    params: dict[str, object]
    look_for: str  # two sentences: what to watch
    hide: tuple[str, ...] = field(default=())

    def query(self) -> dict[str, str | list[str]]:
        """Every setting the lesson sets, spelled as its control shows it, then hidden groups and the lesson."""
        return encode_query(self.params) | hide_query(self.hide) | {LESSON: self.key}

    def url(self) -> str:
        return f"/{PAGES[self.page].url_path}?{urlencode(self.query(), doseq=True)}"


PRESETS: tuple[Preset, ...] = (
    Preset(
        "lr_too_large", "A learning rate too large", "net",
        {"data": "moons", "lr": 10.0, "iters": 1000, "hidden": 64, "speed": "0.1×"},
        "Press Step (or Play, slowed to 0.1×): within the first dozen iterations the loss jumps up instead of "
        "down, because a step overshoots the valley and lands high up the far side. Here the net recovers, but "
        "some ReLU units die on the way (the status line counts them); a true blow-up is rare in this app.",
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


def lesson_for(key: str, page: str) -> Preset | None:
    """The lesson a link named (?lesson=key), if it belongs to this page."""
    lesson = PRESETS_BY_KEY.get(key)
    return lesson if lesson is not None and lesson.page == page else None

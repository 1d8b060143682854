"""The lesson presets: a page set up for one idea, and what to look for there. Links are spelled by params.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from scratchnet.ui.params import encode_query, hide_query
from scratchnet.ui.site import PAGES

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
        {"data": "moons", "lr": 10.0, "iters": 50, "hidden": 64, "speed": "0.1×"},
        "Press Play (slowed to 0.1×): the loss goes up at the very first step and climbs to at least five times "
        "its start within ten iterations (0.74 → 728 at seed 0), then falls back within a few more. Each step "
        "lands past the valley's floor, high up the far wall; every number stays finite, so this is an "
        "overshoot, not a blow-up. On the way ReLU units die for good, outputting 0 on every training point "
        "(46 of the 64 at seed 0, between 6 and 60 for seeds 0–9). Raise Iterations to 1,000 and Resume: the "
        "loss still ends below 0.25.",
    ),
    Preset(
        "lr_too_small", "A learning rate too small", "logistic",
        {"data": "blobs", "lr": 0.001, "iters": 1000},
        "In 1,000 iterations the loss falls by only about 40 % (0.69 → 0.42 at seed 0), where α = 0.1 gets "
        "below 0.02. The direction is right but the steps are tiny: raise α and press Reset to compare.",
    ),
    Preset(
        "lr_zigzag", "Too large for logistic regression: a zig-zag, not a blow-up", "logistic",
        {"data": "circles", "lr": 10.0, "iters": 200, "speed": "0.25×"},
        "At α = 10 every step reverses the one before: gradient descent jumps back and forth across the "
        "valley, and the loss ends above where it started instead of settling. It cannot blow up, because "
        "|ŷ − y| ≤ 1 limits every step. Pause and look at why α overshoots: each step lands past the valley's "
        "floor, on its far side, and the path on the loss surface bounces back and forth. Set α = 1 and press "
        "Reset: it settles lower.",
    ),
    Preset(
        "penalty_blowup", "A true blow-up: the penalty overshoots", "logistic",
        {"data": "moons", "lr": 10.0, "iters": 1000, "l2": 0.3},
        "With λ = 0.3 and α = 10, λ·α = 3 > 2: the penalty's part of each step multiplies the weights by "
        "1 − λα = −2, so they flip sign and grow every step. The objective (loss + penalty) rises at every "
        "step, the loss passes 1,000 within ten iterations, and near iteration 510 a number overflows: the run "
        "diverges. Set λ to 0.1 (λ·α = 1) and press Reset: the weights stay bounded.",
    ),
    Preset(
        "lr_cant_xor", "Logistic regression can't do XOR", "logistic",
        {"data": "xor", "lr": 0.3, "iters": 500},
        "A single straight line cannot separate the four quadrants, so accuracy stays near a coin toss "
        "(never above 65 %, training or test, at any iteration). The gradients shrink to almost nothing: the "
        "model is at its best and it is still wrong.",
    ),
    Preset(
        "net_xor", "Hidden units make XOR possible", "net",
        {"data": "xor", "lr": 0.3, "iters": 1000, "hidden": 6},
        "With six ReLU units the network bends its boundary around the quadrants: test accuracy ends above 95 %. "
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
        "Every step back through a sigmoid multiplies the gradient by σ' ≤ ¼, so little reaches the first layer: "
        "for 200 iterations the loss stays above 0.55, near a coin toss's 0.69. Note ‖dW1‖ in the gradient "
        "panel, then switch Activation to ReLU and press Reset: its first-layer gradient ‖dW1‖ starts 4 to 26 "
        "times larger (26× at seed 0), and by iteration 200 its loss is below 0.1.",
    ),
    Preset(
        "three_classes_straight", "Logistic regression draws straight borders between three classes", "logistic",
        {"data": "blobs3", "lr": 0.1, "iters": 1000},
        "With three classes the model gives each class a score z_k = W_k·x + b_k, and a softmax turns the scores "
        "into probabilities: each region is the class with the largest. Two classes meet where their scores are "
        "equal, a straight line, and the three borders meet in one point. Test accuracy ends at 98 % or more. "
        "Now switch the data to Three spiral arms: straight borders cut across the arms, and accuracy never "
        "reaches 55 % (training or test, at any iteration), not far above the 33 % of a guess.",
    ),
    Preset(
        "net_spiral3", "A network bends the borders around the spiral's arms", "net",
        {"data": "spiral3", "lr": 1.0, "iters": 2000, "hidden": 32},
        "With 32 ReLU units the borders curve around the three arms: training accuracy reaches 100 % and test "
        "accuracy ends at 96 % or more, where logistic regression ends below 45 %. Open 'What each hidden unit "
        "learned': each unit is one straight fold, and the softmax's W2 weighs the folds into three curved "
        "regions.",
    ),
    Preset(
        "linear_deep", "A linear network draws a straight line, however deep", "net",
        {"data": "moons", "layers": "8,8,8", "act": "linear", "lr": 0.1, "iters": 1000},
        "Three layers of eight linear units multiply out to one linear map of x1 and x2, so the boundary stays a "
        "straight line: after 1,000 steps training accuracy is within one point of logistic regression's (83 % "
        "to 91 % at seeds 0–9). Switch Activation to ReLU and press Reset: the same three layers bend the "
        "boundary around the moons and reach 100 % training accuracy.",
    ),
    Preset(
        "l1_zeroes", "L1 sets weights to exactly 0; L2 only shrinks them", "net",
        {"data": "moons", "layers": "8,8", "l1": 0.01, "lr": 0.3, "iters": 1000},
        "Play to the end: with λ₁ = 0.01 most of the network's 88 weights end at exactly 0 (between 55 and 71 at "
        "seeds 0–9; the math page counts them for your run), and training accuracy still ends at 90 % or more. "
        "Set L1 back to 0 and L2 to 0.01, then Play again: the weights shrink, but not one reaches 0.",
    ),
    Preset(
        "fresh_starts", "Five fresh starts on the same points", "net",
        {"data": "moons", "hidden": 8, "lr": 0.1, "iters": 1000},
        "Play to the end, then press New weights and Play again, five runs in all: the points stay, only the "
        "starting weights change, and the five runs end at different training losses. At seeds 0–9 the "
        "highest of the five ends 1.4 to 4.1 times the lowest (0.088 to 0.238 at seed 0).",
    ),
    Preset(
        "momentum_catches_up", "Momentum gets there sooner, and does not glide", "lab",
        {"data": "moons", "lab_model": "logistic", "lab_lrs": [0.3, 3.0], "lab_opts": ["sgd", "momentum"],
         "beta": 0.9, "iters": 1000},
        "Logistic regression from one start: solid curves are gradient descent, dashed ones momentum (β = 0.9). "
        "At α = 0.3 momentum reaches the loss gradient descent ends at after 1,000 steps within 250 steps "
        "(between 119 and 221 at seeds 0–9), and both end at the same loss. At α = 3 gradient descent glides "
        "down (just right: its loss never rises by more than 0.0001), while momentum's loss rises by at least a "
        "fifth within 15 steps, then falls back.",
    ),
    Preset(
        "overfitting", "Overfitting with noise and few points", "net",
        {"data": "moons", "n": 50, "noise": 0.6, "test": 0.5, "lr": 1.0, "iters": 5000, "hidden": 64},
        "The training loss falls almost to 0 (below 0.01) while the test loss reaches its lowest early, "
        "within 700 iterations, then turns and ends at least twice as high. The boundary wraps around single "
        "noisy points: it memorises its few training points instead of generalising.",
    ),
)
PRESETS_BY_KEY = {p.key: p for p in PRESETS}


def lesson_for(key: str, page: str) -> Preset | None:
    """The lesson a link named (?lesson=key), if it belongs to this page."""
    lesson = PRESETS_BY_KEY.get(key)
    return lesson if lesson is not None and lesson.page == page else None

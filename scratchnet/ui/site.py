"""The app's pages, as data: script, navigation, heading, which model each trains and which controls it shows."""

from __future__ import annotations

from dataclasses import dataclass

from scratchnet.ui.params import Settings


@dataclass(frozen=True)
class Page:
    key: str
    script: str
    label: str  # in the navigation
    icon: str
    heading: str  # the page's title
    intro: str = ""  # one line under the title
    intro_k: str = ""  # the same for K ≥ 3 classes (a softmax output), where it differs
    intro_deep: str = ""  # the same for a network of two hidden layers or more (K classes: P − Y for ŷ − y)
    kind: str | None = None  # the model kind the page trains live: "logistic" or "net"
    kind_setting: str | None = None  # or the setting whose Model choice picks it (lab, math page)
    sidebar: frozenset[str] = frozenset()  # model sections the sidebar shows here: "network", "optimiser"
    settings: tuple[str, ...] = ()  # what the page's own widgets set (its share link has these and the sidebar's)
    projector: bool = False  # made for the projector: opens with the sidebar closed

    def model_kind(self, settings: Settings) -> str | None:
        """The model kind this page works with under `settings`, or None for a page without a model."""
        return self.kind or (getattr(settings, self.kind_setting) if self.kind_setting else None)

    @property
    def url_path(self) -> str:
        """The URL path Streamlit gives the page's file: pages/2_Neural_network.py → 'Neural_network'."""
        if "/" not in self.script:  # the entry point
            return ""
        return self.script.rsplit("/", 1)[-1].removesuffix(".py").split("_", 1)[1]


RUN_SETTINGS = ("lr", "iters", "speed", "logy", "showtest", "discrete")
PAGES: dict[str, Page] = {p.key: p for p in (
    Page("home", "app.py", "Home", "🏠", "scratchnet — watch a model learn"),
    Page("logistic", "pages/1_Logistic_regression.py", "Logistic regression", "📈", "Logistic regression",
         "z = w·x + b,  ŷ = σ(z).  Each step: w ← w − α·Xᵀ(ŷ − y)/m,  b ← b − α·mean(ŷ − y).",
         "z = W·x + b (one score per class),  ŷ = softmax(z).  Each step: W ← W − α·(P − Y)ᵀX/m,  "
         "b ← b − α·mean(P − Y), Y one-hot.",
         kind="logistic", sidebar=frozenset({"optimiser"}), settings=RUN_SETTINGS),
    Page("net", "pages/2_Neural_network.py", "Neural network", "🧠", "Neural network",
         "a1 = W1·x + b1,  h1 = g(a1),  z = w2·h1 + b2,  ŷ = σ(z).  Backprop: dL/dz = ŷ − y → dw2, db2 → "
         "dL/dh1 = (ŷ − y)·w2 → ⊙ g'(a1) → dW1, db1.",
         "a1 = W1·x + b1,  h1 = g(a1),  z = W2·h1 + b2 (one score per class),  ŷ = softmax(z).  Backprop: "
         "dL/dz = ŷ − onehot(y) → dW2, db2 → dL/dh1 = W2ᵀ·dL/dz → ⊙ g'(a1) → dW1, db1.",
         "a_l = W_l·h_(l−1) + b_l,  h_l = g(a_l) for each hidden layer l = 1 … L (h_0 = x),  z = w_(L+1)·h_L + "
         "b_(L+1).  Backprop, one recursion: δ_(L+1) = ŷ − y,  δ_l = (δ_(l+1)·W_(l+1)) ⊙ g'(a_l),  "
         "dW_l = δ_lᵀ·h_(l−1)/m,  db_l = mean(δ_l).",
         kind="net", sidebar=frozenset({"network", "optimiser"}), settings=RUN_SETTINGS),
    Page("lab", "pages/3_Learning_rate_lab.py", "Learning-rate lab", "🧪", "Learning-rate lab",
         "Same data, same starting weights, several learning rates side by side.",
         kind_setting="lab_model", sidebar=frozenset({"network", "optimiser"}),
         settings=("lab_model", "lab_lrs", "lab_opts", "iters")),
    Page("upload", "pages/4_Your_data.py", "Your data (CSV)", "📄", "Your data",
         "Upload a CSV with numeric feature columns and a label column: two classes, up to six (one colour "
         "each), or one class against the rest. It stays in your browser session only — nobody else sees it."),
    Page("math", "pages/5_The_math.py", "The math", "🧮", "The math",
         "Everything the app computes, derived by hand — and checked live against the model on the other pages.",
         kind_setting="math_model", settings=("math_model",)),
    Page("class", "pages/6_Class.py", "Class", "🎓", "Class",
         "One experiment for the whole room: students join with the code, the teacher sends everyone a setup, "
         "every run's result goes to the board.", sidebar=frozenset({"network", "optimiser"})),
    Page("board", "pages/7_Board.py", "Board", "📊", "Class board", projector=True),
)}
LIVE_PAGES = tuple(key for key, p in PAGES.items() if p.kind is not None)  # pages with a live training run


def live_page_for(kind: str) -> str:
    """The page that trains a model of `kind` live."""
    return next(key for key in LIVE_PAGES if PAGES[key].kind == kind)

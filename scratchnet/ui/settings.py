"""The old home of the settings, lessons and page list: re-exports only, so existing imports keep working.

New code imports from ui.params (the settings table, Settings), ui.lessons (the presets) and ui.site (the pages).
"""

from __future__ import annotations

from scratchnet.ui.lessons import PRESETS, PRESETS_BY_KEY, Preset
from scratchnet.ui.params import (
    ACTIVATIONS,
    BASE_ITERATIONS_PER_SECOND,
    BATCH_OPTIONS,
    DATA_LABELS,
    DEFAULTS,
    HIDEABLE,
    ITERATION_OPTIONS,
    L2_OPTIONS,
    LAB_DEFAULT_LRS,
    LR_OPTIONS,
    MODEL_LABELS,
    N_OPTIONS,
    SAMPLES,
    SPEED_OPTIONS,
    STEP_ITERATIONS,
    SYNTHETIC,
    TICK_SECONDS,
    UPLOADED,
    batch_size,
    fmt,
    iterations_per_second,
    iterations_per_tick,
    parse_hidden,
    share_query,
)
from scratchnet.ui.site import PAGES as SITE_PAGES

MODEL_CHOICES = {label: kind for kind, label in MODEL_LABELS.items()}  # "Neural network" → "net"
PAGES = {key: (p.script, p.label, p.icon) for key, p in SITE_PAGES.items()}  # key → (script, label, icon)


def page_url_path(page: str) -> str:
    """The URL path Streamlit gives a page file: pages/2_Neural_network.py → 'Neural_network'."""
    return SITE_PAGES[page].url_path


__all__ = [
    "ACTIVATIONS", "BASE_ITERATIONS_PER_SECOND", "BATCH_OPTIONS", "DATA_LABELS", "DEFAULTS", "HIDEABLE",
    "ITERATION_OPTIONS", "L2_OPTIONS", "LAB_DEFAULT_LRS", "LR_OPTIONS", "MODEL_CHOICES", "N_OPTIONS", "PAGES",
    "PRESETS", "PRESETS_BY_KEY", "Preset", "SAMPLES", "SPEED_OPTIONS", "STEP_ITERATIONS", "SYNTHETIC",
    "TICK_SECONDS", "UPLOADED", "batch_size", "fmt", "iterations_per_second", "iterations_per_tick",
    "page_url_path", "parse_hidden", "share_query",
]

"""Plotly figure builders for scratchnet: core results in, compact go.Figure out (no Streamlit here).

    import figures
    figures.boundary_figure(ds, grid, proba, title="Decision boundary")
"""

from .curves import gradient_figure, loss_figure, lr_colors, lr_lab_loss_figure
from .plane import boundary_figure, data_figure, hidden_units_figure, lr_lab_boundaries_figure, point_traces
from .style import BOUNDARY_SCALE, CLASS_COLORS, CLASS_SYMBOLS, decimate, verdict_label

__all__ = [
    "BOUNDARY_SCALE",
    "CLASS_COLORS",
    "CLASS_SYMBOLS",
    "boundary_figure",
    "data_figure",
    "decimate",
    "gradient_figure",
    "hidden_units_figure",
    "loss_figure",
    "lr_colors",
    "lr_lab_boundaries_figure",
    "lr_lab_loss_figure",
    "point_traces",
    "verdict_label",
]

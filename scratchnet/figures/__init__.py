"""Plotly figure builders for scratchnet: core results in, compact go.Figure out (no Streamlit here).

Usage: ``figures.boundary_figure(ds, grid, proba, title="Decision boundary")`` returns a go.Figure.
Pass the Figure itself to st.plotly_chart (not fig.to_dict(): a dict is re-validated by Streamlit).
"""

from .curves import lab_loss_figure, loss_figure, lr_lab_loss_figure
from .gradients import gradient_figure
from .landscape import SCAN_TITLE, line_scan_figure, loss_surface_figure
from .panels import hidden_units_figure
from .plane import (
    axis_titles,
    boundary_figure,
    data_figure,
    lr_lab_boundaries_figure,
    point_traces,
    regions_figure,
    slice_note,
)
from .style import (
    BOUNDARY_SCALE,
    BOUNDARY_TINT,
    CLASS_COLORS,
    CLASS_LIMIT,
    CLASS_SYMBOLS,
    HOVER_LIMIT,
    LAYER_COLORS,
    LR_COLORS,
    TEST_LOSS_COLOR,
    TRAIN_LOSS_COLOR,
    decimate,
    layer_color,
    lr_colors,
    region_scale,
    short_labels,
    tint,
    verdict_label,
)
from .types import (
    DatasetLike,
    HistoryLike,
    LineScanLike,
    LossSurfaceLike,
    ParamInfoLike,
    PlaneGridLike,
    RegionsLike,
    SliceFadeLike,
)

__all__ = [
    "BOUNDARY_SCALE",
    "BOUNDARY_TINT",
    "CLASS_COLORS",
    "LAYER_COLORS",
    "layer_color",
    "TEST_LOSS_COLOR",
    "TRAIN_LOSS_COLOR",
    "CLASS_LIMIT",
    "CLASS_SYMBOLS",
    "HOVER_LIMIT",
    "LR_COLORS",
    "DatasetLike",
    "HistoryLike",
    "LineScanLike",
    "LossSurfaceLike",
    "ParamInfoLike",
    "PlaneGridLike",
    "RegionsLike",
    "SliceFadeLike",
    "axis_titles",
    "boundary_figure",
    "data_figure",
    "decimate",
    "gradient_figure",
    "hidden_units_figure",
    "SCAN_TITLE",
    "line_scan_figure",
    "loss_figure",
    "loss_surface_figure",
    "lr_colors",
    "lr_lab_boundaries_figure",
    "lab_loss_figure",
    "lr_lab_loss_figure",
    "point_traces",
    "region_scale",
    "regions_figure",
    "short_labels",
    "slice_note",
    "tint",
    "verdict_label",
]

"""What the figures share: colours, dash styles, norm names, slider layout, log axes, and how a radius that
certifies nothing is drawn."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rslib.certificates import NOT_CERTIFIED

__all__ = ["COLORS", "DASHES", "NORM_NAMES", "slider", "legend_below", "drawn", "log_axis"]

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
NORM_NAMES = {"l2": "ℓ₂", "l1": "ℓ₁", "l0": "ℓ₀"}
"""A norm as the book writes it, by the code `rslib.certificates` and `rslib.smoothing` give it ("l2" -> "ℓ₂")."""


def slider(steps: list[dict], prefix: str, active: int = 0) -> dict:
    """A plotly slider over precomputed `steps` (it works in the static HTML: no kernel needed).

    Placed under the x axis; `legend_below` moves it above the plot, under the title, where a legend takes
    the space below.

    Parameters
    ----------
    steps : list of dict
        plotly slider steps (``{"method": ..., "label": ..., "args": [...]}``).
    prefix : str
        Shown before the current step's label.
    active : int, default 0
        The step shown first.

    Returns
    -------
    dict
        For ``fig.update_layout(sliders=[...])``.
    """
    return {"active": active, "currentvalue": {"prefix": prefix}, "pad": {"t": 40}, "steps": steps}


def legend_below(entries: int, *, sliders: list[dict] | None = None) -> dict:
    """Layout for a horizontal legend under the x axis title, and the height it needs.

    Beside the plot, a legend of long names leaves the plot under half the width of a desktop page and a
    sliver of a phone's. Below it, the entries wrap into rows and plotly widens the bottom margin to fit them
    (margin.autoexpand). The right margin, which only a legend beside the plot needs, shrinks, and the figure
    grows by a row per entry, as many rows as a phone needs, so that the plot keeps its height.

    Parameters
    ----------
    entries : int
        Legend entries.
    sliders : list of dict, optional
        The figure's sliders (`slider`): they move above the plot, under the title, leaving the space below
        to the legend, and the top margin grows to hold them.

    Returns
    -------
    dict
        For ``fig.update_layout(**...)`` (with ``sliders`` when given).
    """
    layout = {
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.15, "yanchor": "top"},
        "height": 450 + 22 * entries,
        "margin": {"l": 60, "r": 20, "b": 60},
    }
    if sliders:
        above = {"y": 1.0, "yanchor": "bottom", "pad": {"t": 0, "b": 30}}
        layout["sliders"] = [{**one, **above} for one in sliders]
        layout["height"] += 100
        layout["margin"]["t"] = 150
        layout["title"] = {"y": 0.98, "yref": "container", "yanchor": "top"}
    return layout


def log_axis(title: str) -> dict:
    """A logarithmic axis labelled at the powers of ten only.

    Over a few decades plotly's default also labels 2 and 5 between the powers, in a smaller font, which reads
    as a bare "2 5" beside the main labels.

    Parameters
    ----------
    title : str
        The axis title.

    Returns
    -------
    dict
        For ``fig.update_layout(xaxis=...)`` or ``yaxis=...``.
    """
    return {"title": title, "type": "log", "dtick": 1}


def drawn(radius: ArrayLike) -> np.ndarray:
    """Radii for a curve: ``NOT_CERTIFIED`` becomes NaN, which plotly leaves blank (nothing is certified there).

    Parameters
    ----------
    radius : float or array_like
        Radii from `rslib.certificates`.

    Returns
    -------
    numpy.ndarray
        Of dtype float64.
    """
    radius = np.asarray(radius, dtype=float)
    return np.where(radius == NOT_CERTIFIED, np.nan, radius)

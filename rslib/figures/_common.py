"""What the figures share: colours, dash styles, norm names, slider layout, log axes, and how a radius that
certifies nothing is drawn."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rslib.certificates import NOT_CERTIFIED

__all__ = ["COLORS", "DASHES", "NORM_NAMES", "slider", "drawn", "log_axis"]

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
NORM_NAMES = {"l2": "ℓ₂", "l1": "ℓ₁", "l0": "ℓ₀"}
"""A norm as the book writes it, by the code `rslib.certificates` and `rslib.smoothing` give it ("l2" -> "ℓ₂")."""


def slider(steps: list[dict], prefix: str, active: int = 0) -> dict:
    """A plotly slider over precomputed `steps` (it works in the static HTML: no kernel needed).

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

"""Certified-accuracy curves: one figure for several models or certificates, or several studies in one."""

from __future__ import annotations

import plotly.graph_objects as go
from numpy.typing import ArrayLike

from rslib.figures._common import COLORS, DASHES, legend_below

__all__ = ["LEGEND_BESIDE_MAX", "certified_accuracy", "certified_accuracy_studies", "certified_accuracy_beside"]

LEGEND_BESIDE_MAX = 4
"""The most curves whose legend `certified_accuracy` puts beside the plot; with more it goes below, in rows."""


def certified_accuracy(
    curves: dict[str, tuple[ArrayLike, ArrayLike]],
    x_title: str = "radius",
    title: str = "Certified accuracy",
    variant_sep: str | None = None,
) -> go.Figure:
    """Certified accuracy against radius, one step curve per model or certificate.

    Parameters
    ----------
    curves : dict
        Legend name -> (radius grid, certified accuracy at each radius).
    x_title : str, default "radius"
        Title of the x axis (e.g. "ℓ₂ radius", "pixels changed").
    title : str, default "Certified accuracy"
        The figure's title.
    variant_sep : str, optional
        Without it every curve has its own colour (cycling through `COLORS`). With it, each name is split at
        its last variant_sep into a model and a variant (e.g. "STN, σ = 0.5" and "Rényi" for ", "): curves of
        one model share a colour, curves of one variant a dash style.

    Returns
    -------
    plotly.graph_objects.Figure
        With more than `LEGEND_BESIDE_MAX` curves the legend lies below the plot, in rows, and the figure is
        taller.

    Raises
    ------
    ValueError
        If variant_sep is given and a curve name lacks it.
    """
    names = list(curves)
    if variant_sep is None:
        styles = [{"color": COLORS[i % len(COLORS)]} for i in range(len(names))]
    else:
        if any(variant_sep not in name for name in names):
            raise ValueError(f"with variant_sep={variant_sep!r} every curve name must contain it, got {names!r}")
        parts = [name.rsplit(variant_sep, 1) for name in names]
        models, variants = list(dict.fromkeys(m for m, _ in parts)), list(dict.fromkeys(v for _, v in parts))
        styles = [
            {"color": COLORS[models.index(m) % len(COLORS)], "dash": DASHES[variants.index(v) % len(DASHES)]}
            for m, v in parts
        ]
    fig = go.Figure(
        [
            go.Scatter(x=r, y=acc, name=name, mode="lines", line={"shape": "hv", **style})
            for (name, (r, acc)), style in zip(curves.items(), styles)
        ]
    )
    fig.update_layout(
        title=title, xaxis_title=x_title, yaxis_title="certified accuracy", yaxis={"range": [0, 1]}, height=450
    )
    if len(names) > LEGEND_BESIDE_MAX:
        fig.update_layout(**legend_below(len(names)))
    return fig


def certified_accuracy_studies(
    studies: dict[str, dict[str, tuple[ArrayLike, ArrayLike]]],
    x_title: str = "radius",
    title: str = "Certified accuracy",
) -> go.Figure:
    """Several certified-accuracy comparisons in one figure, one button per study.

    Parameters
    ----------
    studies : dict
        Button label -> curves, as in `certified_accuracy` (legend name -> (radius grid, accuracy)).
    x_title : str, default "radius"
        Title of the x axis.
    title : str, default "Certified accuracy"
        The figure's title.

    Returns
    -------
    plotly.graph_objects.Figure
        The first study shown.
    """
    fig, visible = go.Figure(), []
    for label, curves in studies.items():
        for i, (name, (r, acc)) in enumerate(curves.items()):
            fig.add_trace(
                go.Scatter(
                    x=r,
                    y=acc,
                    name=name,
                    mode="lines",
                    visible=not visible,
                    line={"shape": "hv", "color": COLORS[i % len(COLORS)]},
                )
            )
        visible.append((label, len(fig.data) - len(curves), len(fig.data)))
    buttons = [
        {"label": label, "method": "restyle", "args": [{"visible": [first <= j < last for j in range(len(fig.data))]}]}
        for label, first, last in visible
    ]
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title="certified accuracy",
        yaxis={"range": [0, 1]},
        height=470,
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "buttons": buttons,
                "x": 0,
                "xanchor": "left",
                "y": 1.02,
                "yanchor": "bottom",
            }
        ],
        margin={"t": 110},
    )
    return fig


def certified_accuracy_beside(
    runs: dict,
    reference: dict,
    grid: ArrayLike,
    *,
    runs_label: str,
    reference_label: str,
    x_title: str = "radius",
    title: str = "Certified accuracy",
) -> go.Figure:
    """Certified accuracy of the same models from two runs (e.g. the book's build-time run and a committed run
    at scale): `runs` and `reference` map a model's name to its `rslib.results.Results`. One colour per model,
    a solid line for `reference` and a dashed one for `runs`; names found in only one mapping are drawn too.

    Parameters
    ----------
    runs, reference : dict
        Model name -> `Results` (any format with radii).
    grid : array_like
        Radii at which the curves are evaluated.
    runs_label, reference_label : str
        What tells the two runs apart in the legend (e.g. "60 images, n = 1,000").
    x_title, title : str
        Axis and figure titles.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    curves = {f"{name}; {reference_label}": (grid, res.certified_accuracy(grid)) for name, res in reference.items()}
    curves.update({f"{name}; {runs_label}": (grid, res.certified_accuracy(grid)) for name, res in runs.items()})
    return certified_accuracy(curves, x_title=x_title, title=title, variant_sep="; ")

"""Plotly figures for the Renyi-divergence chapter, computed with `rslib.certificates` and `rslib.theory.renyi`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike

from rslib import certificates
from rslib.figures._common import COLORS, drawn, slider
from rslib.theory import renyi

__all__ = ["radii_against_p_a", "optimal_order", "lemma1_minimizer", "paired_radii"]


def radii_against_p_a(
    sigma: float = 1.0, p_b_values: Sequence[float] = (0.01, 0.05, 0.1, 0.2, 0.3), points: int = 300
) -> go.Figure:
    """l2 radii against p_A: Li et al.'s Rényi bound (Theorem 2), Cohen et al.'s (tight) and PixelDP's.

    A slider chooses p_B; each curve runs over p_B <= p_A <= 1 - p_B, blank where nothing is certified.

    Parameters
    ----------
    sigma : float, default 1.0
        Standard deviation of the Gaussian noise.
    p_b_values : sequence of float, default (0.01, 0.05, 0.1, 0.2, 0.3)
        The slider's values of p_B, in [0, 1/2].
    points : int, default 300
        Points per curve.

    Returns
    -------
    plotly.graph_objects.Figure
    """

    def curves(p_b):
        p_a = np.linspace(p_b, 1 - p_b, points)
        return p_a, [
            drawn(certificates.renyi_l2(p_a, p_b, sigma=sigma)),
            drawn(certificates.gaussian_l2(p_a, p_b, sigma=sigma)),
            drawn(certificates.pixeldp_l2(p_a, p_b, sigma=sigma)),
        ]

    names = ["Rényi bound (Li et al.)", "Cohen et al. (tight)", "PixelDP (best ε, δ)"]
    p_a, ys = curves(p_b_values[0])
    fig = go.Figure(
        [go.Scatter(x=p_a, y=y, name=n, line={"color": COLORS[i]}) for i, (n, y) in enumerate(zip(names, ys))]
    )
    steps = []
    for p_b in p_b_values:
        x, ys = curves(p_b)
        steps.append({"method": "restyle", "label": f"{p_b:g}", "args": [{"x": [x] * 3, "y": ys}, [0, 1, 2]]})
    fig.update_layout(
        title=f"ℓ₂ radius against p<sub>A</sub> (σ = {sigma:g})",
        xaxis_title="p<sub>A</sub> (lower bound)",
        yaxis_title="radius",
        height=450,
        sliders=[slider(steps, "p<sub>B</sub> = ")],
    )
    return fig


def optimal_order(p_b_values: Sequence[float] = (0.001, 0.01, 0.1, 0.3), points: int = 200) -> go.Figure:
    """The Rényi order ρ attaining the supremum of Li et al.'s Theorem 2 (`renyi_optimal_order`), against p_A.

    One curve per p_B; the order is 1 where the bound decreases in ρ and the supremum is only approached as
    ρ -> 1.

    Parameters
    ----------
    p_b_values : sequence of float, default (0.001, 0.01, 0.1, 0.3)
        One curve for each, in (0, 1/2).
    points : int, default 200
        Points per curve.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    for i, p_b in enumerate(p_b_values):
        p_a = np.linspace(p_b + 1e-3, 1 - p_b, points)
        fig.add_trace(
            go.Scatter(
                x=p_a,
                y=certificates.renyi_optimal_order(p_a, p_b),
                name=f"p<sub>B</sub> = {p_b:g}",
                line={"color": COLORS[i]},
            )
        )
    fig.update_layout(title="Order ρ attaining the supremum", xaxis_title="p<sub>A</sub>", yaxis_title="ρ*", height=420)
    return fig


def lemma1_minimizer(
    p: ArrayLike = (0.55, 0.3, 0.1, 0.05), *, orders: Sequence[float] = (1.1, 1.5, 2, 3, 5, 10, 30, 100)
) -> go.Figure:
    """P and the closest Q, in the Rényi divergence of order ρ, whose top class is not P's (Li et al.'s Lemma 1).

    A slider chooses ρ; the title gives the smallest divergence (`rslib.theory.renyi.lemma1_bound`).

    Parameters
    ----------
    p : array_like, default (0.55, 0.3, 0.1, 0.05)
        The distribution P on classes.
    orders : sequence of float, default (1.1, 1.5, 2, 3, 5, 10, 30, 100)
        The slider's Rényi orders ρ, each > 1 (keyword-only).

    Returns
    -------
    plotly.graph_objects.Figure

    References
    ----------
    B. Li, C. Chen, W. Wang, L. Carin. Certified adversarial robustness with additive noise. NeurIPS 2019.
    """
    p = np.asarray(p, float)
    labels = [f"class {i + 1}" for i in range(p.size)]

    def title(order):
        return (
            f"ρ = {order:g}: smallest D<sub>ρ</sub>(Q‖P) with another top class = "
            f"{renyi.lemma1_bound(p, order=order):.4f}"
        )

    first = renyi.lemma1_minimizer(p, order=orders[0])
    fig = go.Figure(
        [
            go.Bar(x=labels, y=p, name="P", marker_color=COLORS[0]),
            go.Bar(x=labels, y=first, name="minimising Q", marker_color=COLORS[1]),
        ]
    )
    steps = [
        {
            "method": "update",
            "label": f"{order:g}",
            "args": [{"y": [renyi.lemma1_minimizer(p, order=order)]}, {"title.text": title(order)}, [1]],
        }
        for order in orders
    ]
    fig.update_layout(
        title=title(orders[0]),
        barmode="group",
        yaxis_title="probability",
        height=420,
        sliders=[slider(steps, "order ρ = ")],
    )
    return fig


def paired_radii(sigma: float) -> dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]:
    """Li et al.'s Rényi radius and Cohen et al.'s at noise level sigma, as ``radius_fn(p_a, p_b)`` for
    `rslib.results.Results.certified_accuracy_with`, so that both certificates turn the same bounds into radii.

    p_b is capped at 1 - p_a first. The cap is valid (the runner-up has probability at most 1 - p_(1) <= 1 - p_a)
    and with simultaneous Clopper-Pearson bounds it changes nothing in exact arithmetic: the upper bound at
    n_j <= n - n_A votes is at most the one at n - n_A, which is 1 minus the lower bound at n_A. It only
    removes floating-point excess that `rslib.certificates` would reject as inconsistent bounds.

    Parameters
    ----------
    sigma : float
        Standard deviation of the Gaussian noise.

    Returns
    -------
    dict of str to callable
        "Rényi" and "Cohen".
    """

    def capped(radius):
        return lambda p_a, p_b: radius(p_a, np.minimum(p_b, 1.0 - p_a))

    return {
        "Rényi": capped(lambda a, b: certificates.renyi_l2(a, b, sigma=sigma)),
        "Cohen": capped(lambda a, b: certificates.gaussian_l2(a, b, sigma=sigma)),
    }

"""Plotly figures for the Laplace / l1 chapter, computed with `rslib.certificates` and `rslib.theory.laplace`.

"Teng et al." is J. Teng, G.-H. Lee, Y. Yuan, l1 adversarial robustness certificates: a randomized smoothing
approach, OpenReview (ICLR 2020 submission), 2020; the figures numbered after theirs recompute theirs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike

from rslib import certificates
from rslib.figures._common import COLORS, drawn, slider
from rslib.theory import laplace as laplace_theory

__all__ = [
    "overlap_area",
    "l1_ball_asymmetry",
    "likelihood_statistic_cdf",
    "half_space_as_level_sets",
    "lecuyer_comparison_region",
    "l1_radius_comparison",
    "worst_case_tightness",
    "rops_figures",
]


def _ball(center, radius, p, points=None):
    """The boundary of the l_p ball, rounded to 4 decimals (the figures' data stay small in the page).
    An l1 ball is a square: 5 vertices draw it exactly; other balls take 161 points."""
    points = (5 if p == 1 else 161) if points is None else points
    t = np.linspace(0, 2 * np.pi, points)
    x, y = np.cos(t), np.sin(t)
    scale = (np.abs(x) ** p + np.abs(y) ** p) ** (1 / p)
    return np.round(center[0] + radius * x / scale, 4), np.round(center[1] + radius * y / scale, 4)


def overlap_area(shift: Sequence[float], p: float, radius: float = 1.0, resolution: int = 801) -> float:
    """Area of the intersection of the l_p balls of radius r around 0 and around `shift`, in the plane.

    Computed on a grid, for p = 1 or 2.

    Parameters
    ----------
    shift : sequence of float, length 2
        The second ball's centre.
    p : {1, 2}
        The norm.
    radius : float, default 1.0
        The balls' radius r.
    resolution : int, default 801
        Grid points per axis.

    Returns
    -------
    float
    """
    g = np.linspace(-radius - 3, radius + 3, resolution)
    xx, yy = np.meshgrid(g, g)
    norm = (lambda a, b: np.abs(a) + np.abs(b)) if p == 1 else (lambda a, b: np.hypot(a, b))
    inside = (norm(xx, yy) <= radius) & (norm(xx - shift[0], yy - shift[1]) <= radius)
    return float(inside.sum() * (g[1] - g[0]) ** 2)


def l1_ball_asymmetry(delta_norm: float = 0.8, angles_degrees: Sequence[int] = tuple(range(0, 91, 5))) -> go.Figure:
    """Teng et al.'s Figure 1: the unit l1 ball shifted by delta, ||delta||_1 fixed, overlaps its original by an
    amount that depends on the direction; the l2 analogue (||delta||_2 fixed) overlaps the same at every angle.
    A slider chooses the direction.

    Parameters
    ----------
    delta_norm : float, default 0.8
        The length of the shift in each norm.
    angles_degrees : sequence of int, default 0, 5, ..., 90
        The slider's directions, in degrees.

    Returns
    -------
    plotly.graph_objects.Figure
    """

    def shift_for(angle, p):
        u = np.array([np.cos(np.deg2rad(angle)), np.sin(np.deg2rad(angle))])
        return delta_norm * u / np.linalg.norm(u, ord=p)

    def state(angle):
        s1, s2 = shift_for(angle, 1), shift_for(angle, 2)
        return [_ball(s1, 1, 1), _ball(s2, 1, 2)], s1, s2

    (first1, first2), s1, s2 = state(angles_degrees[0])
    traces = [
        go.Scatter(x=_ball((0, 0), 1, 1)[0], y=_ball((0, 0), 1, 1)[1], name="ℓ₁ ball at x", line={"color": COLORS[0]}),
        go.Scatter(x=first1[0], y=first1[1], name="ℓ₁ ball at x + δ", line={"color": COLORS[0], "dash": "dash"}),
        go.Scatter(x=_ball((0, 0), 1, 2)[0], y=_ball((0, 0), 1, 2)[1], name="ℓ₂ ball at x", line={"color": COLORS[1]}),
        go.Scatter(x=first2[0], y=first2[1], name="ℓ₂ ball at x + δ", line={"color": COLORS[1], "dash": "dash"}),
    ]

    def title(angle):
        a1, a2 = overlap_area(shift_for(angle, 1), 1), overlap_area(shift_for(angle, 2), 2)
        return f"direction {angle}°: overlap of the ℓ₁ balls {a1:.3f}, of the ℓ₂ balls {a2:.3f}"

    steps = []
    for angle in angles_degrees:
        (b1, b2), _, _ = state(angle)
        steps.append(
            {
                "method": "update",
                "label": f"{angle}°",
                "args": [{"x": [b1[0], b2[0]], "y": [b1[1], b2[1]]}, {"title.text": title(angle)}, [1, 3]],
            }
        )
    fig = go.Figure(traces)
    fig.update_layout(
        title=title(angles_degrees[0]),
        xaxis={"range": [-1.6, 2.2], "scaleanchor": "y", "title": "z₁"},
        yaxis={"range": [-1.6, 2.2], "title": "z₂"},
        height=560,
        sliders=[slider(steps, "direction of δ: ")],
    )
    return fig


def likelihood_statistic_cdf(
    scale: float = 1.0,
    delta_norms: Sequence[float] = (0.25, 0.5, 1.0, 1.5, 2.0),
    dimension: int = 1,
    n: int = 100_000,
) -> go.Figure:
    """Empirical CDF of T(X) = ||X - delta||_1 - ||X||_1 under Laplace noise X, for delta = ||delta||_1 e_1.

    The jumps at -||delta||_1 and +||delta||_1 are the atoms that make T a mixed random variable: not every
    probability level has a quantile, which is why the Neyman-Pearson lemma needs randomised sets (the S' of
    Teng et al.'s Lemma 3.1). A slider chooses ||delta||_1.

    Parameters
    ----------
    scale : float, default 1.0
        Scale of the Laplace noise.
    delta_norms : sequence of float, default (0.25, 0.5, 1.0, 1.5, 2.0)
        The slider's values of ||delta||_1.
    dimension : int, default 1
        Dimension of X.
    n : int, default 100_000
        Draws of T per curve.

    Returns
    -------
    plotly.graph_objects.Figure
    """

    def ecdf(delta_norm):
        delta = np.zeros(dimension)
        delta[0] = delta_norm
        t = np.sort(laplace_theory.sample_likelihood_statistic(delta, scale, n, seed=0))
        keep = np.unique(np.linspace(0, n - 1, 600).astype(int))
        return np.concatenate([[-2.2], t[keep], [2.2]]), np.concatenate([[0], (keep + 1) / n, [1]])

    x0, y0 = ecdf(delta_norms[0])
    fig = go.Figure([go.Scatter(x=x0, y=y0, mode="lines", line={"shape": "hv", "color": COLORS[0]}, name="P(T ≤ t)")])
    steps = []
    for d in delta_norms:
        x, y = ecdf(d)
        atom_high = float(
            np.mean(laplace_theory.sample_likelihood_statistic([d] + [0] * (dimension - 1), scale, n) >= d - 1e-9)
        )
        steps.append(
            {
                "method": "update",
                "label": f"{d:g}",
                "args": [{"x": [x], "y": [y]}, {"title.text": f"‖δ‖₁ = {d:g}: P(T = +‖δ‖₁) ≈ {atom_high:.3f}"}],
            }
        )
    fig.update_layout(
        title=steps[0]["args"][1]["title.text"],
        xaxis_title="t",
        yaxis_title="P(T(X) ≤ t)",
        xaxis={"range": [-2.2, 2.2]},
        height=450,
        sliders=[slider(steps, "‖δ‖₁ = ")],
    )
    return fig


def half_space_as_level_sets(
    delta_norm: float = 1.0,
    thresholds: Sequence[float] = (-0.5, 0.0, 0.3, 0.5, 0.8, 1.0, 1.4, 2.0),
    points: int = 401,
) -> go.Figure:
    """The half-space {z_1 <= t} written as {T > beta} plus a part S' of the level set {T = beta}.

    Along the direction delta = ||delta||_1 e_1 the statistic T(z) = ||z - delta||_1 - ||z||_1 depends on z_1
    alone: ||delta||_1 for z_1 <= 0, ||delta||_1 - 2 z_1 in between, -||delta||_1 for z_1 >= ||delta||_1. The
    figure draws T against z_1, shades the half-space and marks beta and S' (chapter 2's case analysis): for
    0 < t < ||delta||_1, beta = ||delta||_1 - 2t and S' = {z_1 = t}; for t = 0, beta = ||delta||_1 and
    S' = {z_1 <= 0}; for t >= ||delta||_1, beta = -||delta||_1 and S' = {||delta||_1 <= z_1 <= t}. Thresholds
    below 0 (a half-space of probability under 1/2) are {T = ||delta||_1} cut further: all of it is S'.
    A slider chooses t.

    Parameters
    ----------
    delta_norm : float, default 1.0
        ||delta||_1.
    thresholds : sequence of float, default (-0.5, 0.0, 0.3, 0.5, 0.8, 1.0, 1.4, 2.0)
        The slider's values of t.
    points : int, default 401
        Points of the curve.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    d = float(delta_norm)
    z = np.round(np.linspace(-1.0 - d, 2.0 + d, points), 6)  # rounded: the thresholds fall on grid points
    stat = np.abs(z - d) - np.abs(z)

    def parts(t):
        if t < 0:
            beta, s_lo, s_hi, case = d, z[0], t, "t < 0: β = ‖δ‖₁ and S′ = {z₁ ≤ t}, part of the atom {T = ‖δ‖₁}"
        elif t == 0:
            beta, s_lo, s_hi, case = d, z[0], 0.0, "t = 0: β = ‖δ‖₁ and S′ = {z₁ ≤ 0}, the whole atom"
        elif t < d:
            beta, s_lo, s_hi, case = d - 2 * t, t, t, "0 < t < ‖δ‖₁: β = ‖δ‖₁ − 2t, S′ = {z₁ = t} (probability 0)"
        else:
            beta, s_lo, s_hi, case = (
                -d,
                d,
                t,
                "t ≥ ‖δ‖₁: β = −‖δ‖₁ and S′ = {‖δ‖₁ ≤ z₁ ≤ t}, part of the atom {T = −‖δ‖₁}",
            )
        above = np.where((stat > beta + 1e-12) & (z <= t), stat, np.nan)
        level = np.where((z >= s_lo) & (z <= s_hi), stat, np.nan)
        return beta, above, level, case

    def traces(t):
        beta, above, level, case = parts(t)
        return (
            [
                go.Scatter(x=z, y=stat, mode="lines", line={"color": "lightgray", "width": 6}, name="T(z) along u₁"),
                go.Scatter(x=z, y=above, mode="lines", line={"color": COLORS[0], "width": 6}, name="{T > β}"),
                go.Scatter(
                    x=z,
                    y=level,
                    mode="lines+markers",
                    line={"color": COLORS[1], "width": 6},
                    marker={"size": 9, "color": COLORS[1]},
                    name="S′ ⊆ {T = β}",
                ),
                go.Scatter(
                    x=[z[0], z[-1]],
                    y=[beta, beta],
                    mode="lines",
                    line={"color": COLORS[2], "dash": "dot"},
                    name="the level β",
                ),
            ],
            case,
        )

    def shapes(t):
        return [
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": z[0],
                "x1": t,
                "y0": 0,
                "y1": 1,
                "fillcolor": "rgba(31, 119, 180, 0.08)",
                "line": {"width": 0},
            }
        ]

    first, case = traces(thresholds[0])
    fig = go.Figure(first)
    steps = []
    for t in thresholds:
        data, case = traces(t)
        steps.append(
            {
                "method": "update",
                "label": f"{t:g}",
                "args": [
                    {"y": [tr.y for tr in data]},
                    {
                        "title.text": f"half-space z₁ ≤ {t:g} (shaded), ‖δ‖₁ = {d:g}<br><sub>{case}</sub>",
                        "shapes": shapes(t),
                    },
                ],
            }
        )
    fig.update_layout(
        title=steps[0]["args"][1]["title.text"],
        shapes=shapes(thresholds[0]),
        xaxis_title="z₁ (the coordinate along δ)",
        yaxis_title="T(z) = ‖z − δ‖₁ − ‖z‖₁",
        yaxis={"range": [-1.3 * d, 1.3 * d]},
        height=480,
        sliders=[slider(steps, "t = ")],
    )
    return fig


def lecuyer_comparison_region(points: int = 120) -> go.Figure:
    """Teng et al.'s Figure 4: which term of their Theorem 1 is larger over the (p_A, p_B) triangle.

    The computed map is drawn with the closed-form boundary p_B = (1 - p_A)^2 / p_A (the smaller root of
    `rslib.theory.laplace.beats_lecuyer_interval`, p_A >= 1/2) and the constraint p_A + p_B = 1. The other root,
    p_B = p_A, is never admissible.

    Parameters
    ----------
    points : int, default 120
        Grid points per axis.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    p_a = np.linspace(0.001, 0.999, points)
    p_b = np.linspace(0.001, 0.999, points)
    aa, bb = np.meshgrid(p_a, p_b)
    valid = (bb < aa) & (aa + bb <= 1)
    gap = -np.log1p(-(aa - bb), where=valid, out=np.zeros_like(aa))
    ratio = 0.5 * np.log(np.where(valid, aa / bb, 1.0))
    winner = np.where(valid, np.where(gap >= ratio, 1.0, 0.0), np.nan)
    upper_half = p_a >= 0.5
    low, _ = laplace_theory.beats_lecuyer_interval(p_a[upper_half])
    fig = go.Figure(
        [
            go.Heatmap(
                x=p_a,
                y=p_b,
                z=winner,
                colorscale=[[0, "#9fd39f"], [1, "#f2a3a3"]],
                showscale=False,
                hovertemplate="p<sub>A</sub> %{x:.3f}<br>p<sub>B</sub> %{y:.3f}<extra></extra>",
            ),
            go.Scatter(
                x=p_a[upper_half],
                y=low,
                name="p<sub>B</sub> = (1 − p<sub>A</sub>)² / p<sub>A</sub>",
                line={"color": "black"},
            ),
            go.Scatter(
                x=p_a, y=1 - p_a, name="p<sub>A</sub> + p<sub>B</sub> = 1", line={"color": "black", "dash": "dot"}
            ),
        ]
    )
    fig.update_layout(
        title="Red: −λ log(1 − p<sub>A</sub> + p<sub>B</sub>) wins; green: Lecuyer et al.'s λ/2 log(p<sub>A</sub>/p<sub>B</sub>) wins",
        xaxis_title="p<sub>A</sub>",
        yaxis_title="p<sub>B</sub>",
        yaxis={"range": [0, 0.5]},
        height=480,
    )
    return fig


def l1_radius_comparison(sigmas: Sequence[float] = (0.25, 0.5, 1.0), points: int = 400) -> go.Figure:
    """Teng et al.'s Figure 6: binary l1 radii against p_A at equal variance (scale = sigma / sqrt(2)).

    Theorem 2 of Teng et al. (Laplace), Lecuyer et al. (Laplace), and Cohen et al.'s l2 radius read in l1
    (Gaussian). A slider chooses sigma.

    Parameters
    ----------
    sigmas : sequence of float, default (0.25, 0.5, 1.0)
        The slider's Gaussian standard deviations.
    points : int, default 400
        Points per curve.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    p_a = np.linspace(0.5, 0.999, points)

    def curves(sigma):
        scale = sigma / np.sqrt(2)
        return [
            drawn(certificates.laplace_l1(p_a, scale=scale)),
            drawn(certificates.lecuyer_l1(p_a, scale=scale)),
            drawn(certificates.gaussian_l1(p_a, sigma=sigma)),
        ]

    names = ["Laplace, Theorem 2 (tight)", "Laplace, Lecuyer et al.", "Gaussian, Cohen et al. (ℓ₂ ⊂ ℓ₁)"]
    fig = go.Figure(
        [
            go.Scatter(x=p_a, y=y, name=n, line={"color": COLORS[i]})
            for i, (n, y) in enumerate(zip(names, curves(sigmas[0])))
        ]
    )
    steps = [{"method": "restyle", "label": f"{s:g}", "args": [{"y": curves(s)}, [0, 1, 2]]} for s in sigmas]
    fig.update_layout(
        title="Binary ℓ₁ radius at equal variance",
        xaxis_title="p<sub>A</sub>",
        yaxis_title="ℓ₁ radius",
        height=450,
        sliders=[slider(steps, "σ = √2 λ = ")],
    )
    return fig


def worst_case_tightness(
    p_a: float = 0.8, scale: float = 0.5, mc_points: int = 9, n: int = 200_000, seed: int = 0
) -> go.Figure:
    """Teng et al.'s Theorem 3: the worst-case classifier's smoothed probability of c_A against the shift
    ||delta||_1, exactly (line) and by Monte Carlo (markers); it crosses 1/2 at the binary radius.

    Parameters
    ----------
    p_a : float, default 0.8
        The probability of c_A at the unmoved input.
    scale : float, default 0.5
        Scale of the Laplace noise.
    mc_points : int, default 9
        Shifts estimated by Monte Carlo.
    n : int, default 200_000
        Noise draws, shared by those estimates.
    seed : int, default 0
        Seed of the draws.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    radius = max(float(certificates.laplace_l1(p_a, scale=scale)), 0.0)
    shifts = np.linspace(0, 2 * radius, 300)
    mc_shifts = np.linspace(0, 2 * radius, mc_points)
    threshold = laplace_theory.worst_case_threshold(p_a, scale)
    noise = np.random.default_rng(seed).laplace(scale=scale, size=n)
    mc = [float((noise + s <= threshold).mean()) for s in mc_shifts]
    fig = go.Figure(
        [
            go.Scatter(x=shifts, y=laplace_theory.worst_case_probability(p_a, scale, shifts), name="exact"),
            go.Scatter(x=mc_shifts, y=mc, mode="markers", name=f"Monte Carlo, n = {n:,}"),
        ]
    )
    fig.add_hline(y=0.5, line_dash="dot")
    fig.add_vline(x=radius, line_dash="dash", annotation_text=f"R = {radius:.3f}")
    fig.update_layout(
        title=f"Worst case of Theorem 3: p<sub>A</sub> = {p_a}, λ = {scale}",
        xaxis_title="‖δ‖₁",
        yaxis_title="P(f*(x + δ + ε) = c<sub>A</sub>)",
        height=420,
    )
    return fig


def rops_figures(
    xs: ArrayLike | None = None, radii_grid: ArrayLike | None = None, x_fixed: float = 0.3
) -> tuple[go.Figure, go.Figure]:
    """Teng et al.'s Appendix D, Figures 10 and 11: the largest tolerated standard deviation (ROPS, see
    `rslib.theory.laplace.rops`) against x, and against the radius to certify at x = x_fixed, for Laplace and
    Gaussian noise of equal variance.

    The default ranges include the points where the Gaussian curve overtakes the Laplace one
    (`rslib.theory.laplace.rops_crossings`).

    Parameters
    ----------
    xs : array_like, optional
        The inputs of the first figure, in (-1, 1) (default: 60 from 0 to 0.995).
    radii_grid : array_like, optional
        The radii of the second figure (default: 47 from 0 to 0.69).
    x_fixed : float, default 0.3
        The input of the second figure.

    Returns
    -------
    tuple of plotly.graph_objects.Figure
        (against x, against the radius).
    """
    xs = np.linspace(0, 0.995, 60) if xs is None else np.asarray(xs)
    radii_grid = np.linspace(0, 0.69, 47) if radii_grid is None else np.asarray(radii_grid)
    by_x = go.Figure(
        [
            go.Scatter(
                x=xs, y=[laplace_theory.rops(x, kind) for x in xs], name=kind.capitalize(), line={"color": COLORS[i]}
            )
            for i, kind in enumerate(("laplace", "gaussian"))
        ]
    )
    by_x.update_layout(
        title="ROPS against x (prediction kept)", xaxis_title="x", yaxis_title="largest standard deviation", height=400
    )
    by_r = go.Figure(
        [
            go.Scatter(
                x=radii_grid,
                y=[laplace_theory.rops(x_fixed, kind, r) for r in radii_grid],
                name=kind.capitalize(),
                line={"color": COLORS[i]},
            )
            for i, kind in enumerate(("laplace", "gaussian"))
        ]
    )
    by_r.update_layout(
        title=f"ROPS against the certified radius at x = {x_fixed}",
        xaxis_title="radius to certify",
        yaxis_title="largest standard deviation",
        height=400,
    )
    return by_x, by_r

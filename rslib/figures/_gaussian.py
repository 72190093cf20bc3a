"""Figures of the Gaussian certificate (chapter 1) and the radius explorer of every certificate.

Every figure here is computed by rslib and stays interactive in the static HTML: sliders switch between
precomputed states (no kernel needed). The live, kernel-driven versions are the ipywidgets of `_widgets`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from rslib import _checks, certificates
from rslib.figures._common import COLORS, NORM_NAMES, drawn, legend_below, slider
from rslib.theory import neyman_pearson

__all__ = ["radius_vs_p_a", "half_spaces_2d", "shifted_probabilities_curve", "radius_explorer_figure"]


def radius_vs_p_a(
    sigmas: Sequence[float] = (0.25, 0.5, 1.0),
    p_b_values: Sequence[float | None] = (None, 0.01, 0.05, 0.1, 0.2, 0.3),
    points: int = 400,
) -> go.Figure:
    r"""Cohen et al.'s radius :math:`R = \frac{\sigma}{2}(\Phi^{-1}(p_A) - \Phi^{-1}(p_B))` against p_A, one curve per
    sigma.

    A slider chooses p_B: "1 - p_A" (the binary bound) or a fixed upper bound on the runner-up; the curves stop
    where p_A + p_B would exceed 1.

    Parameters
    ----------
    sigmas : sequence of float, default (0.25, 0.5, 1.0)
        One curve for each.
    p_b_values : sequence of float or None, default (None, 0.01, 0.05, 0.1, 0.2, 0.3)
        The slider's values of p_B; None is the binary bound 1 - p_A.
    points : int, default 400
        Points per curve.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    p_a = np.linspace(0.0, 1.0, points + 1)[1:-1]

    def curves(p_b):
        ys = []
        for sigma in sigmas:
            if p_b is None:
                ys.append(drawn(certificates.gaussian_l2(p_a, sigma=sigma)))
            else:  # only p_A with p_A + p_B <= 1 are consistent bounds; the rest is left blank
                ok = p_a <= 1.0 - p_b
                y = np.full_like(p_a, np.nan)
                y[ok] = drawn(certificates.gaussian_l2(p_a[ok], p_b, sigma=sigma))
                ys.append(y)
        return ys

    fig = go.Figure(
        [
            go.Scatter(x=p_a, y=y, name=f"σ = {s:g}", line={"color": COLORS[i]})
            for i, (s, y) in enumerate(zip(sigmas, curves(p_b_values[0])))
        ]
    )
    steps = [
        {
            "method": "restyle",
            "label": "1 − p<sub>A</sub>" if p_b is None else f"{p_b:g}",
            "args": [{"y": curves(p_b)}, list(range(len(sigmas)))],
        }
        for p_b in p_b_values
    ]
    fig.update_layout(
        title="Certified ℓ₂ radius against p<sub>A</sub>",
        xaxis_title="p<sub>A</sub> (lower bound)",
        yaxis_title="radius R",
        sliders=[slider(steps, "p<sub>B</sub> = ")],
        height=480,
    )
    return fig


def _region_polygon(offset, side, angle, box):
    """Corners of {z : u^T z <= offset} (side=-1) or >= offset (side=+1) clipped to [-box, box]^2, u at `angle`."""
    u = np.array([np.cos(angle), np.sin(angle)])
    v = np.array([-u[1], u[0]])
    far = 4 * box
    inner = offset * u
    outer = (offset + side * far) * u
    corners = np.array([inner - far * v, inner + far * v, outer + far * v, outer - far * v, inner - far * v])
    return corners[:, 0], corners[:, 1]


def _circle(center, radius, points=120):
    t = np.linspace(0, 2 * np.pi, points)
    return center[0] + radius * np.cos(t), center[1] + radius * np.sin(t)


def half_spaces_2d(
    p_a: float = 0.8,
    p_b: float = 0.1,
    sigma: float = 1.0,
    angle: float = 0.0,
    delta_norms: Sequence[float] | None = None,
    active: int | None = None,
    box: float = 4.0,
) -> go.Figure:
    """The proof's picture in the plane: X ~ N(0, sigma^2 I), Y ~ N(delta, sigma^2 I), the half-spaces A and B.

    A slider moves Y along delta; the title reports P(Y in A) and P(Y in B) (`rslib.theory.neyman_pearson`),
    and the certificate holds while the first exceeds the second, that is for ||delta|| < R.

    Parameters
    ----------
    p_a, p_b : float, default 0.8, 0.1
        P(X in A) and P(X in B).
    sigma : float, default 1.0
        Standard deviation of the noise.
    angle : float, default 0.0
        Direction of delta, in radians.
    delta_norms : sequence of float, optional
        The slider's values of ||delta|| (default: 25 from 0 to max(2 R, sigma)).
    active : int, optional
        Index of the step shown first (default: the one nearest R / 2).
    box : float, default 4.0
        The plot shows [-box, box]^2.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    ValueError
        If active is not an index of delta_norms.
    """
    radius = max(float(certificates.gaussian_l2(p_a, p_b, sigma=sigma)), 0.0)
    if delta_norms is None:
        delta_norms = np.round(np.linspace(0.0, max(2 * radius, sigma), 25), 3)
    if active is None:
        active = int(np.argmin(np.abs(np.asarray(delta_norms) - radius / 2)))
    active = _checks.integer_in("active", active, 0, len(delta_norms) - 1)
    a, b = neyman_pearson.half_space_offsets(p_a, p_b, sigma)
    u = np.array([np.cos(angle), np.sin(angle)])
    traces = []
    for offset, side, name, color in ((a, -1, "A", "rgba(31,119,180,0.18)"), (b, 1, "B", "rgba(214,39,40,0.18)")):
        xs, ys = _region_polygon(float(offset), side, angle, box)
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                fill="toself",
                fillcolor=color,
                line={"width": 0},
                name=f"{name}: P(X ∈ {name}) = {p_a if name == 'A' else p_b:.3f}",
                hoverinfo="skip",
            )
        )
    for k in (1, 2):
        cx, cy = _circle((0.0, 0.0), k * sigma)
        traces.append(
            go.Scatter(
                x=cx,
                y=cy,
                mode="lines",
                line={"color": COLORS[0], "dash": "dot"},
                name="X ~ N(x, σ²I)",
                showlegend=k == 1,
                legendgroup="x",
                hoverinfo="skip",
            )
        )

    def y_traces(delta_norm):
        center = delta_norm * u
        out = []
        for k in (1, 2):
            cx, cy = _circle(center, k * sigma)
            out.append({"x": cx, "y": cy})
        out.append({"x": [center[0]], "y": [center[1]]})
        return out

    first = y_traces(delta_norms[active])
    for k in (1, 2):
        traces.append(
            go.Scatter(
                x=first[k - 1]["x"],
                y=first[k - 1]["y"],
                mode="lines",
                line={"color": COLORS[1]},
                name="Y ~ N(x + δ, σ²I)",
                showlegend=k == 1,
                legendgroup="y",
                hoverinfo="skip",
            )
        )
    traces.append(go.Scatter(x=[0.0], y=[0.0], mode="markers", marker={"color": COLORS[0], "size": 9}, name="x"))
    traces.append(
        go.Scatter(
            x=first[2]["x"], y=first[2]["y"], mode="markers", marker={"color": COLORS[1], "size": 9}, name="x + δ"
        )
    )
    moving = [len(traces) - 4, len(traces) - 3, len(traces) - 1]

    def title(delta_norm):
        in_a, in_b = neyman_pearson.shifted_probabilities(p_a, p_b, sigma, delta_norm)
        verdict = "certified" if in_a > in_b else "not certified"
        return (
            f"‖δ‖ = {delta_norm:.3f}: P(Y ∈ A) = {float(in_a):.3f}, P(Y ∈ B) = {float(in_b):.3f} "
            f"→ {verdict} (R = {radius:.3f})"
        )

    steps = []
    for d in delta_norms:
        states = y_traces(d)
        steps.append(
            {
                "method": "update",
                "label": f"{d:g}",
                "args": [
                    {"x": [s["x"] for s in states], "y": [s["y"] for s in states]},
                    {"title.text": title(d)},
                    moving,
                ],
            }
        )
    fig = go.Figure(traces)
    fig.update_layout(
        title=title(delta_norms[active]),
        xaxis={"range": [-box, box], "scaleanchor": "y", "title": "z₁"},
        yaxis={"range": [-box, box], "title": "z₂"},
        sliders=[slider(steps, "‖δ‖ = ", active)],
        height=620,
    )
    return fig


def shifted_probabilities_curve(p_a: float = 0.8, p_b: float = 0.1, sigma: float = 1.0, points: int = 300) -> go.Figure:
    """P(Y in A) and P(Y in B) against ||delta||: they cross exactly at the certified radius.

    Parameters
    ----------
    p_a, p_b : float, default 0.8, 0.1
        P(X in A) and P(X in B).
    sigma : float, default 1.0
        Standard deviation of the noise.
    points : int, default 300
        Points per curve.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    radius = max(float(certificates.gaussian_l2(p_a, p_b, sigma=sigma)), 0.0)
    d = np.linspace(0.0, 2.5 * max(radius, sigma / 4), points)
    in_a, in_b = neyman_pearson.shifted_probabilities(p_a, p_b, sigma, d)
    fig = go.Figure(
        [
            go.Scatter(x=d, y=in_a, name="P(Y ∈ A)", line={"color": COLORS[0]}),
            go.Scatter(x=d, y=in_b, name="P(Y ∈ B)", line={"color": COLORS[1]}),
        ]
    )
    fig.add_vline(x=radius, line_dash="dash", annotation_text=f"R = {radius:.3f}")
    fig.update_layout(
        title=f"Worst case for p<sub>A</sub> = {p_a:g}, p<sub>B</sub> = {p_b:g}, σ = {sigma:g}",
        xaxis_title="‖δ‖₂",
        yaxis_title="probability",
        height=420,
    )
    return fig


def radius_explorer_figure(
    p_b_values: Sequence[float | None] = (None, 0.01, 0.05, 0.1, 0.2, 0.3), sigma: float = 1.0, points: int = 120
) -> go.Figure:
    """Every additive-noise certificate of `rslib.certificates.REGISTRY` against p_A at noise level sigma.

    Laplace noise has the same variance (scale sigma / sqrt 2); the values are those of
    `rslib.certificates.radii_at_equal_variance`, without the l0 ones (pixels, not a length). Solid lines are
    l2 radii, dashed ones l1. A slider above the plot chooses p_B ("1 − p_A" = the binary bound); each curve
    runs over p_B <= p_A <= 1 - p_B. The legend lies below the plot, as `certified_accuracy` places a long
    one, so that the plot keeps the page's width on a phone too.

    Parameters
    ----------
    p_b_values : sequence of float or None, default (None, 0.01, 0.05, 0.1, 0.2, 0.3)
        The slider's values of p_B, each None or in [0, 0.5].
    sigma : float, default 1.0
        Standard deviation of the Gaussian noise.
    points : int, default 120
        Points per curve.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    ValueError
        If a value of p_b_values is neither None nor in [0, 0.5].
    """

    if any(p_b is not None and not 0 <= p_b <= 0.5 for p_b in p_b_values):
        raise ValueError(f"p_b_values must be None or numbers in [0, 0.5], got {p_b_values!r}")

    def curves(p_b):
        p_a = np.linspace(0.5 if p_b is None else p_b, 0.999 if p_b is None else 1 - p_b, points)
        table = [certificates.radii_at_equal_variance(p, p_b, sigma=sigma) for p in p_a]
        names = [n for n in table[0] if table[0][n][0] != "l0"]
        return p_a, names, [drawn([row[n][1] for row in table]) for n in names], [table[0][n][0] for n in names]

    p_a, names, ys, norms = curves(p_b_values[0])
    fig = go.Figure(
        [
            go.Scatter(
                x=p_a,
                y=y,
                name=f"{n} ({NORM_NAMES[nm]})",
                line={"color": COLORS[i % len(COLORS)], "dash": "solid" if nm == "l2" else "dash"},
            )
            for i, (n, y, nm) in enumerate(zip(names, ys, norms))
        ]
    )
    steps = []
    for p_b in p_b_values:
        x, _, ys, _ = curves(p_b)
        steps.append(
            {
                "method": "restyle",
                "label": "1 − p<sub>A</sub>" if p_b is None else f"{p_b:g}",
                "args": [{"x": [x] * len(ys), "y": ys}, list(range(len(ys)))],
            }
        )
    fig.update_layout(
        title=f"Certificates from (p<sub>A</sub>, p<sub>B</sub>) at σ = {sigma:g} (Laplace scale σ/√2)",
        xaxis_title="p<sub>A</sub> (lower bound)",
        yaxis_title="certified radius",
    )
    # nine long names: beside the plot they leave it no room
    fig.update_layout(**legend_below(len(fig.data), sliders=[slider(steps, "p<sub>B</sub> = ")]))
    return fig

"""Plotly figures for the chapter on estimating the radius: bound widths, the betting game, CS vs CI."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike

from rslib import bounds
from rslib.figures._common import COLORS, legend_below, log_axis, slider

__all__ = ["BOUND_NAMES", "lower_bounds", "bound_widths", "betting_game", "sequence_versus_intervals"]

BOUND_NAMES = ("Clopper–Pearson", "Hoeffding", "empirical Bernstein", "PrPl-EB (at n)", "betting (at n)")


def lower_bounds(x: np.ndarray, alpha: float) -> list[float]:
    """The five one-sided lower bounds of `BOUND_NAMES` on the mean of 0/1 observations, in that order.

    The sequences are read at n = len(x), with their bets tuned for that n.

    Parameters
    ----------
    x : numpy.ndarray, shape (n,)
        Observations, 0 or 1.
    alpha : float
        Error level of each bound, in (0, 1).

    Returns
    -------
    list of float
    """
    n = x.size
    return [
        float(bounds.clopper_pearson(int(x.sum()), n, alpha)),
        float(bounds.hoeffding(x.mean(), n, alpha)),
        float(bounds.empirical_bernstein(x, alpha)),
        float(bounds.prpl_eb_lower(x, alpha, n=n)),
        float(bounds.betting_lower(x, alpha, n=n)),
    ]


def bound_widths(
    p_values: Sequence[float] = (0.5, 0.9, 0.99, 0.999),
    ns: ArrayLike | None = None,
    alpha: float = 0.001,
    seed: int = 0,
) -> go.Figure:
    """Distance from the sample mean to each lower bound of `BOUND_NAMES`, against n, on one Bernoulli(p) path.

    A slider above the plot chooses p: the variance p(1 - p) shrinks as p -> 1, which the variance-adaptive
    bounds exploit. The legend lies below the plot, as `certified_accuracy` places a long one.

    Parameters
    ----------
    p_values : sequence of float, default (0.5, 0.9, 0.99, 0.999)
        The slider's values of p.
    ns : array_like of int, optional
        The sample sizes, increasing (default: 13 log-spaced from 100 to 100,000).
    alpha : float, default 0.001
        Error level of each bound.
    seed : int, default 0
        Seed of the sample path.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    ns = np.unique(np.geomspace(100, 100_000, 13).astype(int)) if ns is None else np.asarray(ns)

    def widths(p):
        x_all = (np.random.default_rng(seed).random(ns[-1]) < p).astype(float)
        rows = np.array([[x_all[:n].mean() - b for b in lower_bounds(x_all[:n], alpha)] for n in ns])
        return rows.T

    first = widths(p_values[0])
    fig = go.Figure(
        [
            go.Scatter(x=ns, y=first[i], name=name, mode="lines+markers", line={"color": COLORS[i]})
            for i, name in enumerate(BOUND_NAMES)
        ]
    )
    steps = [
        {"method": "restyle", "label": f"{p:g}", "args": [{"y": list(widths(p))}, list(range(5))]} for p in p_values
    ]
    fig.update_layout(
        title=f"Width of one-sided lower bounds (α = {alpha})",
        xaxis=log_axis("n"),
        yaxis=log_axis("mean − bound"),
    )
    fig.update_layout(**legend_below(len(fig.data), sliders=[slider(steps, "p = ")]))
    return fig


def betting_game(
    p: float = 0.8, alpha: float = 0.05, times: Sequence[int] = (5, 10, 20, 50, 100, 200, 500, 1000), seed: int = 1
) -> go.Figure:
    """The two-sided betting game after t observations of Bernoulli(p), against every candidate mean m.

    For each m, the larger of the log-wealths of a bettor on "mean above m" (log W_t(m), the paper's K_t;
    `rslib.bounds.betting_log_capital`) and one on "mean below m" (the same game on 1 - X and 1 - m). Each plays
    at level alpha / 2, so the candidates whose curve passes log(2 / alpha) are rejected; the rest form the
    confidence set. A slider chooses t.

    Parameters
    ----------
    p : float, default 0.8
        The true mean.
    alpha : float, default 0.05
        Error level of the confidence set.
    times : sequence of int, default (5, 10, 20, 50, 100, 200, 500, 1000)
        The slider's values of t, increasing.
    seed : int, default 1
        Seed of the observations.

    Returns
    -------
    plotly.graph_objects.Figure

    References
    ----------
    I. Waudby-Smith, A. Ramdas. Estimating means of bounded random variables by betting. JRSS-B 86(1), 2024.
    """
    x = (np.random.default_rng(seed).random(times[-1]) < p).astype(float)
    candidates = np.linspace(0.01, 0.99, 197)

    def log_wealth(t):
        up = bounds.plug_in_bets(x[:t], alpha, truncation=1.0)
        return np.array(
            [
                max(bounds.betting_log_capital(x[:t], m, up), bounds.betting_log_capital(1 - x[:t], 1 - m, up))
                for m in candidates
            ]
        )

    def title(t):
        kept = candidates[log_wealth(t) < np.log(2 / alpha)]
        return f"t = {t}: mean of the data {x[:t].mean():.3f}; candidates not rejected: [{kept.min():.2f}, {kept.max():.2f}]"

    fig = go.Figure(
        [go.Scatter(x=candidates, y=log_wealth(times[0]), name="log-wealth against m", line={"color": COLORS[0]})]
    )
    fig.add_hline(y=np.log(2 / alpha), line_dash="dash", annotation_text="log(2/α): reject")
    fig.add_vline(x=p, line_dash="dot", annotation_text="true mean")
    steps = [
        {"method": "update", "label": str(t), "args": [{"y": [log_wealth(t)]}, {"title.text": title(t)}, [0]]}
        for t in times
    ]
    fig.update_layout(
        title=title(times[0]),
        xaxis_title="candidate mean m",
        yaxis_title="log W<sub>t</sub>(m)",
        yaxis={"range": [-3, 12]},
        height=450,
        sliders=[slider(steps, "t = ")],
    )
    return fig


def sequence_versus_intervals(p: float = 0.6, alpha: float = 0.05, horizon: int = 3000, seed: int = 4) -> go.Figure:
    """A lower confidence sequence (valid at all t at once) beside fixed-n Clopper-Pearson bounds recomputed at
    every t.

    Watching the interval and stopping when it looks good breaks its guarantee; the sequence (its running
    maximum, PrPl-EB) does not.

    Parameters
    ----------
    p : float, default 0.6
        The true mean of the Bernoulli observations.
    alpha : float, default 0.05
        Error level of both.
    horizon : int, default 3000
        The last t.
    seed : int, default 4
        Seed of the observations.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    x = (np.random.default_rng(seed).random(horizon) < p).astype(float)
    t = np.arange(1, horizon + 1)
    cp = bounds.clopper_pearson(np.cumsum(x).astype(int), t, alpha)
    cs = np.maximum.accumulate(bounds.prpl_eb_sequence(x, alpha))
    fig = go.Figure(
        [
            go.Scatter(x=t, y=cp, name="Clopper–Pearson at each t (not simultaneous)", line={"color": COLORS[1]}),
            go.Scatter(x=t, y=cs, name="PrPl-EB confidence sequence", line={"color": COLORS[0]}),
        ]
    )
    fig.add_hline(y=p, line_dash="dot", annotation_text="true mean")
    fig.update_layout(
        title="Lower bounds recomputed after every observation",
        xaxis=log_axis("t"),
        yaxis_title="lower bound",
        height=420,
    )
    return fig

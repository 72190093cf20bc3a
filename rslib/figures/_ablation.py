"""Plotly figures for the randomized-ablation chapter, computed with `rslib.smoothing.Ablation` and
`rslib.certificates`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import torch
from numpy.typing import ArrayLike
from plotly.subplots import make_subplots

from rslib import bounds, certificates, results
from rslib.figures._common import COLORS, drawn, log_axis, slider
from rslib.smoothing import Ablation, Smoothed, VoteCounts, generator, topk_l0_radii

__all__ = [
    "ABLATED_COLOR",
    "ablated_image",
    "ablated_views",
    "radius_against_p_l",
    "rounding_gain",
    "radius_against_n",
    "l0_curves",
]

ABLATED_COLOR = "#f4b860"


def ablated_image(image: torch.Tensor, keep: int, seed: int) -> np.ndarray:
    """The first channel of an image where `Ablation(keep)` keeps it, NaN where it ablates.

    Parameters
    ----------
    image : torch.Tensor, shape (C, H, W)
        Values in [0, 1].
    keep : int
        Pixels kept, in [1, H * W].
    seed : int
        Seed of the ablation (on the CPU).

    Returns
    -------
    numpy.ndarray, shape (H, W)
    """
    encoded = Ablation(keep).sample(image.unsqueeze(0), generator(seed, "cpu"))[0]
    shown = encoded[0].numpy().copy()
    shown[(encoded.sum(dim=0) == 0).numpy()] = np.nan
    return shown


def ablated_views(
    image: torch.Tensor, keeps: Sequence[int] = (10, 25, 50, 100, 200, 400), seeds: Sequence[int] = (0, 1, 2)
) -> go.Figure:
    """What the base classifier sees: `keep` random pixels of an image, the rest ablated (amber), for several
    random seeds side by side. A slider chooses keep.

    Parameters
    ----------
    image : torch.Tensor, shape (C, H, W)
        Values in [0, 1].
    keeps : sequence of int, default (10, 25, 50, 100, 200, 400)
        The slider's numbers of kept pixels, each in [1, H * W].
    seeds : sequence of int, default (0, 1, 2)
        One view per seed.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = make_subplots(rows=1, cols=len(seeds), subplot_titles=[f"seed {s}" for s in seeds], horizontal_spacing=0.02)
    for i, seed in enumerate(seeds):
        fig.add_trace(
            go.Heatmap(
                z=ablated_image(image, keeps[0], seed)[::-1],
                colorscale="gray_r",
                zmin=0,
                zmax=1,
                showscale=False,
                hovertemplate="value %{z:.2f}<extra></extra>",
            ),
            row=1,
            col=i + 1,
        )
        fig.update_xaxes(visible=False, row=1, col=i + 1)
        fig.update_yaxes(visible=False, scaleanchor=f"x{i + 1 if i else ''}", row=1, col=i + 1)
    steps = [
        {
            "method": "restyle",
            "label": str(k),
            "args": [{"z": [ablated_image(image, k, s)[::-1] for s in seeds]}, list(range(len(seeds)))],
        }
        for k in keeps
    ]
    d = image.shape[-1] * image.shape[-2]
    fig.update_layout(
        title=f"Randomized ablation of a {image.shape[-2]}×{image.shape[-1]} image (d = {d}); amber = ablated",
        height=400,
        plot_bgcolor=ABLATED_COLOR,
        sliders=[slider(steps, "pixels kept e = ")],
    )
    return fig


def radius_against_p_l(
    d: int = 784,
    keeps: Sequence[int] = (25, 50, 100, 200),
    ks: Sequence[int] = (1, 2, 3),
    others: int = 3,
    points: int = 120,
) -> go.Figure:
    """Certified l0 radius of randomized ablation (`rslib.certificates.ablation_l0`) against p_l, one curve per k.

    The rest of the mass, 1 - p_l, is split evenly over `others` labels. A slider chooses the number of kept
    pixels e.

    Parameters
    ----------
    d : int, default 784
        Pixels of the image.
    keeps : sequence of int, default (25, 50, 100, 200)
        The slider's values of e, each in [1, d].
    ks : sequence of int, default (1, 2, 3)
        One curve for each k, each at most `others`.
    others : int, default 3
        The labels besides l.
    points : int, default 120
        Points per curve.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    p_l = np.linspace(0.05, 0.995, points)
    p_others = np.repeat(((1 - p_l) / others)[:, None], others, axis=1)

    def curves(keep):
        return [drawn(certificates.ablation_l0(p_l, p_others, d=d, keep=keep, k=k)) for k in ks]

    fig = go.Figure(
        [
            go.Scatter(x=p_l, y=y, name=f"top-{k}", mode="lines", line={"shape": "hv", "color": COLORS[i]})
            for i, (k, y) in enumerate(zip(ks, curves(keeps[0])))
        ]
    )
    steps = [{"method": "restyle", "label": str(e), "args": [{"y": curves(e)}, list(range(len(ks)))]} for e in keeps]
    fig.update_layout(
        title=f"Certified pixels against p<sub>l</sub> (d = {d}; 1 − p<sub>l</sub> split evenly over {others} other labels)",
        xaxis_title="p<sub>l</sub> (lower bound)",
        yaxis_title="certified radius (pixels)",
        height=450,
        sliders=[slider(steps, "e = ")],
    )
    return fig


def rounding_gain(
    settings: Sequence[tuple[int, int]] = ((6, 2), (10, 3), (20, 3), (784, 50)), points: int = 400
) -> go.Figure:
    """Pixels gained by rounding the bounds to multiples of 1/C(d, e) (Jia et al. 2022, Eq. 4), against p_l.

    The binary case (p_other = 1 - p_l): the radius of `rslib.certificates.ablation_l0` with the rounding
    minus the radius without it. Rounding only helps when C(d, e) is small enough for the grid to matter.

    Parameters
    ----------
    settings : sequence of (int, int), default ((6, 2), (10, 3), (20, 3), (784, 50))
        One curve per (d, e).
    points : int, default 400
        Points per curve.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    p_l = np.linspace(0.5, 0.999, points)
    fig = go.Figure()
    for i, (d, keep) in enumerate(settings):
        with_rounding = certificates.ablation_l0(p_l, d=d, keep=keep)
        without = certificates.ablation_l0(p_l, d=d, keep=keep, rounding=False)
        fig.add_trace(
            go.Scatter(
                x=p_l,
                y=with_rounding - without,
                mode="lines",
                line={"shape": "hv", "color": COLORS[i]},
                name=f"d = {d}, e = {keep} (C(d, e) has {len(str(math.comb(d, keep)))} digits)",
            )
        )
    fig.update_layout(
        title="Pixels gained by rounding the bounds to the grid of ablation probabilities",
        xaxis_title="p<sub>l</sub>",
        yaxis_title="extra certified pixels",
        height=420,
    )
    return fig


def radius_against_n(
    d: int = 784,
    keep: int = 50,
    p_ls: Sequence[float] = (0.6, 0.8, 0.95, 0.99),
    alphas: Sequence[float] = (0.1, 0.01, 0.001, 0.0001),
    num_classes: int = 10,
    k: int = 1,
    ns: ArrayLike | None = None,
) -> go.Figure:
    """Certified l0 radius of randomized ablation against the number of samples n.

    The true label's probability is p_l and the rest goes to one other label; the votes are their expected
    counts, the bounds SimuEM (Clopper-Pearson at alpha / num_classes per label). One curve per p_l; a slider
    chooses alpha.

    Parameters
    ----------
    d : int, default 784
        Pixels of the image.
    keep : int, default 50
        Pixels kept, in [1, d].
    p_ls : sequence of float, default (0.6, 0.8, 0.95, 0.99)
        One curve for each.
    alphas : sequence of float, default (0.1, 0.01, 0.001, 0.0001)
        The slider's error levels.
    num_classes : int, default 10
        Labels, >= 2.
    k : int, default 1
        The top-k certificate's k, < num_classes.
    ns : array_like of int, optional
        The sample sizes (default: 61 log-spaced from 10 to 10^6).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    ns = np.unique(np.logspace(1, 6, 61).astype(int)) if ns is None else np.asarray(ns)

    def curves(alpha):
        out = []
        for p_l in p_ls:
            counts = np.zeros((len(ns), num_classes), dtype=int)
            counts[:, 0] = np.floor(p_l * ns).astype(int)
            counts[:, 1] = ns - counts[:, 0]
            lower, upper = bounds.simultaneous_clopper_pearson(counts, alpha)
            lower, others = lower[:, 0], upper[:, 1:]
            out.append(drawn(certificates.ablation_l0(lower, others, d=d, keep=keep, k=k)))
        return out

    fig = go.Figure(
        [
            go.Scatter(x=ns, y=y, name=f"p<sub>l</sub> = {p_l}", mode="lines", line={"shape": "hv", "color": COLORS[i]})
            for i, (p_l, y) in enumerate(zip(p_ls, curves(alphas[0])))
        ]
    )
    steps = [{"method": "restyle", "label": str(a), "args": [{"y": curves(a)}, list(range(len(p_ls)))]} for a in alphas]
    fig.update_layout(
        title=f"Certified pixels against the number of samples (d = {d}, e = {keep}, top-{k}, {num_classes} labels)",
        xaxis=log_axis("samples n"),
        yaxis_title="certified radius (pixels)",
        height=450,
        sliders=[slider(steps, "α = ")],
    )
    return fig


def l0_curves(
    runs: dict[str, tuple[Smoothed, VoteCounts]],
    settings: dict[str, tuple[str, int, int, float]],
    grid: ArrayLike,
    input_shape: tuple,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Certified top-k accuracy curves against the number of pixels changed, for `certified_accuracy`.

    Each curve is the fraction of inputs whose true label is certified in the top k for at least r pixels
    (`rslib.smoothing.topk_l0_radii`), for r in grid.

    Parameters
    ----------
    runs : dict
        Run name -> (smoothed classifier, `rslib.smoothing.VoteCounts` from `rslib.smoothing.vote_counts`).
    settings : dict
        Legend name -> (run name, k, n, alpha).
    grid : array_like
        The numbers of pixels r.
    input_shape : tuple
        One input's shape (channels, height, width).

    Returns
    -------
    dict
        Legend name -> (grid, accuracy).
    """
    grid = np.asarray(grid)
    curves = {}
    for name, (run, k, n, alpha) in settings.items():
        smoothed, votes = runs[run]
        radius = topk_l0_radii(smoothed, votes, n, alpha, k, input_shape)
        curves[name] = (grid, results.certified_accuracy(radius, radius >= 0, grid))
    return curves

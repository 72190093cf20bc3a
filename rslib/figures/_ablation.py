"""Plotly figures for the randomized-ablation chapter, computed with `rslib.smoothing.Ablation` and
`rslib.certificates`."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from rslib import bounds, certificates, results
from rslib.figures._common import COLORS, drawn, slider
from rslib.smoothing import Ablation, generator, topk_l0_radii

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
    """The first channel of `image` (C, H, W) where `Ablation(keep)` keeps it, NaN where it ablates."""
    encoded = Ablation(keep).sample(image.unsqueeze(0), generator(seed, "cpu"))[0]
    shown = encoded[0].numpy().copy()
    shown[(encoded.sum(dim=0) == 0).numpy()] = np.nan
    return shown


def ablated_views(image: torch.Tensor, keeps=(10, 25, 50, 100, 200, 400), seeds=(0, 1, 2)) -> go.Figure:
    """What the base classifier sees: `keep` random pixels of a (C, H, W) image, the rest ablated (amber), for
    several random seeds side by side. Slider: keep."""
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


def radius_against_p_l(d=784, keeps=(25, 50, 100, 200), ks=(1, 2, 3), others=3, points=120) -> go.Figure:
    """Certified l0 radius against p_l (the rest of the mass split evenly over `others` labels), one curve per k.
    Slider: the number of kept pixels e."""
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
        title=f"Certified pixels against p_l (d = {d}; 1 − p_l split evenly over {others} other labels)",
        xaxis_title="p_l (lower bound)",
        yaxis_title="certified radius (pixels)",
        height=450,
        sliders=[slider(steps, "e = ")],
    )
    return fig


def rounding_gain(settings=((6, 2), (10, 3), (20, 3), (784, 50)), points=400) -> go.Figure:
    """Radius with Eq. 4's rounding to multiples of 1/C(d, e) minus the radius without it, against p_l
    (binary: p_other = 1 - p_l). Rounding only helps when C(d, e) is small enough for the grid to matter."""
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
        xaxis_title="p_l",
        yaxis_title="extra certified pixels",
        height=420,
    )
    return fig


def radius_against_n(
    d=784, keep=50, p_ls=(0.6, 0.8, 0.95, 0.99), alphas=(0.1, 0.01, 0.001, 0.0001), num_classes=10, k=1, ns=None
) -> go.Figure:
    """Certified l0 radius against the number of samples n when the true label's probability is p_l and the
    rest goes to one other label: the votes are their expected counts, the bounds SimuEM (Clopper-Pearson
    at alpha / num_classes per label). One curve per p_l; slider: alpha."""
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
            go.Scatter(x=ns, y=y, name=f"p_l = {p_l}", mode="lines", line={"shape": "hv", "color": COLORS[i]})
            for i, (p_l, y) in enumerate(zip(p_ls, curves(alphas[0])))
        ]
    )
    steps = [{"method": "restyle", "label": str(a), "args": [{"y": curves(a)}, list(range(len(p_ls)))]} for a in alphas]
    fig.update_layout(
        title=f"Certified pixels against the number of samples (d = {d}, e = {keep}, top-{k}, {num_classes} labels)",
        xaxis={"title": "samples n", "type": "log"},
        yaxis_title="certified radius (pixels)",
        height=450,
        sliders=[slider(steps, "α = ")],
    )
    return fig


def l0_curves(runs: dict, settings: dict, grid, input_shape: tuple) -> dict:
    """Certified top-k accuracy curves against pixels changed, for `certified_accuracy`.

    runs: run name -> (Smoothed, `rslib.smoothing.VoteCounts` from `vote_counts`); settings: legend name -> (run name, k, n,
    alpha). Each curve is the fraction of inputs whose true label is certified in the top k for >= r pixels
    (`rslib.smoothing.topk_l0_radii`), for r in grid. Returns legend name -> (grid, accuracy)."""
    grid = np.asarray(grid)
    curves = {}
    for name, (run, k, n, alpha) in settings.items():
        smoothed, votes = runs[run]
        radius = topk_l0_radii(smoothed, votes, n, alpha, k, input_shape)
        curves[name] = (grid, results.certified_accuracy(radius, radius >= 0, grid))
    return curves

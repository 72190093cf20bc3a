"""Plotly figures for the randomized-ablation chapter, computed with `rslib.noise.Ablation` and `rslib.radii`."""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import torch

from rslib import noise, radii
from rslib.viz import COLORS, _slider


def ablated_views(image: torch.Tensor, keeps=(10, 25, 50, 100, 200, 400), seed=0) -> go.Figure:
    """What the base classifier sees: `keep` random pixels of a (1, H, W) image, the rest ablated (grey).
    Slider: keep."""
    def view(keep):
        encoded = noise.Ablation(keep).sample(image.unsqueeze(0), torch.Generator().manual_seed(seed))[0]
        kept = encoded.sum(dim=0) > 0
        shown = encoded[0].numpy().copy()
        shown[~kept.numpy()] = np.nan
        return shown[::-1]

    fig = go.Figure(go.Heatmap(z=view(keeps[0]), colorscale="gray_r", zmin=0, zmax=1, showscale=False,
                               hovertemplate="value %{z:.2f}<extra></extra>"))
    steps = [{"method": "restyle", "label": str(k), "args": [{"z": [view(k)]}, [0]]} for k in keeps]
    d = image.shape[-1] * image.shape[-2]
    fig.update_layout(title=f"Randomized ablation of a {image.shape[-2]}×{image.shape[-1]} image (d = {d}); grey = ablated",
                      xaxis={"visible": False}, yaxis={"visible": False, "scaleanchor": "x"}, height=430, width=460,
                      plot_bgcolor="#bbbbbb", sliders=[_slider(steps, "pixels kept e = ")])
    return fig


def radius_against_p_l(d=784, keeps=(25, 50, 100, 200), ks=(1, 2, 3), others=3, points=120) -> go.Figure:
    """Certified l0 radius against p_l (the rest of the mass split evenly over `others` labels), one curve per k.
    Slider: the number of kept pixels e."""
    p_l = np.linspace(0.05, 0.995, points)
    p_others = np.repeat(((1 - p_l) / others)[:, None], others, axis=1)

    def curves(keep):
        return [np.where((r := radii.ablation_l0(p_l, p_others, d, keep, k)) < 0, np.nan, r) for k in ks]

    fig = go.Figure([go.Scatter(x=p_l, y=y, name=f"top-{k}", mode="lines", line={"shape": "hv", "color": COLORS[i]})
                     for i, (k, y) in enumerate(zip(ks, curves(keeps[0])))])
    steps = [{"method": "restyle", "label": str(e), "args": [{"y": curves(e)}, list(range(len(ks)))]} for e in keeps]
    fig.update_layout(title=f"Certified pixels against p_l (d = {d}; 1 − p_l split evenly over {others} other labels)",
                      xaxis_title="p_l (lower bound)", yaxis_title="certified radius (pixels)", height=450,
                      sliders=[_slider(steps, "e = ")])
    return fig


def rounding_gain(settings=((6, 2), (10, 3), (20, 3), (784, 50)), points=400) -> go.Figure:
    """Radius with Eq. 4's rounding to multiples of 1/C(d, e) minus the radius without it, against p_l
    (binary: p_other = 1 - p_l). Rounding only helps when C(d, e) is small enough for the grid to matter."""
    p_l = np.linspace(0.5, 0.999, points)
    fig = go.Figure()
    for i, (d, keep) in enumerate(settings):
        with_rounding = radii.ablation_l0(p_l, (1 - p_l)[:, None], d, keep, 1)
        without = radii.ablation_l0(p_l, (1 - p_l)[:, None], d, keep, 1, rounding=False)
        fig.add_trace(go.Scatter(x=p_l, y=with_rounding - without, mode="lines", line={"shape": "hv", "color": COLORS[i]},
                                 name=f"d = {d}, e = {keep} (C(d, e) has {len(str(math.comb(d, keep)))} digits)"))
    fig.update_layout(title="Pixels gained by rounding the bounds to the grid of ablation probabilities",
                      xaxis_title="p_l", yaxis_title="extra certified pixels", height=420)
    return fig

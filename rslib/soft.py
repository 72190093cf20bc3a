"""Soft smoothing: average the base classifier's softmax scores instead of counting its votes.

F(x) = E[softmax(f(x + eps))] is a smoothed map into the simplex. Bounds on the mean scores of the top two
classes (any bound for [0, 1] data: empirical Bernstein, betting, ...) give two certificates:
- Cohen et al.'s radius applied to F (valid for soft scores by Salman et al. 2019): sigma Phi^-1(F_A lower);
- the margin radius `radii.soft_margin_l2` from a lower bound on F_A - F_B.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from rslib import _checks, radii, sequences
from rslib.smooth import ABSTAIN, Smoothed


@dataclass(frozen=True)
class SoftCertificate:
    label: int
    score_lower: float  # lower bound on the mean score of the top class
    margin_lower: float  # lower bound on F_A - F_B
    radius_cohen: float
    radius_margin: float


def certify_soft(smoothed: Smoothed, x: torch.Tensor, n0: int, n: int, alpha: float, batch_size: int = 1000,
                 seed: int = 0) -> SoftCertificate:
    """Soft certification with betting lower bounds (each at level alpha / 2, so both radii hold together)."""
    sigma = getattr(smoothed.noise, "sigma", None)
    if sigma is None:
        raise TypeError(f"soft certification needs Gaussian noise, got {smoothed.noise!r}")
    alpha = _checks.level("alpha", alpha)
    generator = torch.Generator(device=smoothed.device).manual_seed(_checks.count("seed", seed, minimum=0))
    selection = smoothed.sample_scores(x, _checks.count("n0", n0), batch_size, generator).mean(dim=0)
    top2 = selection.topk(2).indices.tolist()
    scores = smoothed.sample_scores(x, n, batch_size, generator)[:, top2].double().cpu().numpy()
    score_lower = sequences.betting_lower(scores[:, 0], alpha / 2, n=n)
    margin_lower = 2.0 * sequences.betting_lower((scores[:, 0] - scores[:, 1] + 1.0) / 2.0, alpha / 2, n=n) - 1.0
    if score_lower < 0.5 and margin_lower <= 0:
        return SoftCertificate(ABSTAIN, score_lower, margin_lower, 0.0, 0.0)
    return SoftCertificate(top2[0], score_lower, margin_lower, float(radii.gaussian_l2(score_lower, sigma)),
                           float(radii.soft_margin_l2(margin_lower, sigma)))

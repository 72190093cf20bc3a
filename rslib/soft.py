"""Soft smoothing: average the base classifier's softmax scores instead of counting its votes.

F(x) = E[softmax(f(x + eps))] is a smoothed map into the simplex. Bounds on mean scores (any bound for [0, 1]
data: empirical Bernstein, betting, ...) give two certificates:
- Cohen et al.'s radius applied to F (valid for soft scores by Salman et al. 2019): sigma Phi^-1(F_A lower);
- the margin radius `radii.soft_margin_l2` from a lower bound on F_A - max_{C != A} F_C. A bound on F_A - F_B
  for one runner-up B picked from samples is not one: if another class is the true runner-up, F_A - F_B
  overstates the margin. So every other class C gets its own bound on F_A - F_C, and the smallest counts.
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
    margin_lower: float  # lower bound on F_A - max over C != A of F_C
    radius_cohen: float
    radius_margin: float


def certify_soft(smoothed: Smoothed, x: torch.Tensor, n0: int, n: int, alpha: float, batch_size: int = 1000,
                 seed: int = 0) -> SoftCertificate:
    """Soft certification with betting lower bounds: the top class's score at level alpha / 2, and its differences
    to each of the m - 1 other classes at alpha / (2 (m - 1)) (Bonferroni), so that both radii hold together.

    A radius is 0 where its bound does not certify (score bound <= 1/2, or margin bound <= 0: the theorems
    need strict inequalities); the label is ABSTAIN when neither certifies."""
    sigma = getattr(smoothed.noise, "sigma", None)
    if sigma is None:
        raise TypeError(f"soft certification needs Gaussian noise, got {smoothed.noise!r}")
    alpha = _checks.level("alpha", alpha)
    generator = smoothed._generator(seed)
    selection = smoothed.sample_scores(x, _checks.count("n0", n0), batch_size, generator).mean(dim=0)
    label = int(selection.argmax())
    scores = smoothed.sample_scores(x, n, batch_size, generator).double().cpu().numpy()
    others = [c for c in range(scores.shape[1]) if c != label]
    score_lower = sequences.betting_lower(scores[:, label], alpha / 2, n=n)
    margin_lower = min(2.0 * sequences.betting_lower((scores[:, label] - scores[:, c] + 1.0) / 2.0,
                                                     alpha / (2 * len(others)), n=n) - 1.0 for c in others)
    # Each theorem needs a strict inequality (F_A > 1/2; F_A - F_C > 0): a bound on the boundary certifies nothing.
    radius_cohen = float(radii.gaussian_l2(score_lower, sigma)) if score_lower > 0.5 else 0.0
    radius_margin = float(radii.soft_margin_l2(margin_lower, sigma)) if margin_lower > 0 else 0.0
    if not (radius_cohen > 0 or radius_margin > 0):
        return SoftCertificate(ABSTAIN, score_lower, margin_lower, 0.0, 0.0)
    return SoftCertificate(label, score_lower, margin_lower, radius_cohen, radius_margin)

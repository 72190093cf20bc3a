"""The certificates of rslib that turn bounds p_A (top class) and p_B (runner-up) into a radius, side by side,
for the same bounds and noise level. Not here: top-k certificates for k > 1 (they need every competing class's
bound) and the margin-only and soft-score radii of chapter 5 (they start from a margin or from mean scores).

Additive-noise certificates are compared at equal noise variance: Gaussian sigma, Laplace scale
sigma / sqrt(2). The ablation certificate counts pixels of a d-pixel image with `keep` pixels kept.
"""
from __future__ import annotations

import numpy as np

from rslib import radii


def all_radii(p_a, p_b, sigma, d=784, keep=50) -> dict:
    """name -> (norm, radius) for each certificate of this module, at bounds p_a (top class) and p_b (runner-up).

    p_b=None means the binary bound 1 - p_a for the certificates that accept it; the Renyi, PixelDP and
    ablation certificates then use p_b = 1 - p_a.
    """
    scale = sigma / np.sqrt(2.0)
    pair_b = 1.0 - p_a if p_b is None else p_b
    rows = {
        "Gaussian, Cohen et al. (Thm 1)": ("l2", radii.gaussian_l2(p_a, sigma, p_b)),
        "Gaussian, Rényi bound (Li et al. Thm 2)": ("l2", radii.renyi_l2(p_a, pair_b, sigma)),
        "Gaussian, PixelDP": ("l2", radii.pixeldp_l2(p_a, pair_b, sigma)),
        "Gaussian, Cohen et al. read in l1": ("l1", radii.gaussian_l1(p_a, sigma, p_b)),
        "Laplace, Theorem 1/2 (l1 paper)": ("l1", radii.laplace_l1(p_a, scale, p_b)),
        "Laplace, Lecuyer et al.": ("l1", radii.lecuyer_l1(p_a, scale, p_b)),
        "Laplace, Rényi bound (Li et al. Thm 3)": ("l1", radii.renyi_l1(p_a, pair_b, scale)),
        f"Ablation, Jia et al. (d = {d}, e = {keep})": (
            "l0", float(radii.ablation_l0(p_a, [[pair_b]], d, keep, 1)[0])),
    }
    return {name: (norm, float(r)) for name, (norm, r) in rows.items()}

"""Certified radii: one function per theorem, vectorised over numpy arrays of probability bounds.

Conventions shared by every function here:
- `p_a` is a lower bound on the probability of the top class, `p_b` an upper bound on the runner-up's;
  `p_b=None` means the binary bound p_b = 1 - p_a.
- The radius is 0 wherever the bounds do not certify (p_a <= p_b); it is `inf` only when p_a = 1 and
  p_b = 0 exactly (no finite confidence bound returns these).
- Bounds that cannot both hold (p_a + p_b > 1) are rejected rather than turned into a radius.
"""
from __future__ import annotations

import numpy as np
from scipy.stats import norm

from rslib import _checks

_SUM_TOLERANCE = 1e-9


def _bounds(p_a, p_b) -> tuple[np.ndarray, np.ndarray]:
    p_a = _checks.probability("p_a", p_a)
    p_b = 1.0 - p_a if p_b is None else _checks.probability("p_b", p_b)
    p_a, p_b = np.broadcast_arrays(p_a, p_b)
    if (p_a + p_b > 1.0 + _SUM_TOLERANCE).any():
        raise ValueError("p_a + p_b must be at most 1 (p_a bounds the top class from below, p_b another "
                         "class from above); got bounds that cannot both hold")
    return p_a, p_b


def _scalar_if_0d(radius: np.ndarray):
    return radius[()] if radius.ndim == 0 else radius


def gaussian_l2(p_a, sigma, p_b=None):
    """l2 radius of Gaussian smoothing N(0, sigma^2 I): Cohen et al. (2019), Theorem 1.

        R = sigma / 2 * (Phi^-1(p_a) - Phi^-1(p_b)),   which for p_b = 1 - p_a is sigma * Phi^-1(p_a).

    The smoothed classifier's prediction is constant on the open l2 ball of radius R.
    """
    sigma = _checks.positive("sigma", sigma)
    p_a, p_b = _bounds(p_a, p_b)
    with np.errstate(invalid="ignore"):  # inf - inf where p_a = 1, p_b = 1 cannot occur: sum <= 1
        radius = sigma / 2.0 * (norm.ppf(p_a) - norm.ppf(p_b))
    return _scalar_if_0d(np.where(p_a > p_b, radius, 0.0))


def laplace_l1(p_a, scale, p_b=None):
    """l1 radius of i.i.d. Laplace(scale) smoothing (the l1 paper's Theorems 1 and 2).

    With p_b given (multi-class, Theorem 1):
        R = max( scale/2 * log(p_a / p_b),  -scale * log(1 - p_a + p_b) ).
    With p_b None (binary, Theorem 2, tight by Theorem 3):
        R = -scale * log(2 (1 - p_a))   for p_a > 1/2.
    """
    scale = _checks.positive("scale", scale)
    binary = p_b is None
    p_a, p_b = _bounds(p_a, p_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        if binary:
            radius = -scale * np.log(2.0 * (1.0 - p_a))
        else:
            ratio_term = scale / 2.0 * (np.log(p_a) - np.log(p_b))  # no overflow for tiny p_b
            gap_term = -scale * np.log1p(-(p_a - p_b))
            radius = np.maximum(ratio_term, gap_term)
    return _scalar_if_0d(np.where(p_a > p_b, radius, 0.0))


def lecuyer_l1(p_a, scale, p_b=None):
    """l1 radius of Laplace(scale) smoothing from differential privacy (Lecuyer et al. 2019), the baseline:

        R = scale / 2 * log(p_a / p_b),   with p_b = 1 - p_a in the binary form.

    Each side of the DP inequality P(f(X) in S) <= exp(||delta||_1 / scale) P(f(Y) in S) costs a factor,
    hence the 1/2. Theorem 1 of the l1 paper is never smaller than this in the binary case.
    """
    scale = _checks.positive("scale", scale)
    p_a, p_b = _bounds(p_a, p_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        radius = scale / 2.0 * (np.log(p_a) - np.log(p_b))
    return _scalar_if_0d(np.where(p_a > p_b, radius, 0.0))


def gaussian_l1(p_a, sigma, p_b=None):
    """The Gaussian l2 radius read as an l1 radius: valid because ||delta||_2 <= ||delta||_1, so the l1 ball
    of radius R lies inside the l2 ball of radius R. It is the largest l1 ball inside that l2 ball, so it
    is the best l1 certificate the Gaussian l2 guarantee gives (the l1 paper's comparison with Cohen et al.).
    """
    return gaussian_l2(p_a, sigma, p_b)

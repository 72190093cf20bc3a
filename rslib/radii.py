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


def _renyi_objective(log_beta, log_a, log_b, a, b):
    """-(1/alpha) log(1 - a - b + 2 M_{1-alpha}(a, b)) at alpha = 1 + exp(log_beta), computed in log space.

    M_{1-alpha}(a, b) = ((a^-beta + b^-beta) / 2)^(-1/beta) with beta = alpha - 1, so
    log M = -(logaddexp(-beta log a, -beta log b) - log 2) / beta, which never overflows.
    """
    beta = np.exp(log_beta)
    alpha = 1.0 + beta
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        log_mean = -(np.logaddexp(-beta * log_a, -beta * log_b) - np.log(2.0)) / beta
        gap = a + b - 2.0 * np.exp(log_mean)  # in [0, a - b]: the power mean lies between b and (a + b) / 2
        return -np.log1p(-np.clip(gap, 0.0, 1.0)) / alpha


def renyi_l2(p_a, p_b, sigma, log_beta_range=(-12.0, 8.0), grid=64, refinements=40):
    """l2 radius from the Renyi-divergence bound (Li et al. 2019, Theorem 2):

        R^2 = sup_{alpha > 1}  -(2 sigma^2 / alpha) log(1 - p_a - p_b + 2 M_{1-alpha}(p_a, p_b)),
        M_r(a, b) = ((a^r + b^r) / 2)^(1/r)   (the generalised mean).

    p_a: lower bound on the top class, p_b: upper bound on the runner-up (both required: no binary form).
    The supremum is taken over alpha = 1 + exp(t): a grid over t, then golden-section refinement around
    the best grid point, vectorised over all inputs. Never larger than `gaussian_l2` (the tight bound).
    """
    sigma = _checks.positive("sigma", sigma)
    if p_b is None:
        raise ValueError("p_b must be given: the Renyi bound needs an upper bound on the runner-up class")
    p_a, p_b = _bounds(p_a, p_b)
    a, b = p_a.astype(float).ravel(), p_b.astype(float).ravel()
    with np.errstate(divide="ignore"):
        log_a, log_b = np.log(a), np.log(b)
    t = np.linspace(*log_beta_range, grid)
    values = _renyi_objective(t[:, None], log_a, log_b, a, b)
    best = np.argmax(values, axis=0)
    low, high = t[np.maximum(best - 1, 0)], t[np.minimum(best + 1, grid - 1)]
    inv_phi = (np.sqrt(5.0) - 1.0) / 2.0
    for _ in range(refinements):  # golden-section search on [low, high], every input at once
        left, right = high - inv_phi * (high - low), low + inv_phi * (high - low)
        go_right = _renyi_objective(left, log_a, log_b, a, b) < _renyi_objective(right, log_a, log_b, a, b)
        low, high = np.where(go_right, left, low), np.where(go_right, high, right)
    best_value = np.maximum(values.max(axis=0), _renyi_objective((low + high) / 2, log_a, log_b, a, b))
    radius = np.sqrt(2.0 * sigma**2 * np.maximum(best_value, 0.0)).reshape(p_a.shape)
    return _scalar_if_0d(np.where(p_a > p_b, radius, 0.0))


def renyi_l1(p_a, p_b, scale):
    """l1 radius from the Renyi bound with Laplace(scale) noise (Li et al. 2019, Theorem 3):

        R = -scale * log(1 - p_a + p_b),

    the alpha -> infinity limit; it equals the second term of the l1 paper's Theorem 1.
    """
    scale = _checks.positive("scale", scale)
    if p_b is None:
        raise ValueError("p_b must be given: the Renyi bound needs an upper bound on the runner-up class")
    p_a, p_b = _bounds(p_a, p_b)
    with np.errstate(divide="ignore"):
        radius = -scale * np.log1p(-(p_a - p_b))
    return _scalar_if_0d(np.where(p_a > p_b, radius, 0.0))


def pixeldp_l2(p_a, p_b, sigma, max_epsilon=1.0, grid=400):
    """l2 radius of PixelDP (Lecuyer et al. 2019) with the Gaussian mechanism, maximised over (epsilon, delta)
    as Li et al.'s Appendix A does. For a given delta the condition (with its delta term, see the errata)

        p_a >= exp(2 epsilon) p_b + (1 + exp(epsilon)) delta

    is a quadratic in u = exp(epsilon), whose largest root gives the largest epsilon; the radius is then
    sigma * epsilon / sqrt(2 log(1.25 / delta)). epsilon is capped at max_epsilon = 1, the range in which
    the Gaussian mechanism's calibration holds. delta is searched on a log grid in (1e-12, 1/(1+e)).
    """
    sigma = _checks.positive("sigma", sigma)
    if p_b is None:
        raise ValueError("p_b must be given: PixelDP's condition needs an upper bound on the runner-up class")
    p_a, p_b = _bounds(p_a, p_b)
    delta = np.geomspace(1e-12, 1.0 / (1.0 + np.e), grid)[:, None]
    a, b = p_a.ravel()[None, :], p_b.ravel()[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        disc = delta**2 - 4.0 * b * (delta - a)
        u = np.where(b > 0, (-delta + np.sqrt(np.maximum(disc, 0.0))) / (2.0 * b), (a - delta) / delta)
        epsilon = np.minimum(np.log(u), max_epsilon)
        radius = np.where((epsilon > 0) & (disc >= 0), sigma * epsilon / np.sqrt(2.0 * np.log(1.25 / delta)), 0.0)
    return _scalar_if_0d(np.nan_to_num(radius.max(axis=0)).reshape(p_a.shape))

"""Exact binomial confidence bounds: Clopper-Pearson, one class or every class at once."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import beta, norm

from rslib import _checks

__all__ = ["MAX_N", "clopper_pearson", "simultaneous_clopper_pearson", "ClassBounds", "unanimous_samples_for_radius"]

MAX_N = 10**15
"""The largest number of trials accepted: beyond 1e15 Boost's beta quantiles saturate (the upper bound for
1 success in 4e17 comes out a hundred times too small), so such counts are refused rather than bounded unsoundly."""
_ULPS = 16 * _checks.EPS  # the closed-form quantiles: a log, a division and an exp


def _counts(k, n) -> tuple[np.ndarray, np.ndarray]:
    k_arr, n_arr = np.asarray(k), np.asarray(n)
    for name, arr in (("k", k_arr), ("n", n_arr)):
        if not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{name} must be an integer count (or array of counts), got dtype {arr.dtype}")
    if (n_arr < 1).any():
        raise ValueError(f"n must be >= 1, got {n!r}")
    if (n_arr > MAX_N).any():
        raise ValueError(f"n must be at most 10**15 (beyond, the beta quantiles lose their accuracy), got {n!r}")
    if ((k_arr < 0) | (k_arr > n_arr)).any():
        raise ValueError(f"k must lie in [0, n], got k={k!r}, n={n!r}")
    k_arr, n_arr = np.broadcast_arrays(k_arr, n_arr)
    return k_arr, n_arr


def _beta_quantile(level, a, b):
    """The `level` quantile q of Beta(a, b) (scipy's inverse) and a bound on its error relative to
    min(q, 1 - q) (near 1 the inverse works with the complement, as it must for a tail probability).

    Boost's incomplete beta function, behind both scipy's inverse and its forward CDF, loses accuracy as n
    grows: against mpmath, the quantile is off by up to ~1e-12 relative for n in the thousands and ~1e-9
    for n near 1e8, about n ulps. The margin is 1e-12 + 4 n eps, capped at 1e-6 (a negligible change to a
    probability bound, and still above every error measured, up to MAX_N)."""
    n = np.asarray(a + b - 1, dtype=float)
    return beta.ppf(level, a, b), np.minimum(1e-12 + 4 * _checks.EPS * n, 1e-6)


def clopper_pearson(k: ArrayLike, n: ArrayLike, alpha: float, side: str = "lower") -> np.float64 | np.ndarray:
    r"""One-sided exact (Clopper-Pearson) confidence bound on a binomial proportion.

    From k successes in n trials, the lower bound is the alpha quantile of Beta(k, n - k + 1) (0 when
    k = 0) and the upper bound the 1 - alpha quantile of Beta(k + 1, n - k) (1 when k = n): the
    proportions at which a one-sided binomial test of level alpha stops rejecting. For k = n the lower
    bound is :math:`\alpha^{1/n}`; at k in {0, 1, n - 1, n} these closed forms are used instead of the
    iterative inverse, whose error grows with n elsewhere (bounded in `_beta_quantile`).

    The quantile is moved toward safety by a bound on its floating-point error (a lower bound down, an
    upper bound up), so that it is never on the wrong side of the exact one; in particular a lower bound
    stays below 1 for every n (alpha^(1/n) rounds to 1 for n >= 2e17).

    Parameters
    ----------
    k : int or array_like of int
        Successes, in [0, n].
    n : int or array_like of int
        Trials, in [1, 10**15] (beyond, the beta quantiles lose their accuracy). Broadcasts with k.
    alpha : float
        Error level, in (0, 1): the bound holds with probability >= 1 - alpha.
    side : {"lower", "upper"}, default "lower"
        Which bound: a lower bound on the proportion, or an upper one.

    Returns
    -------
    numpy.float64 or numpy.ndarray
        The bound, in [0, 1]; a scalar for scalar counts.

    Raises
    ------
    TypeError
        If k or n is not an integer count.
    ValueError
        If k is outside [0, n], n outside [1, 10**15], alpha outside (0, 1), or side unknown.

    References
    ----------
    C. J. Clopper, E. S. Pearson. The use of confidence or fiducial limits illustrated in the case of the
    binomial. Biometrika 26(4), 1934.
    """
    alpha = _checks.level("alpha", alpha)
    k, n = _counts(k, n)
    with np.errstate(invalid="ignore"):  # Beta with a zero parameter; those entries are replaced below
        if side == "lower":
            general, error = _beta_quantile(alpha, k, n - k + 1)
            closed = (k == n) | (k == 1)  # alpha^(1/n) and 1 - (1 - alpha)^(1/n), to a few ulps
            quantile = np.where(
                k == n, np.exp(np.log(alpha) / n), np.where(k == 1, -np.expm1(np.log1p(-alpha) / n), general)
            )
            error = np.where(closed, _ULPS, error)
            bound = np.where(
                k == 0,
                0.0,
                np.clip(_checks.round_down(quantile, error * np.minimum(quantile, 1.0 - quantile), _ULPS), 0.0, 1.0),
            )
        elif side == "upper":
            general, error = _beta_quantile(1.0 - alpha, k + 1, n - k)
            closed = (k == 0) | (k == n - 1)  # 1 - alpha^(1/n) and (1 - alpha)^(1/n), to a few ulps
            quantile = np.where(
                k == 0, -np.expm1(np.log(alpha) / n), np.where(k == n - 1, np.exp(np.log1p(-alpha) / n), general)
            )
            error = np.where(closed, _ULPS, error)
            bound = np.where(
                k == n,
                1.0,
                np.clip(_checks.round_up(quantile, error * np.minimum(quantile, 1.0 - quantile), _ULPS), 0.0, 1.0),
            )
        else:
            raise ValueError(f"side must be 'lower' or 'upper', got {side!r}")
    return bound[()] if bound.ndim == 0 else bound


class ClassBounds(NamedTuple):
    """Confidence bounds for every class, as `simultaneous_clopper_pearson` returns them.

    Attributes
    ----------
    lower : numpy.ndarray
        Lower bound on each class's probability, shaped like the counts.
    upper : numpy.ndarray
        Upper bound on each class's probability, shaped like the counts.
    """

    lower: np.ndarray
    upper: np.ndarray


def simultaneous_clopper_pearson(counts: ArrayLike, alpha: float) -> ClassBounds:
    """One-sided Clopper-Pearson bounds for every class at the Bonferroni level alpha / c (SimuEM).

    Any c of the returned bounds that concern different classes hold together with probability
    >= 1 - alpha; in particular the lower bound of one class with the upper bounds of all the others,
    which is what a certificate uses. (All 2c bounds hold together with probability >= 1 - 2 alpha.)

    Parameters
    ----------
    counts : array_like of int, shape (..., c)
        Votes per class, c >= 2 classes on the last axis.
    alpha : float
        Error level, in (0, 1).

    Returns
    -------
    ClassBounds
        (lower, upper), each shaped like `counts`.

    Raises
    ------
    ValueError
        If counts has no last axis of at least 2 classes, a count is negative, or alpha is not in (0, 1).
    TypeError
        If the counts are not integers.

    References
    ----------
    J. Jia, X. Cao, B. Wang, N. Z. Gong. Certified robustness for top-k predictions against adversarial
    perturbations via randomized smoothing. ICLR 2020.
    """
    counts = np.asarray(counts)
    if counts.ndim < 1 or counts.shape[-1] < 2:
        raise ValueError(f"counts must have a last axis with one entry per class (>= 2), got shape {counts.shape}")
    n = counts.sum(axis=-1, keepdims=True)
    per_class = _checks.level("alpha", alpha) / counts.shape[-1]
    lower = clopper_pearson(counts, n, per_class, side="lower")
    upper = clopper_pearson(counts, n, per_class, side="upper")
    return ClassBounds(np.asarray(lower), np.asarray(upper))  # arrays already (counts has a class axis): for mypy


def unanimous_samples_for_radius(radius: float, *, sigma: float, alpha: float) -> int:
    r"""The smallest n at which n unanimous votes certify the l2 `radius` under Gaussian noise:

    .. math:: n = \left\lceil \frac{\ln\alpha}{\ln\Phi(r/\sigma)} \right\rceil,

    because n votes out of n give the Clopper-Pearson bound :math:`\alpha^{1/n}`, and
    :math:`\sigma\Phi^{-1}(\alpha^{1/n}) \ge r` exactly when :math:`\alpha^{1/n} \ge \Phi(r/\sigma)`.

    Parameters
    ----------
    radius : float
        The l2 radius, > 0.
    sigma : float
        Standard deviation of the noise, > 0 (keyword-only).
    alpha : float
        Error level, in (0, 1) (keyword-only).

    Returns
    -------
    int
        The sample size n.

    Raises
    ------
    ValueError
        If radius or sigma is not a finite number in (0, 1e100], alpha not in (0, 1), or Phi(radius / sigma)
        rounds to 1, so that no sample size can be computed.

    References
    ----------
    C. J. Clopper, E. S. Pearson. The use of confidence or fiducial limits illustrated in the case of the
    binomial. Biometrika 26(4), 1934.
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """
    radius = _checks.positive("radius", radius)
    sigma = _checks.positive("sigma", sigma)
    alpha = _checks.level("alpha", alpha)
    log_phi = float(norm.logcdf(radius / sigma))
    if log_phi == 0.0:
        raise ValueError(
            f"radius / sigma = {radius / sigma:g} is too large: Phi(radius / sigma) rounds to 1, "
            "so no sample size can be computed"
        )
    return int(math.ceil(math.log(alpha) / log_phi))

"""Closed-form confidence bounds for the mean of [0, 1]-valued observations: Hoeffding, empirical Bernstein."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rslib import _checks

__all__ = ["hoeffding", "empirical_bernstein"]


def _side(side: str) -> str:
    if side not in ("lower", "upper"):
        raise ValueError(f"side must be 'lower' or 'upper', got {side!r}")
    return side


def hoeffding(mean: ArrayLike, n: int, alpha: float, side: str = "lower") -> np.float64 | np.ndarray:
    r"""One-sided Hoeffding bound for the mean of n independent [0, 1]-valued variables.

    .. math:: \bar X_n \mp \sqrt{\frac{\log(1/\alpha)}{2n}}

    Parameters
    ----------
    mean : float or array_like
        The sample mean(s), in [0, 1].
    n : int
        Number of observations, >= 1.
    alpha : float
        Error level, in (0, 1).
    side : {"lower", "upper"}, default "lower"
        Which bound: below the mean, or above it.

    Returns
    -------
    numpy.float64 or numpy.ndarray
        The bound, clipped to [0, 1] and rounded toward safety; shaped like `mean`.

    Raises
    ------
    ValueError
        If a mean lies outside [0, 1], n < 1, alpha is not in (0, 1), or side is unknown.

    References
    ----------
    W. Hoeffding. Probability inequalities for sums of bounded random variables. JASA 58(301), 1963.
    """
    alpha = _checks.level("alpha", alpha)
    n = _checks.count("n", n)
    side = _side(side)
    width = np.sqrt(np.log(1.0 / alpha) / (2.0 * n))
    mean = _checks.probability("mean", mean)
    error = 4 * _checks.EPS * (np.abs(mean) + width)
    bound = _checks.round_down(mean - width, error) if side == "lower" else _checks.round_up(mean + width, error)
    return np.clip(bound, 0.0, 1.0)[()]


def empirical_bernstein(x: ArrayLike, alpha: float, side: str = "lower") -> np.float64:
    r"""One-sided empirical Bernstein bound for the mean of [0, 1]-valued observations (Maurer & Pontil 2009,
    Theorem 4):

    .. math:: \bar X_n \mp \left(\sqrt{\frac{2 V_n \log(2/\alpha)}{n}} + \frac{7\log(2/\alpha)}{3(n - 1)}\right),

    with :math:`V_n` the unbiased sample variance. (The log(2/alpha) comes from a union of two events.)

    Parameters
    ----------
    x : array_like, shape (n,)
        At least 2 observations in [0, 1].
    alpha : float
        Error level, in (0, 1).
    side : {"lower", "upper"}, default "lower"
        Which bound: below the mean, or above it.

    Returns
    -------
    numpy.float64
        The bound, clipped to [0, 1] and rounded toward safety.

    Raises
    ------
    ValueError
        If x is not 1-D with at least 2 observations in [0, 1], alpha is not in (0, 1), or side is unknown.

    References
    ----------
    A. Maurer, M. Pontil. Empirical Bernstein bounds and sample variance penalization. COLT 2009.
    """
    alpha = _checks.level("alpha", alpha)
    side = _side(side)
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 2 or (x < 0).any() or (x > 1).any() or np.isnan(x).any():
        raise ValueError("x must be a 1-D array of at least 2 observations in [0, 1]")
    n = x.size
    log_term = np.log(2.0 / alpha)
    width = np.sqrt(2.0 * x.var(ddof=1) * log_term / n) + 7.0 * log_term / (3.0 * (n - 1))
    # the mean and the variance are pairwise sums: an error of about log2(n) ulps of the terms' size
    error = (8 + np.log2(n)) * _checks.EPS * (x.mean() + width)
    bound = (
        _checks.round_down(x.mean() - width, error) if side == "lower" else _checks.round_up(x.mean() + width, error)
    )
    return np.float64(np.clip(bound, 0.0, 1.0))

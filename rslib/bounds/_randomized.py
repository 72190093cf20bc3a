"""Randomized Clopper-Pearson bounds: exact coverage 1 - alpha, never weaker than Clopper-Pearson."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import betainc

from rslib import _checks, _seeds
from rslib.bounds._binomial import _counts, clopper_pearson

__all__ = ["RandomizedBound", "randomized_clopper_pearson"]

_BISECTIONS = 1100  # enough to reach adjacent floats from [0, 1], even for roots near 1e-300


class RandomizedBound(NamedTuple):
    """A randomized bound and the uniform draw it used (`randomized_clopper_pearson`).

    Attributes
    ----------
    bound : numpy.float64 or numpy.ndarray
        The confidence bound, in [0, 1].
    u : numpy.float64 or numpy.ndarray
        The uniform U in (0, 1] drawn for each count.
    seed : int
        The seed U was drawn from: the same seed gives the same U, hence the same bound.
    """

    bound: np.ndarray
    u: np.ndarray
    seed: int


def _tail(j, n, p):
    """P(X >= j) for X ~ Bin(n, p) (the regularized incomplete beta I_p(j, n - j + 1)); 1 for j <= 0, 0 for j > n."""
    with np.errstate(invalid="ignore"):
        inner = betainc(np.maximum(j, 1), np.maximum(n - j + 1, 1), p)
    return np.where(j <= 0, 1.0, np.where(j > n, 0.0, inner))


def _pvalue(k, n, p0, u):
    """The randomized p-value of "p <= p0" after k successes: P_p0(X > k) + u P_p0(X = k)."""
    return (1.0 - u) * _tail(k + 1, n, p0) + u * _tail(k, n, p0)


def _lower(k, n, alpha, u) -> np.ndarray:
    """The randomized lower bound for counts k of n and uniforms u (arrays of one shape), rounded down.

    The root of pvalue(p0) = alpha, which is increasing in p0, by bisection on the computed p-value held to
    alpha (1 - error): the betainc values (and so their weighted mean) are accurate to a relative 1e-12 +
    4 n eps (the margin `_binomial._beta_quantile` uses, capped at 1e-6), so where the computed p-value is
    below that level the exact one is below alpha, and the bracket end kept there lies below the exact root.
    """
    error = np.minimum(1e-12 + 4 * _checks.EPS * n, 1e-6)
    target = alpha * (1.0 - 2.0 * error)
    lo = np.asarray(clopper_pearson(k, n, alpha), dtype=float)  # the bound at u = 1: below the root
    lo = np.where(_pvalue(k, n, lo, u) <= target, lo, 0.0)  # where the computed value disagrees, start at 0
    # at p0 = 0 the p-value is u for k = 0 (0 otherwise): above the level, no p0 is rejected and L = 0
    hi = np.where((lo == 0) & (k == 0) & (u > target), 0.0, 1.0)
    for _ in range(_BISECTIONS):
        mid = lo + (hi - lo) / 2
        moved = (mid > lo) & (mid < hi)
        if not moved.any():
            break
        below = _pvalue(k, n, mid, u) <= target
        lo = np.where(moved & below, mid, lo)
        hi = np.where(moved & ~below, mid, hi)
    return np.where(lo > 0, np.nextafter(lo, 0.0), 0.0)


def randomized_clopper_pearson(
    k: ArrayLike, n: ArrayLike, alpha: float, *, seed: int, side: str = "lower"
) -> RandomizedBound:
    r"""One-sided randomized Clopper-Pearson bound on a binomial proportion, with exact coverage 1 - alpha.

    With U uniform on (0, 1] and independent of the count k, the randomized p-value of "p <= p0" is

    .. math:: \pi_k(p_0; U) = P_{p_0}(X > k) + U \, P_{p_0}(X = k),

    exactly uniform when p = p0 (the randomization fills the atoms of the binomial law) and increasing in
    p0. The lower bound L solves :math:`\pi_k(L; U) = \alpha`, so :math:`P_p(L > p) = \alpha` exactly at
    every p: the one-sided Clopper-Pearson bound (U = 1) has coverage >= 1 - alpha, strictly more where the
    law is coarse, and this bound spends exactly alpha. L lies between the Clopper-Pearson bounds of k and
    k + 1, so it is never below Clopper-Pearson's. The upper bound is 1 - L(n - k). For k = n, L =
    (alpha / U)^(1/n); when U <= alpha (probability alpha) every p0 < 1 is rejected and L is the largest
    float below 1 (any cap keeps the coverage).

    U is drawn from `seed` (numpy's PCG64 through SeedSequence, one U per count, 1 - U of its uniform on
    [0, 1)) and returned with the bound, so that the bound can be recomputed. The seed must be fixed
    before the count is seen: drawing U again until a bound is large enough would void the guarantee.

    Rounded toward safety: the root is bracketed on the computed p-value held below alpha by its error
    bound, so a lower bound never exceeds the exact root (an upper bound never falls below it).

    Parameters
    ----------
    k : int or array_like of int
        Successes, in [0, n].
    n : int or array_like of int
        Trials, in [1, 10**15]. Broadcasts with k.
    alpha : float
        Error level, in (0, 1): P(bound on the wrong side of p) = alpha.
    seed : int
        Seed of U, in [0, 2**63 - 1] (keyword-only).
    side : {"lower", "upper"}, default "lower"

    Returns
    -------
    RandomizedBound
        (bound, u, seed); scalars for scalar counts.

    Raises
    ------
    TypeError
        If k or n is not an integer count, or seed not an integer.
    ValueError
        If k is outside [0, n], n outside [1, 10**15], alpha outside (0, 1), seed negative, or side unknown.

    References
    ----------
    V. Voracek. Treatment of statistical estimation problems in randomized smoothing for adversarial
    robustness. NeurIPS 2024. (The randomized binomial test: E. L. Lehmann, J. P. Romano, Testing
    Statistical Hypotheses, 3rd ed., Springer 2005, Section 3.4.)
    """
    alpha = _checks.level("alpha", alpha)
    seed = _seeds.check_seed(seed)
    if side not in ("lower", "upper"):
        raise ValueError(f"side must be 'lower' or 'upper', got {side!r}")
    k_arr, n_arr = _counts(k, n)
    u = 1.0 - np.random.default_rng(seed).random(k_arr.shape)  # in (0, 1]
    # The exact root lies beyond the exact Clopper-Pearson bound, which lies beyond its computed (outward
    # rounded) value: taking the tighter of the two computed bounds stays sound, and keeps "never weaker than
    # Clopper-Pearson" where the p-value is so flat near alpha (alpha close to 1) that holding it below alpha
    # by its error bound moves the bisection's end further than Clopper-Pearson's own margin does.
    if side == "lower":
        bound = np.maximum(_lower(k_arr, n_arr, alpha, u), clopper_pearson(k_arr, n_arr, alpha, side="lower"))
    else:
        bound = np.minimum(np.nextafter(1.0 - _lower(n_arr - k_arr, n_arr, alpha, u), 2.0), 1.0)
        bound = np.minimum(bound, clopper_pearson(k_arr, n_arr, alpha, side="upper"))
    if bound.ndim == 0:
        return RandomizedBound(bound[()], u[()], seed)
    return RandomizedBound(bound, u, seed)

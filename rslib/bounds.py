"""Confidence bounds on class probabilities from Monte Carlo counts.

`clopper_pearson` is the exact binomial bound Cohen et al. (2019) use; `simultaneous_clopper_pearson`
bounds every class at once with a Bonferroni correction, so that one bound per class holds for all
classes together with probability at least 1 - alpha (Jia et al. 2020's SimuEM).
"""
from __future__ import annotations

import math
import time

import numpy as np
from scipy import optimize
from scipy.stats import beta, binom, norm

from rslib import _checks

# Beyond 1e15 trials Boost's beta quantiles saturate (the upper bound for 1 success in 4e17 came out a
# hundred times too small): such counts are refused rather than bounded unsoundly
MAX_N = 10**15
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
    return np.broadcast_arrays(k_arr, n_arr)


def _beta_quantile(level, a, b):
    """The `level` quantile q of Beta(a, b) (scipy's inverse) and a bound on its error relative to
    min(q, 1 - q) (near 1 the inverse works with the complement, as it must for a tail probability).

    Boost's incomplete beta function, behind both scipy's inverse and its forward CDF, loses accuracy as n
    grows: against mpmath, the quantile was off by up to ~1e-12 relative for n in the thousands and ~1e-9
    for n near 1e8, about n ulps. The margin is 1e-12 + 4 n eps, capped at 1e-6 (a negligible change to a
    probability bound, and still above every error measured, up to MAX_N)."""
    n = np.asarray(a + b - 1, dtype=float)
    return beta.ppf(level, a, b), np.minimum(1e-12 + 4 * _checks.EPS * n, 1e-6)


def clopper_pearson(k, n, alpha, side="lower"):
    """One-sided exact (Clopper-Pearson) bound on a binomial proportion from k successes in n trials.

    side="lower": the alpha quantile of Beta(k, n - k + 1) (0 when k = 0);
    side="upper": the 1 - alpha quantile of Beta(k + 1, n - k) (1 when k = n).
    At k in {0, 1, n - 1, n} the quantiles have closed forms (alpha^(1/n) and its kin), used instead of the
    iterative inverse; elsewhere the inverse's error grows with n (see _beta_quantile).
    Each holds with probability at least 1 - alpha. Vectorised over k and n. The quantile is moved a few
    ulps toward safety (a lower bound down, an upper bound up), so that it never exceeds the exact one: in
    particular a lower bound is below 1 for every n (alpha^(1/n) rounds to 1 for n >= 2e17).
    """
    alpha = _checks.level("alpha", alpha)
    k, n = _counts(k, n)
    with np.errstate(invalid="ignore"):  # Beta with a zero parameter; those entries are replaced below
        if side == "lower":
            general, error = _beta_quantile(alpha, k, n - k + 1)
            closed = (k == n) | (k == 1)  # alpha^(1/n) and 1 - (1 - alpha)^(1/n), to a few ulps
            quantile = np.where(k == n, np.exp(np.log(alpha) / n), np.where(k == 1, -np.expm1(np.log1p(-alpha) / n), general))
            error = np.where(closed, _ULPS, error)
            bound = np.where(k == 0, 0.0, np.clip(_checks.round_down(quantile, error * np.minimum(quantile, 1.0 - quantile), _ULPS), 0.0, 1.0))
        elif side == "upper":
            general, error = _beta_quantile(1.0 - alpha, k + 1, n - k)
            closed = (k == 0) | (k == n - 1)  # 1 - alpha^(1/n) and (1 - alpha)^(1/n), to a few ulps
            quantile = np.where(k == 0, -np.expm1(np.log(alpha) / n), np.where(k == n - 1, np.exp(np.log1p(-alpha) / n), general))
            error = np.where(closed, _ULPS, error)
            bound = np.where(k == n, 1.0, np.clip(_checks.round_up(quantile, error * np.minimum(quantile, 1.0 - quantile), _ULPS), 0.0, 1.0))
        else:
            raise ValueError(f"side must be 'lower' or 'upper', got {side!r}")
    return bound[()] if bound.ndim == 0 else bound


def simultaneous_clopper_pearson(counts, alpha):
    """One-sided Clopper-Pearson bounds for every class at the Bonferroni level alpha / c.

    counts: integer array (..., c) of votes per class. Any c of the returned bounds that concern different
    classes hold together with probability >= 1 - alpha; in particular the lower bound of one class with
    the upper bounds of all the others, which is what a certificate uses. (All 2c bounds hold together
    with probability >= 1 - 2 alpha.) Returns (lower, upper), arrays shaped like counts.
    """
    counts = np.asarray(counts)
    if counts.ndim < 1 or counts.shape[-1] < 2:
        raise ValueError(f"counts must have a last axis with one entry per class (>= 2), got shape {counts.shape}")
    n = counts.sum(axis=-1, keepdims=True)
    per_class = _checks.level("alpha", alpha) / counts.shape[-1]
    return (clopper_pearson(counts, n, per_class, side="lower"),
            clopper_pearson(counts, n, per_class, side="upper"))


def hoeffding(mean, n, alpha, side="lower"):
    """One-sided Hoeffding bound for the mean of n independent [0, 1] variables: mean -/+ sqrt(log(1/alpha) / (2n))."""
    alpha = _checks.level("alpha", alpha)
    n = _checks.count("n", n)
    width = np.sqrt(np.log(1.0 / alpha) / (2.0 * n))
    mean = _checks.probability("mean", mean)
    if side not in ("lower", "upper"):
        raise ValueError(f"side must be 'lower' or 'upper', got {side!r}")
    error = 4 * _checks.EPS * (np.abs(mean) + width)
    bound = _checks.round_down(mean - width, error) if side == "lower" else _checks.round_up(mean + width, error)
    return np.clip(bound, 0.0, 1.0)[()]


def empirical_bernstein(x, alpha, side="lower"):
    """One-sided empirical Bernstein bound (Maurer & Pontil 2009, Theorem 4) for [0, 1] observations x:

        mean -/+ ( sqrt(2 V_n log(2/alpha) / n) + 7 log(2/alpha) / (3 (n - 1)) ),  V_n the unbiased sample variance.

    (The log(2/alpha) comes from a union of two events; the betting document's Proposition 2 writes log(1/alpha).)
    """
    alpha = _checks.level("alpha", alpha)
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 2 or (x < 0).any() or (x > 1).any() or np.isnan(x).any():
        raise ValueError("x must be a 1-D array of at least 2 observations in [0, 1]")
    n = x.size
    log_term = np.log(2.0 / alpha)
    width = np.sqrt(2.0 * x.var(ddof=1) * log_term / n) + 7.0 * log_term / (3.0 * (n - 1))
    if side not in ("lower", "upper"):
        raise ValueError(f"side must be 'lower' or 'upper', got {side!r}")
    # the mean and the variance are pairwise sums: an error of about log2(n) ulps of the terms' size
    error = (8 + np.log2(n)) * _checks.EPS * (x.mean() + width)
    bound = _checks.round_down(x.mean() - width, error) if side == "lower" else _checks.round_up(x.mean() + width, error)
    return float(np.clip(bound, 0.0, 1.0))


def _margin_tail(k: int, n: int, q1: float, q2: float) -> float:
    """P(X1 - X2 >= k) for (X1, X2, rest) ~ Multinomial(n; q1, q2, 1 - q1 - q2).

    Given M = X1 + X2 ~ Bin(n, q1 + q2), X1 | M ~ Bin(M, q1 / (q1 + q2)) and X1 - X2 = 2 X1 - M: O(n) work.
    """
    s = q1 + q2
    if s <= 0:
        return float(k <= 0)
    m = np.arange(n + 1)
    needed = np.ceil((m + k) / 2.0)  # X1 >= (m + k) / 2
    tail = binom.sf(needed - 1, m, min(q1 / s, 1.0))
    return float(np.dot(binom.pmf(m, n, min(s, 1.0)), tail))


def margin_lower(count_1: int, count_2: int, n: int, alpha: float, tolerance: float = 1e-6) -> float:
    """Exact lower confidence bound on p1 - p2 from the votes of the top two classes (the trinomial
    (X1, X2, rest); the betting document's Section 4, with the p-value P(D >= k) that includes the observed
    difference k = count_1 - count_2: the document's Eq. (7) takes P(D > k), which gives the bound for k + 1).

    For a candidate L, the p-value is sup over the nuisance q2 of P_q(X1 - X2 >= k) with q1 = q2 + L (the
    tail grows with q1 - q2, so the boundary is worst); the bound is the largest L whose p-value is <= alpha,
    found by bisection to `tolerance`. It depends on the counts only through k, so it is not always above the
    Bonferroni pair of Clopper-Pearson bounds: when much of the vote goes to other classes, the pair can win.
    Cost: each tail is an O(n) sum, and one bound takes about 1,100 to 1,500 of them (a grid and a 1-D search
    over q2 at each bisection step; `margin_lower_cost` counts them), so it suits n up to ~10^4.
    """
    return _margin_lower(count_1, count_2, n, alpha, tolerance, _margin_tail)


def margin_lower_cost(count_1: int, count_2: int, n: int, alpha: float) -> dict:
    """`margin_lower` with what it costs, next to the Clopper-Pearson pair (alpha / 2 each):
    {"exact", "pair", "tail_sums" (the O(n) tail probabilities it evaluated), "seconds"}."""
    calls = []

    def counted_tail(*args):
        calls.append(None)
        return _margin_tail(*args)

    start = time.perf_counter()
    exact = _margin_lower(count_1, count_2, n, alpha, 1e-6, counted_tail)
    seconds = time.perf_counter() - start
    pair = clopper_pearson(count_1, n, alpha / 2) - clopper_pearson(count_2, n, alpha / 2, side="upper")
    return {"exact": float(exact), "pair": float(pair), "tail_sums": len(calls), "seconds": seconds}


def _margin_lower(count_1, count_2, n, alpha, tolerance, tail) -> float:
    """`margin_lower` with the tail probability `tail(k, n, q1, q2)` given."""
    alpha = _checks.level("alpha", alpha)
    n = _checks.count("n", n)
    # below 1e-12 the bisection runs past double precision (and never ends at tolerance <= 0)
    tolerance = _checks.number_in("tolerance", tolerance, 1e-12, 0.1)
    k = int(count_1) - int(count_2)
    if count_1 < 0 or count_2 < 0 or count_1 + count_2 > n:
        raise ValueError(f"counts must be >= 0 with count_1 + count_2 <= n, got {count_1}, {count_2}, n={n}")

    def p_value(level):
        def neg_tail(q2):
            return -tail(k, n, q2 + level, q2)

        high = (1.0 - level) / 2.0
        low = max(0.0, -level)
        grid = np.linspace(low, high, 41)
        values = [-neg_tail(q) for q in grid]
        best = int(np.argmax(values))
        lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, 40)]
        refined = optimize.minimize_scalar(neg_tail, bounds=(lo, hi), method="bounded", options={"xatol": 1e-9})
        return max(max(values), -refined.fun)

    low, high = -1.0, k / n  # p_value(k / n) >= 1/2 roughly; the bound is never above the observed margin
    if p_value(low) > alpha:
        return -1.0
    while high - low > tolerance:
        mid = (low + high) / 2.0
        low, high = (mid, high) if p_value(mid) <= alpha else (low, mid)
    return float(max(_checks.round_down(low), -1.0))


def unanimous_samples_for_radius(radius, sigma, alpha) -> int:
    """The smallest n at which n unanimous votes certify the l2 `radius` under Gaussian noise of level sigma:

        n = ceil( ln(alpha) / ln(Phi(radius / sigma)) ),

    because n votes out of n give the Clopper-Pearson bound p_a = alpha^(1/n), and sigma Phi^-1(p_a) >= radius
    exactly when alpha^(1/n) >= Phi(radius / sigma).
    """
    radius = _checks.positive("radius", radius)
    sigma = _checks.positive("sigma", sigma)
    alpha = _checks.level("alpha", alpha)
    log_phi = float(norm.logcdf(radius / sigma))
    if log_phi == 0.0:
        raise ValueError(f"radius / sigma = {radius / sigma:g} is too large: Phi(radius / sigma) rounds to 1, "
                         "so no sample size can be computed")
    return int(math.ceil(math.log(alpha) / log_phi))

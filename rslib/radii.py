"""Certified radii: one function per theorem, vectorised over numpy arrays of probability bounds.

Conventions shared by every function here:
- `p_a` is a lower bound on the probability of the top class, `p_b` an upper bound on the runner-up's;
  `p_b=None` means the binary bound p_b = 1 - p_a.
- The radius is 0 wherever the bounds do not certify (p_a <= p_b); it is `inf` only when p_a = 1 and
  p_b = 0 exactly (no finite confidence bound returns these).
- Bounds that cannot both hold (p_a + p_b > 1) are rejected rather than turned into a radius.
"""
from __future__ import annotations

import functools
import math
from fractions import Fraction

import numpy as np
from scipy import special
from scipy.stats import norm

from rslib import _checks

_SUM_TOLERANCE = 1e-9


def _bounds(p_a, p_b) -> tuple[np.ndarray, np.ndarray]:
    p_a = _checks.probability("p_a", p_a)
    p_b = 1.0 - p_a if p_b is None else _checks.probability("p_b", p_b)
    p_a, p_b = np.broadcast_arrays(p_a, p_b)
    _check_sum(p_a, p_b, "p_a + p_b", "p_a", "p_b")
    return p_a, p_b


def _check_sum(lower, upper, total, lower_name, upper_name) -> None:
    """Refuse a lower bound on one class and an upper bound on another that cannot both hold (sum > 1)."""
    if (np.asarray(lower) + np.asarray(upper) > 1.0 + _SUM_TOLERANCE).any():
        raise ValueError(f"{total} must be at most 1 ({lower_name} bounds the top class from below, {upper_name} "
                         "another class from above); got bounds that cannot both hold")


def _scalar_if_0d(radius: np.ndarray):
    return radius[()] if radius.ndim == 0 else radius


# Error bounds in units of the double precision epsilon, for the rounding toward safety: scipy's ndtri
# and numpy's log are accurate to about one ulp each; a few roundings follow. The mpmath comparison in
# tests/test_rounding_mpmath.py checks that these margins keep every radius below the exact one.
_ULPS = 8 * _checks.EPS


def _radius_down(radius, absolute_error=0.0, relative_error=_ULPS) -> np.ndarray:
    """A radius moved below the exact one (see _checks.round_down), never below 0."""
    return np.maximum(_checks.round_down(radius, absolute_error, relative_error), 0.0)


def _log_one_minus(gap, p_a, p_b):
    """log(1 - (p_a - p_b)): log1p while the gap is below 1/2; above, 1 - gap = (1 - p_a) + p_b, whose
    terms are exact or nearly so, so that p_a within a few ulps of 1 keeps its relative accuracy."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(gap < 0.5, np.log1p(-np.minimum(gap, 0.5)), np.log((1.0 - p_a) + p_b))


def gaussian_l2(p_a, sigma, p_b=None):
    """l2 radius of Gaussian smoothing N(0, sigma^2 I): Cohen et al. (2019), Theorem 1.

        R = sigma / 2 * (Phi^-1(p_a) - Phi^-1(p_b)),   which for p_b = 1 - p_a is sigma * Phi^-1(p_a).

    The smoothed classifier's prediction is constant on the open l2 ball of radius R.
    """
    sigma = _checks.positive("sigma", sigma)
    p_a, p_b = _bounds(p_a, p_b)
    with np.errstate(invalid="ignore"):  # inf - inf where p_a = 1, p_b = 1 cannot occur: sum <= 1
        quantile_a, quantile_b = norm.ppf(p_a), norm.ppf(p_b)
        radius = sigma / 2.0 * (quantile_a - quantile_b)
        # the difference cancels where both quantiles are negative (p_b < p_a < 1/2): bound its error by
        # the size of the terms, not of the result
        error = _ULPS * sigma / 2.0 * (np.abs(quantile_a) + np.abs(quantile_b))
        radius = _radius_down(radius, np.where(np.isfinite(error), error, 0.0))
    return _scalar_if_0d(np.where(p_a > p_b, radius, 0.0))


def gaussian_l2_margin(margin, sigma):
    """l2 radius of Gaussian smoothing from a lower bound on the margin p_a - p_b alone (Cohen et al.'s
    Theorem 1, worst case over the bounds consistent with it):

        R = sigma * Phi^-1((1 + margin) / 2),   0 where margin <= 0.

    Among p_a - p_b >= margin, p_a + p_b <= 1, Phi^-1(p_a) - Phi^-1(p_b) is smallest at the symmetric pair
    p_a = (1 + margin)/2, p_b = (1 - margin)/2, so this is never larger than gaussian_l2 at any such pair.
    """
    sigma = _checks.positive("sigma", sigma)
    margin = _checks.margin("margin", margin)
    # Phi^-1((1 + m) / 2) = sqrt(2) erfinv(m): no rounding of 1 + m, which would lose a tiny margin and
    # turn a margin just below 1 into an infinite radius
    radius = _radius_down(sigma * np.sqrt(2.0) * special.erfinv(np.maximum(margin, 0.0)))
    return _scalar_if_0d(np.where(margin > 0, radius, 0.0))


def laplace_l1(p_a, scale, p_b=None):
    """l1 radius of i.i.d. Laplace(scale) smoothing (the l1 paper's Theorems 1 and 2).

    With p_b given (multi-class, Theorem 1):
        R = max( scale/2 * log(p_a / p_b),  -scale * log(1 - p_a + p_b) ).
    With p_b None (binary, Theorem 2, tight by Theorem 3):
        R = -scale * log(2 (1 - p_a))   for p_a > 1/2.

    The smoothed classifier's prediction is constant on the open l1 ball of radius R (at ||delta||_1 = R
    the bounds can tie; the paper writes <= R).
    """
    scale = _checks.positive("scale", scale)
    binary = p_b is None
    p_a, p_b = _bounds(p_a, p_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        if binary:
            radius = _radius_down(-scale * np.log(2.0 * (1.0 - p_a)))  # 1 - p_a is exact for p_a >= 1/2
        else:
            radius = np.maximum(_log_ratio_radius(p_a, p_b, scale), _radius_down(-scale * _log_one_minus(p_a - p_b, p_a, p_b)))
    return _scalar_if_0d(np.where(p_a > p_b, radius, 0.0))


def _log_ratio_radius(p_a, p_b, scale):
    """scale / 2 * log(p_a / p_b) rounded down; two logs, not the log of the ratio, so that a tiny p_b does not
    overflow. The logs cancel where p_a ~ p_b: their error is bounded by the size of the terms."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_a, log_b = np.log(p_a), np.log(p_b)
        error = _ULPS * scale / 2.0 * (np.abs(log_a) + np.abs(log_b))
        return _radius_down(scale / 2.0 * (log_a - log_b), np.where(np.isfinite(error), error, 0.0))


def lecuyer_l1(p_a, scale, p_b=None):
    """l1 radius of Laplace(scale) smoothing from differential privacy (Lecuyer et al. 2019), the baseline:

        R = scale / 2 * log(p_a / p_b),   with p_b = 1 - p_a in the binary form.

    Each side of the DP inequality P(f(X) in S) <= exp(||delta||_1 / scale) P(f(Y) in S) costs a factor,
    hence the 1/2. Theorem 1 of the l1 paper is never smaller than this in the binary case.
    """
    scale = _checks.positive("scale", scale)
    p_a, p_b = _bounds(p_a, p_b)
    radius = _log_ratio_radius(p_a, p_b, scale)
    return _scalar_if_0d(np.where(p_a > p_b, radius, 0.0))


def gaussian_l1(p_a, sigma, p_b=None):
    """The Gaussian l2 radius read as an l1 radius: valid because ||delta||_2 <= ||delta||_1, so the l1 ball
    of radius R lies inside the l2 ball of radius R. It is the largest l1 ball inside that l2 ball, so it
    is the best l1 certificate the Gaussian l2 guarantee gives (the l1 paper's comparison with Cohen et al.).
    """
    return gaussian_l2(p_a, sigma, p_b)


def _renyi_objective(log_beta, m, h, a, b):
    """-(1/alpha) log(1 - a - b + 2 M_{1-alpha}(a, b)) at alpha = 1 + exp(log_beta), without cancellation.

    With beta = alpha - 1, m = (log a + log b) / 2 and h = (log a - log b) / 2 >= 0,
    M_{1-alpha}(a, b) = ((a^-beta + b^-beta) / 2)^(-1/beta) = e^m cosh(beta h)^(-1/beta), and a + b = 2 e^m cosh h, so
        gap = a + b - 2M = 2 e^m (2 sinh^2(h/2) - expm1(-c)),   c = log cosh(beta h) / beta >= 0,
    a sum of two non-negative terms: accurate to a few ulps even near ties (a ~ b) and near alpha = 1, where
    subtracting M from (a + b)/2 directly loses every digit. b = 0 gives M = 0 and gap = a.
    """
    beta = np.exp(log_beta)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        x = beta * h
        log_cosh = np.where(x < 1.0, np.log1p(2.0 * np.sinh(x / 2.0) ** 2), x + np.log1p(np.exp(-2.0 * x)) - np.log(2.0))
        mean = np.where(b > 0, np.exp(m - log_cosh / beta), 0.0)  # M_{1-alpha}(a, b), 0 where b = 0
        gap = 2.0 * np.exp(m) * (2.0 * np.sinh(h / 2.0) ** 2 - np.expm1(-log_cosh / beta))
        gap = np.where(b > 0, gap, a + b)
        return _minus_log_one_minus(gap, (1.0 - a) + (2.0 * mean - b)) / (1.0 + beta)


def _minus_log_one_minus(gap, complement):
    """-log(1 - gap), given gap and its complement 1 - gap computed separately.

    log1p(-gap) is accurate while gap < 1/2; above, gap can round to 1 (p_a within a few ulps of 1) and
    log1p(-1) = -inf, so the complement is used there: written as (1 - a) + (2M - b), two non-negative terms
    (1 - a is exact for a >= 1/2, and M >= b), it keeps its relative accuracy down to the smallest p_b.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        near = -np.log1p(-np.clip(gap, 0.0, 0.5))
        far = -np.log(np.clip(complement, 0.0, 0.5))
    return np.where(gap < 0.5, near, far)


def _renyi_supremum(a, b, log_beta_range=(-12.0, 8.0), grid=64, refinements=40):
    """(sup over alpha of the Renyi objective, the log(alpha - 1) attaining it), vectorised over a, b.

    The alpha -> 1 limit, -log(1 - (sqrt(a) - sqrt(b))^2) (M_0 is the geometric mean), is a candidate too:
    where it wins, the objective decreases in alpha, the supremum is only approached as alpha -> 1, and
    the returned log(alpha - 1) is -inf."""
    with np.errstate(divide="ignore", invalid="ignore"):
        m, h = (np.log(a) + np.log(b)) / 2.0, (np.log(a) - np.log(b)) / 2.0  # nan / inf where b = 0: unused there
    t = np.linspace(*log_beta_range, grid)
    values = _renyi_objective(t[:, None], m, h, a, b)
    best = np.argmax(values, axis=0)
    low, high = t[np.maximum(best - 1, 0)], t[np.minimum(best + 1, grid - 1)]
    inv_phi = (np.sqrt(5.0) - 1.0) / 2.0
    for _ in range(refinements):  # golden-section search on [low, high], every input at once
        left, right = high - inv_phi * (high - low), low + inv_phi * (high - low)
        go_right = _renyi_objective(left, m, h, a, b) < _renyi_objective(right, m, h, a, b)
        low, high = np.where(go_right, left, low), np.where(go_right, high, right)
    refined = _renyi_objective((low + high) / 2, m, h, a, b)
    grid_best = values.max(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):  # (sqrt a - sqrt b)^2 = ((a - b) / (sqrt a + sqrt b))^2, accurate near ties
        root_gap = ((a - b) / (np.sqrt(a) + np.sqrt(b))) ** 2  # 1 - its complement (1 - a) + (2 sqrt(ab) - b)
        limit = np.where(a + b > 0, _minus_log_one_minus(root_gap, (1.0 - a) + (2.0 * np.sqrt(a * b) - b)), 0.0)
    searched = np.maximum(grid_best, refined)
    log_beta = np.where(refined >= grid_best, (low + high) / 2, t[best])
    return np.maximum(searched, limit), np.where(limit >= searched, -np.inf, log_beta)


def renyi_l2(p_a, p_b, sigma):
    """l2 radius from the Renyi-divergence bound (Li et al. 2019, Theorem 2):

        R^2 = sup_{alpha > 1}  -(2 sigma^2 / alpha) log(1 - p_a - p_b + 2 M_{1-alpha}(p_a, p_b)),
        M_r(a, b) = ((a^r + b^r) / 2)^(1/r)   (the generalised mean).

    p_a: lower bound on the top class, p_b: upper bound on the runner-up (both required: no binary form).
    The supremum is taken over alpha = 1 + exp(t): a grid over t, then golden-section refinement around
    the best grid point, and the alpha -> 1 limit, vectorised over all inputs. Never larger than
    `gaussian_l2` (the tight bound). Certifies the open ball ||delta||_2 < R: at R itself no order need work.
    """
    sigma = _checks.positive("sigma", sigma)
    if p_b is None:
        raise ValueError("p_b must be given: the Renyi bound needs an upper bound on the runner-up class")
    p_a, p_b = _bounds(p_a, p_b)
    value, _ = _renyi_supremum(p_a.astype(float).ravel(), p_b.astype(float).ravel())
    # the search and the objective take a few dozen roundings: a margin of 64 ulps
    radius = _radius_down(np.sqrt(2.0 * sigma**2 * np.maximum(value, 0.0)).reshape(p_a.shape), 0.0, 64 * _checks.EPS)
    # the Gaussian radius is tight (Cohen et al.), so it bounds any sound Renyi radius: a last line of defence
    radius = np.minimum(radius, gaussian_l2(p_a, sigma, p_b))
    return _scalar_if_0d(np.where(p_a > p_b, radius, 0.0))


def renyi_optimal_alpha(p_a, p_b):
    """The order alpha > 1 at which Theorem 2's supremum is attained (where p_a > p_b); 1.0 where the bound
    decreases in alpha, so that the supremum is only approached as alpha -> 1 (then
    R^2 = -2 sigma^2 log(1 - (sqrt(p_a) - sqrt(p_b))^2))."""
    p_a, p_b = _bounds(p_a, p_b)
    _, log_beta = _renyi_supremum(p_a.astype(float).ravel(), p_b.astype(float).ravel())
    return _scalar_if_0d((1.0 + np.exp(log_beta)).reshape(p_a.shape))


def renyi_l1(p_a, p_b, scale):
    """l1 radius from the Renyi bound with Laplace(scale) noise (Li et al. 2019, Theorem 3):

        R = -scale * log(1 - p_a + p_b),

    the alpha -> infinity limit; it equals the second term of the l1 paper's Theorem 1.
    """
    scale = _checks.positive("scale", scale)
    if p_b is None:
        raise ValueError("p_b must be given: the Renyi bound needs an upper bound on the runner-up class")
    p_a, p_b = _bounds(p_a, p_b)
    radius = _radius_down(-scale * _log_one_minus(p_a - p_b, p_a, p_b))
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
    max_epsilon = _checks.positive("max_epsilon", max_epsilon)
    grid = _checks.count("grid", grid, minimum=2)  # the delta grid needs its two ends
    if p_b is None:
        raise ValueError("p_b must be given: PixelDP's condition needs an upper bound on the runner-up class")
    p_a, p_b = _bounds(p_a, p_b)
    delta = np.geomspace(1e-12, 1.0 / (1.0 + np.e), grid)[:, None]
    a, b = p_a.ravel()[None, :], p_b.ravel()[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        disc = delta**2 - 4.0 * b * (delta - a)
        # the largest root (-delta + sqrt(disc)) / (2 b), written without cancellation (and valid at b = 0)
        u = 2.0 * (a - delta) / (delta + np.sqrt(np.maximum(disc, 0.0)))
        epsilon = np.minimum(np.log(u), max_epsilon)
        radius = np.where((epsilon > 0) & (disc >= 0), sigma * epsilon / np.sqrt(2.0 * np.log(1.25 / delta)), 0.0)
    return _scalar_if_0d(_radius_down(np.nan_to_num(radius.max(axis=0)), 0.0, 64 * _checks.EPS).reshape(p_a.shape))


@functools.lru_cache(maxsize=32)
def _kept_subsets(d: int, keep: int) -> tuple:
    """C(d - r, keep) for r = 0 .. d: the ablated inputs that avoid r given pixels (exact Python ints)."""
    return tuple(math.comb(d - r, keep) for r in range(d + 1))


def _largest_r(subsets: tuple, threshold: int) -> int:
    """The largest r with subsets[r] >= threshold, for subsets decreasing in r (binary search)."""
    low, high = 0, len(subsets)  # subsets[0] >= threshold holds for every caller
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if subsets[mid] >= threshold else (low, mid)
    return low


def ablation_delta(r, d, keep):
    """Delta(r) = 1 - C(d - r, keep) / C(d, keep): the probability that a uniformly random keep-subset of d
    pixels contains at least one of r given pixels, i.e. the most probability an attack on r pixels can
    move under randomized ablation. Exact integers, one rounding to float at the end. r: an int or an
    array of ints in [0, d]; returns a float or a float array."""
    d, keep = _checks.count("d", d), _checks.count("keep", keep)
    if keep > d:
        raise ValueError(f"keep must be at most d={d}, got keep={keep}")
    r_arr = np.asarray(r)
    if r_arr.dtype == bool or not np.issubdtype(r_arr.dtype, np.integer) or ((r_arr < 0) | (r_arr > d)).any():
        raise ValueError(f"r must be an integer (or array of integers) in [0, {d}], got {r!r}")
    subsets = _kept_subsets(d, keep)
    out = np.array([float(1 - Fraction(subsets[int(v)], subsets[0])) for v in r_arr.ravel()]).reshape(r_arr.shape)
    return _scalar_if_0d(out)


def _ceil_times(p: float, total: int) -> int:
    num, den = float(p).as_integer_ratio()  # exact: a float is a dyadic rational
    return -((-num * total) // den)


def _floor_times(p: float, total: int) -> int:
    num, den = float(p).as_integer_ratio()
    return (num * total) // den


def _check_ablation(p_l, p_others, d, keep, k):
    d = _checks.count("d", d)
    keep = _checks.count("keep", keep)
    if keep > d:
        raise ValueError(f"keep must be at most d={d}, got keep={keep}")
    k = _checks.count("k", k)
    p_l = np.atleast_1d(_checks.probability("p_l", p_l))
    p_others = np.atleast_2d(_checks.probability("p_others", p_others))
    if p_others.shape[0] != p_l.shape[0]:
        raise ValueError(f"p_others must have one row per p_l ({p_l.shape[0]}), got shape {p_others.shape}")
    if k > p_others.shape[1]:
        raise ValueError(f"k must be at most the number of other classes ({p_others.shape[1]}), got k={k}")
    _check_sum(p_l, p_others.max(axis=1), "p_l + max(p_others)", "p_l", "p_others")
    return p_l, p_others, d, keep, k


def ablation_l0(p_l, p_others, d, keep, k=1, rounding=True):
    """l0 radius (pixels) keeping label l in the top-k of randomized ablation (Jia et al. 2022, Theorem 1).

    p_l: lower bound on P(f(U) = l); p_others: (n, c - 1) upper bounds of the other labels; d pixels, `keep`
    kept. Probabilities under ablation are multiples of 1 / C(d, keep), so the bounds are first rounded
    to that grid (Eq. 4): p'_l = ceil(p_l C) / C, p'_j = floor(p_j C) / C. With Delta(r) = 1 - C(d-r, keep) / C,
    the radius is the largest r with (Eq. 6)

        p'_l - Delta(r) > min_{t=1..k} (p'_{Y_t} + Delta(r)) / t,

    Y_t the t smallest of the k largest other bounds, p'_{Y_t} = min(their sum, 1 - p'_l). Everything is
    done in exact integer arithmetic (C(784, 50) has about 80 digits). Returns ints; -1 where l is not
    certified even at r = 0. rounding=False skips Eq. 4 (exact rationals instead), to show what it gains.
    """
    p_l, p_others, d, keep, k = _check_ablation(p_l, p_others, d, keep, k)
    subsets = _kept_subsets(d, keep)
    total = subsets[0]
    radii_out = np.empty(p_l.shape[0], dtype=int)
    for i, (low, uppers) in enumerate(zip(p_l, p_others)):
        if rounding:
            lower_count = _ceil_times(low, total)
            top = sorted(_floor_times(u, total) for u in uppers)[-k:][::-1]  # a_k >= ... >= a_1
        else:
            lower_count = Fraction(float(low)) * total
            top = sorted(Fraction(float(u)) * total for u in uppers)[-k:][::-1]
        # Eq. 6 times t C, with s = C - C(d-r, keep) the mass an attack on r pixels can move: it holds when
        # t (L - s) > U_t + s for SOME t (the right side is a minimum over t), i.e. s < (t L - U_t) / (t + 1).
        budget = max(math.ceil(Fraction(t * lower_count - min(sum(top[k - t:]), total - lower_count)) / (t + 1)) - 1
                     for t in range(1, k + 1))  # Fraction: exact for 80-digit integers, unlike float division
        if budget < 0:
            radii_out[i] = -1
            continue
        # the largest r with C(d-r, keep) >= C - budget; C(d-r, keep) decreases in r
        radii_out[i] = _largest_r(subsets, total - budget)
    return radii_out


def levine_feizi_l0(p_l, p_runner_up, d, keep):
    """Top-1 l0 radius of randomized ablation by Levine & Feizi (2020): the largest r with
    p_l - p_runner_up > 2 (1 - C(d-r, keep) / C(d, keep)), on unrounded bounds, exactly. -1 if none."""
    d, keep = _checks.count("d", d), _checks.count("keep", keep)
    if keep > d:
        raise ValueError(f"keep must be at most d={d}, got keep={keep}")
    p_l = np.atleast_1d(_checks.probability("p_l", p_l))
    p_runner_up = np.broadcast_to(_checks.probability("p_runner_up", p_runner_up), p_l.shape)
    _check_sum(p_l, p_runner_up, "p_l + p_runner_up", "p_l", "p_runner_up")
    subsets = _kept_subsets(d, keep)
    total = subsets[0]
    out = np.empty(p_l.shape[0], dtype=int)
    for i, (a, b) in enumerate(zip(p_l, p_runner_up)):
        gap = Fraction(float(a)) - Fraction(float(b))
        ok = [r for r in range(d - keep + 1) if gap * total > 2 * (total - subsets[r])]
        out[i] = max(ok) if ok else -1
    return out


def gaussian_topk_l2(p_l, p_others, sigma, k=1, iterations=100):
    """l2 radius keeping label l in the top-k of Gaussian smoothing (Jia et al. 2020, Theorem 1): the largest R with

        Phi(Phi^-1(p_l) - R / sigma) > min_{t=1..k} Phi(Phi^-1(p_{Y_t}) + R / sigma) / t,

    p_{Y_t} the sum of the t smallest of the k largest other upper bounds (capped at 1 - p_l). For k = 1 it
    is Cohen et al.'s sigma / 2 (Phi^-1(p_l) - Phi^-1(p_b)). Found by bisection, vectorised over inputs.
    """
    sigma = _checks.positive("sigma", sigma)
    p_l = np.atleast_1d(_checks.probability("p_l", p_l))
    p_others = np.atleast_2d(_checks.probability("p_others", p_others))
    k = _checks.count("k", k)
    if k > p_others.shape[1]:
        raise ValueError(f"k must be at most the number of other classes ({p_others.shape[1]}), got k={k}")
    if p_others.shape[0] != p_l.shape[0]:
        raise ValueError(f"p_others must have one row per p_l ({p_l.shape[0]}), got shape {p_others.shape}")
    _check_sum(p_l, p_others.max(axis=1), "p_l + max(p_others)", "p_l", "p_others")
    top = -np.sort(-p_others, axis=1)[:, :k][:, ::-1]  # (n, k): a_1 <= ... <= a_k
    sums = np.minimum(np.stack([top[:, :t].sum(axis=1) for t in range(1, k + 1)], axis=1), (1 - p_l)[:, None])
    t = np.arange(1, k + 1)

    def gap(radius):
        left = norm.cdf(norm.ppf(p_l) - radius / sigma)
        right = (norm.cdf(norm.ppf(sums) + radius[:, None] / sigma) / t).min(axis=1)
        return left - right

    low = np.zeros_like(p_l)
    high = np.full_like(p_l, 40.0 * sigma)
    with np.errstate(invalid="ignore"):
        certified = gap(low) > 0
        for _ in range(iterations):
            mid = (low + high) / 2
            ok = gap(mid) > 0
            low, high = np.where(ok, mid, low), np.where(ok, high, mid)
    # low passed the test gap(low) > 0 in floating point; a margin of 64 ulps covers its rounding
    return np.where(certified, _radius_down(low, 0.0, 64 * _checks.EPS), 0.0)


def l2_to_l0(radius_l2, channels=1):
    """Pixels certified by an l2 radius for images in [0, 1]: changing r pixels of `channels` values each
    moves the input by at most sqrt(r * channels) in l2, so r is certified while sqrt(r * channels) < R.
    A radius of 0 (not certified) gives -1; radii must be finite numbers >= 0. Exact: r = ceil(R^2 / channels) - 1
    in integer arithmetic on the float R, capped at the largest int64 (a sound, smaller answer)."""
    radius_l2 = _checks.nonnegative("radius_l2", radius_l2)
    channels = _checks.count("channels", channels)
    out = np.array([_pixels_within(float(r), channels) for r in radius_l2.ravel()], dtype=np.int64)
    return _scalar_if_0d(out.reshape(radius_l2.shape))


def _pixels_within(radius: float, channels: int) -> int:
    """The largest r with r * channels < radius^2, -1 for radius 0 (exact: R is a dyadic rational)."""
    if radius <= 0:
        return -1
    num, den = radius.as_integer_ratio()
    pixels = -((-num * num) // (den * den * channels)) - 1  # ceil(R^2 / channels) - 1
    return min(max(pixels, 0), np.iinfo(np.int64).max)


def soft_margin_l2(margin, sigma):
    """l2 radius from a lower bound on the soft margin F_A(x) - F_B(x) of Gaussian-smoothed scores in [0, 1].

    Each coordinate of the smoothed map F = E[h(x + eps)] is sqrt(2/pi)/sigma-Lipschitz (Salman et al. 2019,
    Lemma 1), so the margin falls by at most 2 sqrt(2/pi)/sigma per unit of ||delta||_2:
        R = margin * sigma / (2 sqrt(2/pi)) = margin * sigma * sqrt(pi/8),   0 where margin <= 0.
    (The betting document's R1 = M / (sqrt(2) L(F)) needs such a known constant; see the errata.)
    """
    sigma = _checks.positive("sigma", sigma)
    margin = _checks.margin("margin", margin)
    return _scalar_if_0d(_radius_down(np.maximum(margin, 0.0) * sigma * np.sqrt(np.pi / 8.0)))

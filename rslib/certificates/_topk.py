"""Top-k certificates (Jia et al. 2020; 2022) and the l0 certificates of randomized ablation.

A top-k certificate keeps a label among the k most likely classes of the smoothed classifier. It needs
the upper bounds of every other class, given as the last axis of `p_b`.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import norm

from rslib import _checks
from rslib.certificates._common import NOT_CERTIFIED, check_sum, continuous, radius_down, scalar_if_0d

__all__ = ["gaussian_topk_l2", "ablation_l0", "levine_feizi_l0", "ablation_delta", "l2_to_l0"]


def _others(p_a, p_b, k: int) -> tuple[np.ndarray, np.ndarray, tuple]:
    """(p_a as (n,), the other classes' bounds as (n, m), the broadcast shape of one certificate per row).

    p_b shaped like p_a (or broadcasting with it, no more axes) is one other class per certificate, the
    runner-up; with one more axis than p_a, its last axis holds every other class. None is 1 - p_a."""
    p_a = _checks.probability("p_a", p_a)
    p_b = 1.0 - p_a if p_b is None else _checks.probability("p_b", p_b)
    if p_b.ndim <= p_a.ndim:
        p_b = p_b[..., None]
    try:
        shape = np.broadcast_shapes(p_a.shape, p_b.shape[:-1])
    except ValueError:
        raise ValueError(
            f"p_b must broadcast with p_a (shape {p_a.shape}), with at most one more axis for "
            f"the other classes, got shape {p_b.shape}"
        ) from None
    others = p_b.shape[-1]
    if k > others:
        raise ValueError(f"k must be at most the number of other classes ({others}, the last axis of p_b), got k={k}")
    flat_a = np.broadcast_to(p_a, shape).reshape(-1)
    flat_b = np.broadcast_to(p_b, (*shape, others)).reshape(-1, others)
    check_sum(flat_a, flat_b.max(axis=1), "p_a + max(p_b)", "p_a", "p_b")
    return flat_a, flat_b, shape


def gaussian_topk_l2(p_a: ArrayLike, p_b: ArrayLike, *, sigma: float, k: int = 1) -> np.float64 | np.ndarray:
    r"""Certified l2 radius keeping a label among the top k of Gaussian smoothing (Jia et al. 2020, Theorem 1).

    The largest R with

    .. math:: \Phi\left(\Phi^{-1}(\underline{p_l}) - \frac{R}{\sigma}\right) >
              \min_{t = 1..k} \frac{1}{t}\,\Phi\left(\Phi^{-1}(\overline{p}_{S_t}) + \frac{R}{\sigma}\right),

    where :math:`\overline{p}_{S_t}` is the sum of the t smallest of the k largest other upper bounds (capped
    at 1 - p_l). For k = 1 it is `gaussian_l2`. Found by bisection (100 steps), vectorised over inputs.

    Parameters
    ----------
    p_a : float or array_like
        Lower confidence bound on the label's probability, in [0, 1].
    p_b : float or array_like
        Upper confidence bounds on the other classes' probabilities: shaped like `p_a` for one other
        class (the runner-up), or with one more, last axis holding every other class (m >= k of them).
    sigma : float
        Standard deviation of the noise, > 0 (keyword-only).
    k : int, default 1
        The label must stay among the k most likely classes; 1 <= k <= m.

    Returns
    -------
    numpy.float64 or numpy.ndarray
        The radius (rounded toward 0), ``NOT_CERTIFIED`` where even R = 0 fails; shape of p_a broadcast
        with p_b's leading axes.

    References
    ----------
    J. Jia, X. Cao, B. Wang, N. Z. Gong. Certified robustness for top-k predictions against adversarial
    perturbations via randomized smoothing. ICLR 2020.
    """
    sigma = _checks.positive("sigma", sigma)
    k = _checks.count("k", k)
    p_l, p_others, shape = _others(p_a, p_b, k)
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
        for _ in range(100):
            mid = (low + high) / 2
            ok = gap(mid) > 0
            low, high = np.where(ok, mid, low), np.where(ok, high, mid)
    # low passed the test gap(low) > 0 in floating point; a margin of 64 ulps covers its rounding
    radius = radius_down(low, 0.0, 64 * _checks.EPS)
    return continuous(radius.reshape(shape), certified.reshape(shape))


MAX_SUBSET_BITS = 2**16
"""The largest C(d, keep), in bits, for which the ablation certificates run their exact integer arithmetic."""


class _KeptSubsets:
    """C(d - r, keep) for r = 0 .. d, the ablated inputs that avoid r given pixels: exact Python ints, computed
    on demand (a binary search needs log2(d) of them) and memoised."""

    def __init__(self, d: int, keep: int) -> None:
        self.d, self.keep = d, keep
        self._cache: dict[int, int] = {}

    def __len__(self) -> int:
        return self.d + 1

    def __getitem__(self, r: int) -> int:
        if r not in self._cache:
            self._cache[r] = math.comb(self.d - r, self.keep)
        return self._cache[r]


@functools.lru_cache(maxsize=32)
def _kept_subsets(d: int, keep: int) -> _KeptSubsets:
    return _KeptSubsets(d, keep)


def _largest_r(subsets: _KeptSubsets, threshold: int) -> int:
    """The largest r with subsets[r] >= threshold, for subsets decreasing in r (binary search)."""
    low, high = 0, len(subsets)  # subsets[0] >= threshold holds for every caller
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if subsets[mid] >= threshold else (low, mid)
    return low


def _pixels(d, keep) -> tuple[int, int]:
    d, keep = _checks.count("d", d), _checks.count("keep", keep)
    if keep > d:
        raise ValueError(f"keep must be at most d={d}, got keep={keep}")
    bits = (math.lgamma(d + 1) - math.lgamma(keep + 1) - math.lgamma(d - keep + 1)) / math.log(2)
    if bits > MAX_SUBSET_BITS:
        raise ValueError(
            f"d and keep: C(d, keep) must stay below 2**{MAX_SUBSET_BITS} for exact arithmetic, "
            f"got about 2**{bits:.0f} (d={d}, keep={keep})"
        )
    return d, keep


def ablation_delta(r: ArrayLike, *, d: int, keep: int) -> np.float64 | np.ndarray:
    r"""The probability that an attack on r pixels can move under randomized ablation:

    .. math:: \Delta(r) = 1 - \binom{d - r}{e} \Big/ \binom{d}{e},

    the chance that a uniformly random set of e = `keep` of the d pixels contains at least one of r given
    pixels. Exact integers, one rounding to float at the end.

    Parameters
    ----------
    r : int or array_like of int
        Numbers of attacked pixels, in [0, d].
    d : int
        Number of pixels (keyword-only).
    keep : int
        Number of pixels kept, in [1, d] (keyword-only).

    Returns
    -------
    numpy.float64 or numpy.ndarray
        :math:`\Delta(r)`, in [0, 1], shaped like `r`; a scalar for a scalar `r`.

    Raises
    ------
    ValueError
        If r is not an integer in [0, d], or keep is not in [1, d].
    TypeError
        If d or keep is not an integer.

    References
    ----------
    J. Jia, B. Wang, X. Cao, H. Liu, N. Z. Gong. Almost tight L0-norm certified robustness of top-k
    predictions against adversarial perturbations. ICLR 2022.
    """
    d, keep = _pixels(d, keep)
    r_arr = np.asarray(r)
    if r_arr.dtype == bool or not np.issubdtype(r_arr.dtype, np.integer) or ((r_arr < 0) | (r_arr > d)).any():
        raise ValueError(f"r must be an integer (or array of integers) in [0, {d}], got {r!r}")
    subsets = _kept_subsets(d, keep)
    out = np.array([float(1 - Fraction(subsets[int(v)], subsets[0])) for v in r_arr.ravel()]).reshape(r_arr.shape)
    return scalar_if_0d(out)


def _ceil_times(p: float, total: int) -> int:
    num, den = float(p).as_integer_ratio()  # exact: a float is a dyadic rational
    return -((-num * total) // den)


def _floor_times(p: float, total: int) -> int:
    num, den = float(p).as_integer_ratio()
    return (num * total) // den


def ablation_l0(
    p_a: ArrayLike, p_b: ArrayLike | None = None, *, d: int, keep: int, k: int = 1, rounding: bool = True
) -> np.int64 | np.ndarray:
    r"""Certified l0 radius (pixels) keeping a label among the top k of randomized ablation
    (Jia et al. 2022, Theorem 1).

    Probabilities under ablation are multiples of 1 / C(d, e), so the bounds are first rounded to that grid
    (Eq. 4): :math:`p'_l = \lceil p_l C\rceil / C`, :math:`p'_j = \lfloor p_j C\rfloor / C`. With
    :math:`\Delta(r)` of `ablation_delta`, the radius is the largest r with (Eq. 6)

    .. math:: p'_l - \Delta(r) > \min_{t=1..k} \frac{p'_{S_t} + \Delta(r)}{t},

    :math:`S_t` the t smallest of the k largest other bounds, :math:`p'_{S_t}` their sum capped at 1 - p'_l.
    Everything is exact integer arithmetic (C(784, 50) has about 80 digits).

    Parameters
    ----------
    p_a : float or array_like
        Lower confidence bound on the label's probability under ablation.
    p_b : float or array_like, optional
        Upper bounds of the other classes: shaped like `p_a` for one other class, or with one more, last
        axis holding every other class (as in `gaussian_topk_l2`). None: the binary bound 1 - p_a.
    d : int
        Number of pixels of the input (keyword-only).
    keep : int
        Number of pixels kept, in [1, d] (keyword-only).
    k : int, default 1
        The label must stay among the k most likely classes.
    rounding : bool, default True
        Apply Eq. 4's rounding to the 1/C(d, e) grid; False uses the bounds as exact rationals (to show
        what the rounding gains).

    Returns
    -------
    numpy.int64 or numpy.ndarray of int64
        Pixels an attacker may change, ``NOT_CERTIFIED`` (-1) where the label is not certified even
        for 0 changed pixels.

    References
    ----------
    J. Jia, B. Wang, X. Cao, H. Liu, N. Z. Gong. Almost tight L0-norm certified robustness of top-k
    predictions against adversarial perturbations. ICLR 2022.
    """
    d, keep = _pixels(d, keep)
    k = _checks.count("k", k)
    p_l, p_others, shape = _others(p_a, p_b, k)
    subsets = _kept_subsets(d, keep)
    total = subsets[0]
    out = np.empty(p_l.shape[0], dtype=np.int64)
    for i, (low, uppers) in enumerate(zip(p_l, p_others)):
        lower_count: int | Fraction
        top: list[int] | list[Fraction]
        if rounding:
            lower_count = _ceil_times(low, total)
            top = sorted(_floor_times(u, total) for u in uppers)[-k:][::-1]  # a_k >= ... >= a_1
        else:
            lower_count = Fraction(float(low)) * total
            top = sorted(Fraction(float(u)) * total for u in uppers)[-k:][::-1]
        # Eq. 6 times t C, with s = C - C(d-r, keep) the mass an attack on r pixels can move: it holds when
        # t (L - s) > U_t + s for SOME t (the right side is a minimum over t), i.e. s < (t L - U_t) / (t + 1).
        budget = max(
            math.ceil(Fraction(t * lower_count - min(sum(top[k - t :]), total - lower_count)) / (t + 1)) - 1
            for t in range(1, k + 1)
        )  # Fraction: exact for 80-digit integers, unlike float division
        # the largest r with C(d-r, keep) >= C - budget; C(d-r, keep) decreases in r
        out[i] = NOT_CERTIFIED if budget < 0 else _largest_r(subsets, total - budget)
    return scalar_if_0d(out.reshape(shape))


def levine_feizi_l0(p_a: ArrayLike, p_b: ArrayLike | None = None, *, d: int, keep: int) -> np.int64 | np.ndarray:
    r"""Top-1 l0 radius of randomized ablation by Levine & Feizi (2020): the largest r with

    .. math:: \underline{p_A} - \overline{p_B} > 2\,\Delta(r),

    on unrounded bounds, exactly (`ablation_delta`).

    Parameters
    ----------
    p_a : float or array_like
        Lower bound on the top class's probability under ablation.
    p_b : float or array_like, optional
        Upper bound on the runner-up's (broadcasts with p_a). None: 1 - p_a.
    d, keep : int
        Pixels of the input and pixels kept (keyword-only).

    Returns
    -------
    numpy.int64 or numpy.ndarray of int64
        Pixels an attacker may change, ``NOT_CERTIFIED`` (-1) where none.

    References
    ----------
    A. Levine, S. Feizi. Robustness certificates for sparse adversarial attacks by randomized ablation. AAAI 2020.
    """
    d, keep = _pixels(d, keep)
    p_a = _checks.probability("p_a", p_a)
    p_b = 1.0 - p_a if p_b is None else _checks.probability("p_b", p_b)
    p_a, p_b = np.broadcast_arrays(p_a, p_b)
    check_sum(p_a, p_b, "p_a + p_b", "p_a", "p_b")
    subsets = _kept_subsets(d, keep)
    total = subsets[0]
    out = np.empty(p_a.size, dtype=np.int64)
    for i, (a, b) in enumerate(zip(p_a.ravel(), p_b.ravel())):
        gap = Fraction(float(a)) - Fraction(float(b))
        # gap > 2 Delta(r)  <=>  C(d - r, keep) > total (1 - gap / 2), which holds on an initial run of r
        threshold = total * (1 - gap / 2)
        if not subsets[0] > threshold:
            out[i] = NOT_CERTIFIED
            continue
        low, high = 0, d - keep + 1  # subsets[low] > threshold; C(d - r, keep) = 0 beyond d - keep
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (mid, high) if subsets[mid] > threshold else (low, mid)
        out[i] = low
    return scalar_if_0d(out.reshape(p_a.shape))


def l2_to_l0(radius_l2: ArrayLike, *, channels: int = 1) -> np.int64 | np.ndarray:
    r"""Pixels certified by an l2 radius, for images with values in [0, 1].

    Changing r pixels of C = `channels` values each moves the input by at most :math:`\sqrt{r C}` in l2, so r
    pixels are certified while :math:`\sqrt{r C} < R`: :math:`r = \lceil R^2 / C\rceil - 1`, in integer
    arithmetic on the float R, capped at the largest int64 (a sound, smaller answer).

    Parameters
    ----------
    radius_l2 : float or array_like
        Certified l2 radii: finite numbers > 0, or ``NOT_CERTIFIED`` (-1).
    channels : int, default 1
        Values per pixel, >= 1 (keyword-only).

    Returns
    -------
    numpy.int64 or numpy.ndarray of int64
        Pixels certified; ``NOT_CERTIFIED`` (-1) where the l2 radius certifies nothing.

    Raises
    ------
    ValueError
        If a radius is NaN, infinite, or negative other than ``NOT_CERTIFIED``, or channels < 1.

    Notes
    -----
    Jia et al. (2022) convert the l2 radii of their Gaussian baselines with the stricter rule
    :math:`\sqrt{C}\,r < R`, valid but certifying fewer pixels than :math:`\sqrt{r C} < R` for r >= 2.

    References
    ----------
    J. Jia, B. Wang, X. Cao, H. Liu, N. Z. Gong. Almost tight L0-norm certified robustness of top-k
    predictions against adversarial perturbations. ICLR 2022.
    """
    radius_l2 = _checks.float_array("radius_l2", radius_l2)
    if not np.isfinite(radius_l2).all() or ((radius_l2 < 0) & (radius_l2 != NOT_CERTIFIED)).any():
        raise ValueError(f"radius_l2 must hold finite radii >= 0 or NOT_CERTIFIED (-1), got {radius_l2!r}")
    channels = _checks.count("channels", channels)
    out = np.array([_pixels_within(float(r), channels) for r in radius_l2.ravel()], dtype=np.int64)
    return scalar_if_0d(out.reshape(radius_l2.shape))


def _pixels_within(radius: float, channels: int) -> int:
    """The largest r with r * channels < radius^2, NOT_CERTIFIED for radius <= 0 (exact: R is a dyadic rational)."""
    if radius <= 0:
        return NOT_CERTIFIED
    num, den = radius.as_integer_ratio()
    pixels = -((-num * num) // (den * den * channels)) - 1  # ceil(R^2 / channels) - 1
    return min(max(pixels, 0), np.iinfo(np.int64).max)

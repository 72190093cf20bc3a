"""What every certificate shares: reading the bounds, the value for "not certified", rounding toward safety."""

from __future__ import annotations

import numpy as np

from rslib import _checks

__all__ = [
    "NOT_CERTIFIED",
    "ULPS",
    "pair",
    "check_sum",
    "scalar_if_0d",
    "radius_down",
    "continuous",
    "log_one_minus",
    "minus_log_one_minus",
]

NOT_CERTIFIED = -1
"""The radius returned where the bounds certify nothing, in every norm (a float -1.0 for l1 and l2 radii).

A radius r >= 0 means the ball of radius r is certified: for l1 and l2 the open ball (then r > 0: the
open ball of radius 0 is empty), for l0 every input that differs in at most r pixels (r = 0: the input
itself). -1 is never >= a radius one asks about, so ``radius >= r`` reads the same in every norm, and it
cannot be mistaken for a certificate at r = 0.
"""

_SUM_TOLERANCE = 1e-9

# Error bounds in units of the double-precision epsilon, for the rounding toward safety: scipy's ndtri
# and numpy's log are accurate to about one ulp each; a few roundings follow. tests/test_rounding_mpmath.py
# checks against 50-digit arithmetic that these margins keep every radius below the exact one.
ULPS = 8 * _checks.EPS


def pair(p_a, p_b) -> tuple[np.ndarray, np.ndarray]:
    """The checked bounds as float arrays broadcast together; p_b=None is the binary bound 1 - p_a."""
    p_a = _checks.probability("p_a", p_a)
    p_b = 1.0 - p_a if p_b is None else _checks.probability("p_b", p_b)
    p_a, p_b = np.broadcast_arrays(p_a, p_b)
    check_sum(p_a, p_b, "p_a + p_b", "p_a", "p_b")
    return p_a, p_b


def check_sum(lower, upper, total: str, lower_name: str, upper_name: str) -> None:
    """Refuse a lower bound on one class and an upper bound on another that cannot both hold (sum > 1)."""
    if (np.asarray(lower) + np.asarray(upper) > 1.0 + _SUM_TOLERANCE).any():
        raise ValueError(
            f"{total} must be at most 1 ({lower_name} bounds the top class from below, {upper_name} "
            "another class from above); got bounds that cannot both hold"
        )


def scalar_if_0d(value: np.ndarray):
    """A 0-d array as a numpy scalar (scalar in, scalar out); other arrays unchanged."""
    value = np.asarray(value)
    return value[()] if value.ndim == 0 else value


def radius_down(radius, absolute_error=0.0, relative_error=ULPS) -> np.ndarray:
    """A radius moved below the exact one (see `rslib._checks.round_down`), never below 0."""
    return np.maximum(_checks.round_down(radius, absolute_error, relative_error), 0.0)


def continuous(radius, certified) -> np.ndarray:
    """An l1 or l2 radius where `certified` holds and it is > 0, NOT_CERTIFIED elsewhere, as a scalar or array.

    The theorems need a strict inequality (p_A > p_B, or a margin > 0): callers pass it as `certified`.
    A radius that rounds to 0 certifies nothing either (the open ball of radius 0 is empty).
    """
    radius = np.asarray(radius, dtype=float)
    return scalar_if_0d(np.where(np.asarray(certified) & (radius > 0), radius, float(NOT_CERTIFIED)))


def log_one_minus(gap, p_a, p_b):
    """log(1 - (p_a - p_b)): log1p while the gap is below 1/2; above, 1 - gap = (1 - p_a) + p_b, whose
    terms are exact or nearly so, so that p_a within a few ulps of 1 keeps its relative accuracy."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(gap < 0.5, np.log1p(-np.minimum(gap, 0.5)), np.log((1.0 - p_a) + p_b))


def minus_log_one_minus(gap, complement):
    """-log(1 - gap), given gap and its complement 1 - gap computed separately.

    log1p(-gap) is accurate while gap < 1/2; above, gap can round to 1 (p_a within a few ulps of 1) and
    log1p(-1) = -inf, so the complement is used there: written as (1 - a) + (2M - b), two non-negative terms
    (1 - a is exact for a >= 1/2, and M >= b), it keeps its relative accuracy down to the smallest p_b.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        near = -np.log1p(-np.clip(gap, 0.0, 0.5))
        far = -np.log(np.clip(complement, 0.0, 0.5))
    return np.where(gap < 0.5, near, far)

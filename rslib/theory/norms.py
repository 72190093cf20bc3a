"""Norm equivalences in R^d (ETH RIAI exercise 12, Problem 3): certificates in one norm imply others.

||x||_p <= c ||x||_q with the tightest c: c = 1 when p >= q (moving to a larger p never grows the norm),
and c = d^(1/p - 1/q) when p < q (Hoelder's inequality, attained by the all-ones vector).
"""

from __future__ import annotations

import numpy as np

from rslib import _checks

__all__ = ["lp_norm", "tightest_constant", "largest_observed_ratio", "ball_is_contained"]


def lp_norm(x, p) -> np.ndarray:
    """||x||_p along the last axis, for p in {1, 2, inf} (or any p >= 1)."""
    return np.linalg.norm(np.asarray(x, float), ord=p, axis=-1)


def tightest_constant(p, q, d) -> float:
    """The smallest c with ||x||_p <= c ||x||_q for all x in R^d."""
    d = _checks.count("d", d)
    for name, value in (("p", p), ("q", q)):
        if not value >= 1:
            raise ValueError(f"{name} must be >= 1 (or inf), got {value!r}")
    return 1.0 if p >= q else float(d ** (1.0 / p - 1.0 / q))


def largest_observed_ratio(p, q, d, samples=20_000, seed=0) -> float:
    """max ||x||_p / ||x||_q over random vectors of several sparsities plus e_1 and the all-ones vector.

    A numerical check from below of `tightest_constant`: it never exceeds the constant and reaches it
    on the extremal vectors.
    """
    d = _checks.count("d", d)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(samples, d))
    sparsity = rng.integers(1, d + 1, size=samples)
    x[np.arange(d) >= sparsity[:, None]] = 0.0
    x = np.vstack([x, np.eye(d)[:1], np.ones((1, d))])
    return float((lp_norm(x, p) / lp_norm(x, q)).max())


def ball_is_contained(p_inner, r_inner, p_outer, r_outer, d) -> bool:
    """Whether the l_p ball of radius r_inner lies in the l_q ball of radius r_outer: r_inner * c <= r_outer."""
    return r_inner * tightest_constant(p_outer, p_inner, d) <= r_outer * (1 + 1e-12)

"""Confidence bounds on class probabilities from Monte Carlo counts.

`clopper_pearson` is the exact binomial bound Cohen et al. (2019) use; `simultaneous_clopper_pearson`
bounds every class at once with a Bonferroni correction, so that one bound per class holds for all
classes together with probability at least 1 - alpha (Jia et al. 2020's SimuEM).
"""
from __future__ import annotations

import numpy as np
from scipy.stats import beta

from rslib import _checks


def _counts(k, n) -> tuple[np.ndarray, np.ndarray]:
    k_arr, n_arr = np.asarray(k), np.asarray(n)
    for name, arr in (("k", k_arr), ("n", n_arr)):
        if not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{name} must be an integer count (or array of counts), got dtype {arr.dtype}")
    if (n_arr < 1).any():
        raise ValueError(f"n must be >= 1, got {n!r}")
    if ((k_arr < 0) | (k_arr > n_arr)).any():
        raise ValueError(f"k must lie in [0, n], got k={k!r}, n={n!r}")
    return np.broadcast_arrays(k_arr, n_arr)


def clopper_pearson(k, n, alpha, side="lower"):
    """One-sided exact (Clopper-Pearson) bound on a binomial proportion from k successes in n trials.

    side="lower": the alpha quantile of Beta(k, n - k + 1) (0 when k = 0);
    side="upper": the 1 - alpha quantile of Beta(k + 1, n - k) (1 when k = n).
    Each holds with probability at least 1 - alpha. Vectorised over k and n.
    """
    alpha = _checks.level("alpha", alpha)
    k, n = _counts(k, n)
    with np.errstate(invalid="ignore"):  # Beta with a zero parameter; those entries are replaced below
        if side == "lower":
            bound = np.where(k == 0, 0.0, beta.ppf(alpha, k, n - k + 1))
        elif side == "upper":
            bound = np.where(k == n, 1.0, beta.ppf(1.0 - alpha, k + 1, n - k))
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

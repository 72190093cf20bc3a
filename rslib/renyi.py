"""Renyi divergence and Lemma 1 of Li et al. (2019): how far (in D_alpha) a class distribution must move
before its top class changes. `rslib.radii.renyi_l2` turns this into a certified radius."""
from __future__ import annotations

import numpy as np

from rslib import _checks


def _distribution(name, p) -> np.ndarray:
    p = _checks.probability(name, p).astype(float)
    if p.ndim != 1 or p.size < 2 or not np.isclose(p.sum(), 1.0, atol=1e-9):
        raise ValueError(f"{name} must be a probability vector (1-D, >= 2 entries, summing to 1)")
    return p


def _order(alpha) -> float:
    alpha = float(alpha)
    if not alpha > 1 or not np.isfinite(alpha):
        raise ValueError(f"alpha must be a finite number > 1, got {alpha!r}")
    return alpha


def renyi_divergence(q, p, alpha) -> float:
    """D_alpha(Q || P) = 1 / (alpha - 1) log sum_i q_i^alpha p_i^(1 - alpha)."""
    q, p, alpha = _distribution("q", q), _distribution("p", p), _order(alpha)
    keep = q > 0
    with np.errstate(divide="ignore"):
        return float(np.log(np.sum(q[keep] ** alpha * p[keep] ** (1.0 - alpha))) / (alpha - 1.0))


def lemma1_bound(p, alpha) -> float:
    """The smallest D_alpha(Q || P) over Q whose top class differs from P's (Lemma 1):

        -log(1 - p_(1) - p_(2) + 2 M_{1-alpha}(p_(1), p_(2))),   M_r the generalised mean.
    """
    p, alpha = _distribution("p", p), _order(alpha)
    top, second = np.sort(p)[::-1][:2]
    mean = ((top ** (1 - alpha) + second ** (1 - alpha)) / 2) ** (1 / (1 - alpha)) if second > 0 else 0.0
    return float(-np.log(1 - top - second + 2 * mean))


def lemma1_minimizer(p, alpha) -> np.ndarray:
    """The Q attaining Lemma 1's bound: the top two classes tied at q* = M_{1-alpha}(p_(1), p_(2)), the others
    proportional to P, all divided by 1 - p_(1) - p_(2) + 2 q* so that Q sums to one. (The proof in the
    paper's appendix prints a minus sign before 2 q* in that normaliser.) Ties in Q are the limit of Q's
    whose top class differs, so the bound is an infimum."""
    p, alpha = _distribution("p", p), _order(alpha)
    order = np.argsort(p)[::-1]
    top, second = p[order[0]], p[order[1]]
    q_star = ((top ** (1 - alpha) + second ** (1 - alpha)) / 2) ** (1 / (1 - alpha)) if second > 0 else 0.0
    q = p.copy()
    q[order[0]] = q[order[1]] = q_star
    return q / q.sum()

"""Renyi divergence and Lemma 1 of Li et al. (2019): how far (in D_rho) a class distribution must move
before its top class changes. `rslib.certificates.renyi_l2` turns this into a certified radius.

The Renyi order is called rho (`order`): alpha is always an error level in rslib and the book.
"""

from __future__ import annotations

import numpy as np

from rslib import _checks

__all__ = ["renyi_divergence", "lemma1_bound", "lemma1_minimizer"]


def _distribution(name, p) -> np.ndarray:
    p = _checks.probability(name, p).astype(float)
    if p.ndim != 1 or p.size < 2 or not np.isclose(p.sum(), 1.0, atol=1e-9):
        raise ValueError(f"{name} must be a probability vector (1-D, >= 2 entries, summing to 1)")
    return p


def _order(order) -> float:
    value = float(_checks.float_array("order", order))
    if not value > 1 or not np.isfinite(value):
        raise ValueError(f"order must be a finite number > 1, got {order!r}")
    return value


def renyi_divergence(q, p, *, order: float) -> float:
    r"""The Renyi divergence of order rho between two distributions on classes:

    .. math:: D_\rho(Q \,\|\, P) = \frac{1}{\rho - 1}\log\sum_i q_i^{\rho} p_i^{1-\rho}.

    Parameters
    ----------
    q, p : array_like, shape (c,)
        Probability vectors (c >= 2 entries summing to 1).
    order : float
        The order rho > 1, finite (keyword-only).

    Returns
    -------
    float
        D_rho(Q || P) >= 0 (inf where Q puts mass where P has none).

    References
    ----------
    T. van Erven, P. Harremoës. Rényi divergence and Kullback-Leibler divergence. IEEE Trans. Inf. Theory 60(7), 2014.
    """
    q, p, rho = _distribution("q", q), _distribution("p", p), _order(order)
    keep = q > 0
    with np.errstate(divide="ignore"):
        return float(np.log(np.sum(q[keep] ** rho * p[keep] ** (1.0 - rho))) / (rho - 1.0))


def lemma1_bound(p, *, order: float) -> float:
    r"""The smallest D_rho(Q || P) over the Q whose top class differs from P's (Li et al. 2019, Lemma 1):

    .. math:: -\log\left(1 - p_{(1)} - p_{(2)} + 2 M_{1-\rho}(p_{(1)}, p_{(2)})\right),
              \qquad M_r(a, b) = \left(\frac{a^r + b^r}{2}\right)^{1/r}.

    Parameters
    ----------
    p : array_like, shape (c,)
        A probability vector.
    order : float
        The order rho > 1 (keyword-only).

    Returns
    -------
    float

    References
    ----------
    B. Li, C. Chen, W. Wang, L. Carin. Certified adversarial robustness with additive noise. NeurIPS 2019.
    """
    p, rho = _distribution("p", p), _order(order)
    top, second = np.sort(p)[::-1][:2]
    mean = ((top ** (1 - rho) + second ** (1 - rho)) / 2) ** (1 / (1 - rho)) if second > 0 else 0.0
    return float(-np.log(1 - top - second + 2 * mean))


def lemma1_minimizer(p, *, order: float) -> np.ndarray:
    """The Q attaining Lemma 1's bound: the top two classes tied at q* = M_{1-rho}(p_(1), p_(2)), the others
    proportional to P, all divided by 1 - p_(1) - p_(2) + 2 q* so that Q sums to one. (The proof in the
    paper's appendix prints a minus sign before 2 q* in that normaliser.) Ties in Q are the limit of Q's
    whose top class differs, so the bound is an infimum. Parameters as in `lemma1_bound`."""
    p, rho = _distribution("p", p), _order(order)
    ranked = np.argsort(p)[::-1]
    top, second = p[ranked[0]], p[ranked[1]]
    q_star = ((top ** (1 - rho) + second ** (1 - rho)) / 2) ** (1 / (1 - rho)) if second > 0 else 0.0
    q = p.copy()
    q[ranked[0]] = q[ranked[1]] = q_star
    return q / q.sum()

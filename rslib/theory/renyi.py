"""Renyi divergence and Lemma 1 of Li et al. (2019): how far (in D_rho) a class distribution must move
before its top class changes. `rslib.certificates.renyi_l2` turns this into a certified radius.

The Renyi order is called rho (`order`): alpha is always an error level in rslib and the book.

References
----------
B. Li, C. Chen, W. Wang, L. Carin. Certified adversarial robustness with additive noise. NeurIPS 2019.
T. van Erven, P. Harremoës. Rényi divergence and Kullback-Leibler divergence. IEEE Trans. Inf. Theory 60(7), 2014.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rslib import _checks, certificates

__all__ = ["renyi_divergence", "lemma1_bound", "lemma1_minimizer", "radius_ratio"]


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


def renyi_divergence(q: ArrayLike, p: ArrayLike, *, order: float) -> float:
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

    Raises
    ------
    ValueError
        If q or p is not a probability vector, or order is not a finite number > 1.

    References
    ----------
    T. van Erven, P. Harremoës. Rényi divergence and Kullback-Leibler divergence. IEEE Trans. Inf. Theory 60(7), 2014.
    """
    q, p, rho = _distribution("q", q), _distribution("p", p), _order(order)
    keep = q > 0
    with np.errstate(divide="ignore"):
        return float(np.log(np.sum(q[keep] ** rho * p[keep] ** (1.0 - rho))) / (rho - 1.0))


def lemma1_bound(p: ArrayLike, *, order: float) -> float:
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
        The bound, >= 0; where :math:`p_{(2)} = 0` the power mean is 0 and the bound is
        :math:`-\log(1 - p_{(1)})`.

    Raises
    ------
    ValueError
        If p is not a probability vector, or order is not a finite number > 1.

    References
    ----------
    B. Li, C. Chen, W. Wang, L. Carin. Certified adversarial robustness with additive noise. NeurIPS 2019.
    """
    p, rho = _distribution("p", p), _order(order)
    top, second = np.sort(p)[::-1][:2]
    mean = ((top ** (1 - rho) + second ** (1 - rho)) / 2) ** (1 / (1 - rho)) if second > 0 else 0.0
    return float(-np.log(1 - top - second + 2 * mean))


def lemma1_minimizer(p: ArrayLike, *, order: float) -> np.ndarray:
    r"""The Q attaining `lemma1_bound`: the closest distribution to P, in :math:`D_\rho(Q \,\|\, P)`, whose top class
    is not P's.

    The top two classes are tied at :math:`q^* = M_{1-\rho}(p_{(1)}, p_{(2)})`, the others proportional to P, and
    everything is divided by :math:`1 - p_{(1)} - p_{(2)} + 2 q^*` so that Q sums to one. (Li et al.'s Appendix B
    prints this normaliser as :math:`1 - p_{(1)} - p_{(2)} - 2 q^*`, with which Q does not sum to one.) A tie in Q is
    the limit of Q's whose top class differs, so the bound is an infimum.

    Parameters
    ----------
    p : array_like, shape (c,)
        A probability vector (c >= 2 entries summing to 1).
    order : float
        The order :math:`\rho > 1`, finite (keyword-only).

    Returns
    -------
    numpy.ndarray, shape (c,)
        Q, a probability vector.

    Raises
    ------
    ValueError
        If p is not a probability vector, or order is not a finite number > 1.

    References
    ----------
    B. Li, C. Chen, W. Wang, L. Carin. Certified adversarial robustness with additive noise. NeurIPS 2019.
    """
    p, rho = _distribution("p", p), _order(order)
    ranked = np.argsort(p)[::-1]
    top, second = p[ranked[0]], p[ranked[1]]
    q_star = ((top ** (1 - rho) + second ** (1 - rho)) / 2) ** (1 / (1 - rho)) if second > 0 else 0.0
    q = p.copy()
    q[ranked[0]] = q[ranked[1]] = q_star
    return q / q.sum()


def radius_ratio(p_a: ArrayLike, p_b: ArrayLike) -> np.ndarray:
    r"""How far below Cohen et al.'s radius the Rényi radius stays, for the same bounds:

    .. math:: \frac{R_{\text{Rényi}}}{R_{\text{Cohen}}}
              = \frac{\sup_{\rho>1} \sqrt{\frac{2}{\rho}\left(-\log\left(1 - p_A - p_B
              + 2 M_{1-\rho}(p_A, p_B)\right)\right)}}{\frac12\left(\Phi^{-1}(p_A) - \Phi^{-1}(p_B)\right)},

    which does not depend on sigma (both radii are proportional to it). It is strictly below 1 wherever both
    radii are positive, which is why Li et al.'s certificate holds on the closed ball for Gaussian noise.

    Parameters
    ----------
    p_a, p_b : array_like
        Lower bound on the top class's probability and upper bound on the runner-up's, with p_a > p_b.

    Returns
    -------
    numpy.ndarray
        The ratio, elementwise (0-d for scalars); NaN where either certificate abstains.

    Raises
    ------
    ValueError
        As `rslib.certificates.renyi_l2` and `rslib.certificates.gaussian_l2`.

    References
    ----------
    B. Li, C. Chen, W. Wang, L. Carin. Certified adversarial robustness with additive noise. NeurIPS 2019.
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """
    renyi = np.asarray(certificates.renyi_l2(p_a, p_b, sigma=1.0), dtype=float)
    cohen = np.asarray(certificates.gaussian_l2(p_a, p_b, sigma=1.0), dtype=float)
    certified = (renyi > 0) & (cohen > 0)
    return np.where(certified, renyi / np.where(certified, cohen, 1.0), np.nan)[()]

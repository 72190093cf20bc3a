"""Certificates from Renyi-divergence bounds (Li et al. 2019) and the PixelDP baseline (Lecuyer et al. 2019).

The Renyi order is called rho here and in the book (alpha is always an error level).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rslib import _checks
from rslib.certificates._common import continuous, log_one_minus, minus_log_one_minus, pair, radius_down, scalar_if_0d
from rslib.certificates._gaussian import gaussian_l2

__all__ = ["renyi_l2", "renyi_l1", "renyi_optimal_order", "pixeldp_l2"]


def _objective(log_beta, m, h, a, b):
    """-(1/rho) log(1 - a - b + 2 M_{1-rho}(a, b)) at rho = 1 + exp(log_beta), without cancellation.

    With beta = rho - 1, m = (log a + log b) / 2 and h = (log a - log b) / 2 >= 0,
    M_{1-rho}(a, b) = ((a^-beta + b^-beta) / 2)^(-1/beta) = exp(m) cosh(beta h)^(-1/beta), and a + b = 2 exp(m) cosh h, so
        gap = a + b - 2M = 2 exp(m) (2 sinh^2(h/2) - expm1(-c)),   c = log cosh(beta h) / beta >= 0,
    a sum of two non-negative terms: accurate to a few ulps even near ties (a ~ b) and near rho = 1, where
    subtracting M from (a + b)/2 directly loses every digit. b = 0 gives M = 0 and gap = a.
    """
    beta = np.exp(log_beta)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        x = beta * h
        log_cosh = np.where(
            x < 1.0, np.log1p(2.0 * np.sinh(x / 2.0) ** 2), x + np.log1p(np.exp(-2.0 * x)) - np.log(2.0)
        )
        mean = np.where(b > 0, np.exp(m - log_cosh / beta), 0.0)  # M_{1-rho}(a, b), 0 where b = 0
        gap = 2.0 * np.exp(m) * (2.0 * np.sinh(h / 2.0) ** 2 - np.expm1(-log_cosh / beta))
        gap = np.where(b > 0, gap, a + b)
        return minus_log_one_minus(gap, (1.0 - a) + (2.0 * mean - b)) / (1.0 + beta)


def _supremum(a, b, log_beta_range: tuple[float, float] = (-12.0, 8.0), grid: int = 64, refinements: int = 40):
    """(sup over rho of the Renyi objective, the log(rho - 1) attaining it), vectorised over a, b.

    The rho -> 1 limit, -log(1 - (sqrt(a) - sqrt(b))^2) (M_0 is the geometric mean), is a candidate too:
    where it wins, the objective decreases in rho, the supremum is only approached as rho -> 1, and
    the returned log(rho - 1) is -inf."""
    with np.errstate(divide="ignore", invalid="ignore"):
        m, h = (np.log(a) + np.log(b)) / 2.0, (np.log(a) - np.log(b)) / 2.0  # nan / inf where b = 0: unused there
    t = np.linspace(log_beta_range[0], log_beta_range[1], grid)
    values = _objective(t[:, None], m, h, a, b)
    best = np.argmax(values, axis=0)
    low, high = t[np.maximum(best - 1, 0)], t[np.minimum(best + 1, grid - 1)]
    inv_phi = (np.sqrt(5.0) - 1.0) / 2.0
    for _ in range(refinements):  # golden-section search on [low, high], every input at once
        left, right = high - inv_phi * (high - low), low + inv_phi * (high - low)
        go_right = _objective(left, m, h, a, b) < _objective(right, m, h, a, b)
        low, high = np.where(go_right, left, low), np.where(go_right, high, right)
    refined = _objective((low + high) / 2, m, h, a, b)
    grid_best = values.max(axis=0)
    with np.errstate(
        invalid="ignore", divide="ignore"
    ):  # (sqrt a - sqrt b)^2 = ((a - b) / (sqrt a + sqrt b))^2, accurate near ties
        root_gap = ((a - b) / (np.sqrt(a) + np.sqrt(b))) ** 2  # 1 - its complement (1 - a) + (2 sqrt(ab) - b)
        limit = np.where(a + b > 0, minus_log_one_minus(root_gap, (1.0 - a) + (2.0 * np.sqrt(a * b) - b)), 0.0)
    searched = np.maximum(grid_best, refined)
    log_beta = np.where(refined >= grid_best, (low + high) / 2, t[best])
    return np.maximum(searched, limit), np.where(limit >= searched, -np.inf, log_beta)


def renyi_l2(p_a: ArrayLike, p_b: ArrayLike | None = None, *, sigma: float) -> np.float64 | np.ndarray:
    r"""Certified l2 radius of Gaussian smoothing from the Renyi-divergence bound (Li et al. 2019, Theorem 2).

    .. math:: R^2 = \sup_{\rho > 1} -\frac{2\sigma^2}{\rho}
              \log\left(1 - \underline{p_A} - \overline{p_B} + 2 M_{1-\rho}(\underline{p_A}, \overline{p_B})\right),
              \qquad M_r(a, b) = \left(\frac{a^r + b^r}{2}\right)^{1/r}.

    The supremum is taken over rho = 1 + exp(t): a grid over t, golden-section refinement around the best
    grid point, and the rho -> 1 limit, vectorised over all inputs. Never larger than `gaussian_l2`
    (the tight bound), which also caps it as a last line of defence. Certifies the open ball of radius R.

    Parameters
    ----------
    p_a : float or array_like
        Lower confidence bound on the top class's probability, in [0, 1].
    p_b : float or array_like, optional
        Upper confidence bound on every other class's probability. None: 1 - p_a.
    sigma : float
        Standard deviation of the Gaussian noise, > 0 (keyword-only).

    Returns
    -------
    numpy.float64 or numpy.ndarray
        The radius (rounded toward 0 by 64 ulps, the search's rounding), ``NOT_CERTIFIED`` where p_a <= p_b.

    References
    ----------
    B. Li, C. Chen, W. Wang, L. Carin. Certified adversarial robustness with additive noise. NeurIPS 2019.
    """
    sigma = _checks.positive("sigma", sigma)
    p_a, p_b = pair(p_a, p_b)
    value, _ = _supremum(p_a.astype(float).ravel(), p_b.astype(float).ravel())
    # sigma * sqrt(2 value), not sqrt(2 sigma^2 value): sigma^2 underflows to 0 for sigma < 1e-154, and 0 * inf
    # (p_A = 1) would turn an infinite radius into NaN, i.e. an abstention
    radius = radius_down(sigma * np.sqrt(2.0 * np.maximum(value, 0.0)).reshape(p_a.shape), 0.0, 64 * _checks.EPS)
    tight = np.maximum(np.asarray(gaussian_l2(p_a, p_b, sigma=sigma), dtype=float), 0.0)
    return continuous(np.minimum(radius, tight), p_a > p_b)


def renyi_optimal_order(p_a: ArrayLike, p_b: ArrayLike | None = None) -> np.float64 | np.ndarray:
    r"""The Renyi order rho > 1 at which `renyi_l2`'s supremum is attained.

    1.0 where the bound decreases in rho, so that the supremum is only approached as rho -> 1; then
    :math:`R^2 = -2\sigma^2\log(1 - (\sqrt{p_A} - \sqrt{p_B})^2)`. The order does not depend on sigma.

    Parameters
    ----------
    p_a, p_b : float or array_like
        As in `renyi_l2` (p_b None: 1 - p_a). Meaningful where p_a > p_b.

    Returns
    -------
    numpy.float64 or numpy.ndarray
        The optimal order rho >= 1.

    References
    ----------
    B. Li, C. Chen, W. Wang, L. Carin. Certified adversarial robustness with additive noise. NeurIPS 2019.
    """
    p_a, p_b = pair(p_a, p_b)
    _, log_beta = _supremum(p_a.astype(float).ravel(), p_b.astype(float).ravel())
    return scalar_if_0d((1.0 + np.exp(log_beta)).reshape(p_a.shape))


def renyi_l1(p_a: ArrayLike, p_b: ArrayLike | None = None, *, scale: float) -> np.float64 | np.ndarray:
    r"""Certified l1 radius of Laplace smoothing from the Renyi bound (Li et al. 2019, Theorem 3).

    .. math:: R = -\lambda\log\left(1 - \underline{p_A} + \overline{p_B}\right),

    the rho -> infinity limit; it equals the second term of Teng et al.'s Theorem 1 (`laplace_l1`).

    Parameters
    ----------
    p_a, p_b
        As in `renyi_l2`.
    scale : float
        Scale of the Laplace noise, > 0 (keyword-only).

    Returns
    -------
    numpy.float64 or numpy.ndarray
        The radius (rounded toward 0), ``NOT_CERTIFIED`` where p_a <= p_b.

    References
    ----------
    B. Li, C. Chen, W. Wang, L. Carin. Certified adversarial robustness with additive noise. NeurIPS 2019.
    """
    scale = _checks.positive("scale", scale)
    p_a, p_b = pair(p_a, p_b)
    radius = radius_down(-scale * log_one_minus(p_a - p_b, p_a, p_b))
    return continuous(radius, p_a > p_b)


def pixeldp_l2(
    p_a: ArrayLike, p_b: ArrayLike | None = None, *, sigma: float, max_epsilon: float = 1.0, grid: int = 400
) -> np.float64 | np.ndarray:
    r"""Certified l2 radius of PixelDP with the Gaussian mechanism (Lecuyer et al. 2019), as in Li et al.'s
    Appendix A, maximised over the privacy parameters on a grid.

    For a given delta, the condition (with its delta term)

    .. math:: \underline{p_A} \ge \mathrm{e}^{2\epsilon}\,\overline{p_B} + (1 + \mathrm{e}^{\epsilon})\,\delta

    is a quadratic in u = exp(epsilon) whose largest root gives the largest epsilon; the radius is then
    :math:`\sigma\epsilon / \sqrt{2\log(1.25/\delta)}`. epsilon is capped at `max_epsilon` (the range in which
    the Gaussian mechanism's calibration holds), and delta runs over `grid` points of a log grid in
    (1e-12, 1/(1 + exp(1))): the result is the best radius on that grid, a little below the supremum.

    Parameters
    ----------
    p_a, p_b
        As in `renyi_l2`.
    sigma : float
        Standard deviation of the Gaussian noise, > 0 (keyword-only).
    max_epsilon : float, default 1.0
        Largest privacy parameter epsilon allowed, > 0.
    grid : int, default 400
        Number of delta values tried, >= 2.

    Returns
    -------
    numpy.float64 or numpy.ndarray
        The radius (rounded toward 0), ``NOT_CERTIFIED`` where no (epsilon, delta) of the grid certifies.

    References
    ----------
    M. Lecuyer, V. Atlidakis, R. Geambasu, D. Hsu, S. Jana. Certified robustness to adversarial examples
    with differential privacy. IEEE Symposium on Security and Privacy 2019.
    """
    sigma = _checks.positive("sigma", sigma)
    max_epsilon = _checks.positive("max_epsilon", max_epsilon)
    grid = _checks.count("grid", grid, minimum=2)  # the delta grid needs its two ends
    p_a, p_b = pair(p_a, p_b)
    delta = np.geomspace(1e-12, 1.0 / (1.0 + np.e), grid)[:, None]
    a, b = p_a.ravel()[None, :], p_b.ravel()[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        disc = delta**2 - 4.0 * b * (delta - a)
        # the largest root (-delta + sqrt(disc)) / (2 b), written without cancellation (and valid at b = 0)
        u = 2.0 * (a - delta) / (delta + np.sqrt(np.maximum(disc, 0.0)))
        epsilon = np.minimum(np.log(u), max_epsilon)
        radius = np.where((epsilon > 0) & (disc >= 0), sigma * epsilon / np.sqrt(2.0 * np.log(1.25 / delta)), 0.0)
    radius = radius_down(np.nan_to_num(radius.max(axis=0)), 0.0, 64 * _checks.EPS).reshape(p_a.shape)
    return continuous(radius, p_a > p_b)

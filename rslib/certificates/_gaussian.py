"""Certificates of Gaussian smoothing N(0, sigma^2 I): l2 radii (and the l2 radius read in l1)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import special
from scipy.stats import norm

from rslib import _checks
from rslib.certificates._common import ULPS, continuous, pair, radius_down

__all__ = ["gaussian_l2", "gaussian_l1", "gaussian_l2_margin", "soft_margin_l2"]


def gaussian_l2(p_a: ArrayLike, p_b: ArrayLike | None = None, *, sigma: float) -> np.float64 | np.ndarray:
    r"""Certified l2 radius of Gaussian smoothing (Cohen et al. 2019, Theorem 1).

    .. math:: R = \frac{\sigma}{2}\left(\Phi^{-1}(\underline{p_A}) - \Phi^{-1}(\overline{p_B})\right),
              \qquad R = \sigma\,\Phi^{-1}(\underline{p_A}) \text{ when } \overline{p_B} = 1 - \underline{p_A}.

    The smoothed classifier's prediction is constant on the open l2 ball of radius R. The bound is tight:
    a linear base classifier attains it.

    Parameters
    ----------
    p_a : float or array_like
        Lower confidence bound on the top class's probability, in [0, 1].
    p_b : float or array_like, optional
        Upper confidence bound on every other class's probability, in [0, 1]. None: the binary bound
        1 - p_a. Broadcasts with `p_a`.
    sigma : float
        Standard deviation of the noise, > 0 (keyword-only).

    Returns
    -------
    numpy.float64 or numpy.ndarray
        The radius, rounded toward 0 by a bound on its floating-point error, so never above the exact
        one; ``NOT_CERTIFIED`` (-1.0) where p_a <= p_b. A scalar for scalar bounds.

    Raises
    ------
    ValueError
        If a bound lies outside [0, 1], is NaN, or p_a + p_b > 1 (bounds that cannot both hold), or if
        sigma is not a finite number in (0, 1e100].
    TypeError
        If a bound is a bool, a string or None (p_a), or sigma is passed by position.

    References
    ----------
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """
    sigma = _checks.positive("sigma", sigma)
    p_a, p_b = pair(p_a, p_b)
    with np.errstate(invalid="ignore"):  # inf - inf where p_a = 1, p_b = 1 cannot occur: sum <= 1
        quantile_a, quantile_b = norm.ppf(p_a), norm.ppf(p_b)
        radius = sigma / 2.0 * (quantile_a - quantile_b)
        # the difference cancels where both quantiles are negative (p_b < p_a < 1/2): bound its error by
        # the size of the terms, not of the result
        error = ULPS * sigma / 2.0 * (np.abs(quantile_a) + np.abs(quantile_b))
        radius = radius_down(radius, np.where(np.isfinite(error), error, 0.0))
    return continuous(radius, p_a > p_b)


def gaussian_l1(p_a: ArrayLike, p_b: ArrayLike | None = None, *, sigma: float) -> np.float64 | np.ndarray:
    r"""The Gaussian l2 radius read as an l1 radius: :math:`\|\delta\|_2 \le \|\delta\|_1`.

    The l1 ball of radius R lies inside the l2 ball of radius R, and it is the largest l1 ball that does,
    so this is the best l1 certificate the Gaussian l2 guarantee gives (the row "Cohen et al." of Teng et al.'s
    Table 1, which compares l1 certificates).

    Parameters
    ----------
    p_a, p_b, sigma
        As in `gaussian_l2`.

    Returns
    -------
    numpy.float64 or numpy.ndarray
        `gaussian_l2`'s radius, ``NOT_CERTIFIED`` where p_a <= p_b.

    References
    ----------
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    J. Teng, G.-H. Lee, Y. Yuan. l1 adversarial robustness certificates: a randomized smoothing approach.
    OpenReview (ICLR 2020 submission), 2020.
    """
    return gaussian_l2(p_a, p_b, sigma=sigma)


def gaussian_l2_margin(margin: ArrayLike, *, sigma: float) -> np.float64 | np.ndarray:
    r"""Certified l2 radius of Gaussian smoothing from a lower bound on the margin p_A - p_B alone.

    .. math:: R = \sigma\,\Phi^{-1}\!\left(\frac{1 + m}{2}\right) = \sqrt{2}\,\sigma\,\operatorname{erfinv}(m).

    Among the pairs with p_A - p_B >= m and p_A + p_B <= 1, the difference of quantiles in
    `gaussian_l2` is smallest at p_A = (1 + m)/2, p_B = (1 - m)/2, so this is Theorem 1 of Cohen et al.
    at its worst case and never exceeds `gaussian_l2` at any pair consistent with the margin.

    Parameters
    ----------
    margin : float or array_like
        Lower confidence bound on p_A - p_B, in [-1, 1].
    sigma : float
        Standard deviation of the noise, > 0 (keyword-only).

    Returns
    -------
    numpy.float64 or numpy.ndarray
        The radius (rounded toward 0), ``NOT_CERTIFIED`` where margin <= 0.

    Raises
    ------
    ValueError
        If margin lies outside [-1, 1] or is NaN, or sigma is not in (0, 1e100].

    References
    ----------
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """
    sigma = _checks.positive("sigma", sigma)
    margin = _checks.margin("margin", margin)
    # sqrt(2) erfinv(m): no rounding of 1 + m, which would lose a tiny margin and turn a margin just below
    # 1 into an infinite radius
    radius = radius_down(sigma * np.sqrt(2.0) * special.erfinv(np.maximum(margin, 0.0)))
    return continuous(radius, margin > 0)


def soft_margin_l2(margin: ArrayLike, *, sigma: float) -> np.float64 | np.ndarray:
    r"""Certified l2 radius from a lower bound on the soft margin F_A(x) - max_{C != A} F_C(x).

    Each coordinate of the smoothed score map F = E[h(x + eps)], h with values in [0, 1], is
    sqrt(2/pi)/sigma-Lipschitz (Salman et al. 2019, Lemma 1), so the margin falls by at most
    2 sqrt(2/pi)/sigma per unit of l2 distance:

    .. math:: R = \frac{m\,\sigma}{2\sqrt{2/\pi}} = m\,\sigma\sqrt{\pi/8}.

    Parameters
    ----------
    margin : float or array_like
        Lower confidence bound on the soft margin, in [-1, 1].
    sigma : float
        Standard deviation of the noise, > 0 (keyword-only).

    Returns
    -------
    numpy.float64 or numpy.ndarray
        The radius (rounded toward 0), ``NOT_CERTIFIED`` where margin <= 0.

    References
    ----------
    H. Salman, J. Li, I. Razenshteyn, P. Zhang, H. Zhang, S. Bubeck, G. Yang. Provably robust deep learning
    via adversarially trained smoothed classifiers. NeurIPS 2019.
    """
    sigma = _checks.positive("sigma", sigma)
    margin = _checks.margin("margin", margin)
    return continuous(radius_down(np.maximum(margin, 0.0) * sigma * np.sqrt(np.pi / 8.0)), margin > 0)

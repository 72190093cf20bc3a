r"""Certificates of i.i.d. Laplace smoothing, density :math:`\mathrm{e}^{-|z|/\lambda} / (2\lambda)` per coordinate: l1 radii."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rslib import _checks
from rslib.certificates._common import ULPS, continuous, log_one_minus, pair, radius_down

__all__ = ["laplace_l1", "lecuyer_l1"]


def laplace_l1(p_a: ArrayLike, p_b: ArrayLike | None = None, *, scale: float) -> np.float64 | np.ndarray:
    r"""Certified l1 radius of Laplace smoothing (Teng et al. 2020, Theorems 1 and 2).

    With a runner-up bound (any number of classes, Theorem 1):

    .. math:: R = \max\left(\frac{\lambda}{2}\log\frac{\underline{p_A}}{\overline{p_B}},\;
              -\lambda\log\left(1 - \underline{p_A} + \overline{p_B}\right)\right);

    in the binary form (p_b None, Theorem 2, tight by Theorem 3), :math:`R = -\lambda\log(2(1 - \underline{p_A}))`,
    where :math:`\lambda` is `scale`.

    The smoothed prediction is constant on the open l1 ball of radius R. Teng et al.'s Theorems 1 and 2 claim
    the closed ball, but at distance exactly R their proofs allow a tie (the worst case of Theorem 3 ties there),
    so only the open ball is certified.

    Parameters
    ----------
    p_a : float or array_like
        Lower confidence bound on the top class's probability, in [0, 1].
    p_b : float or array_like, optional
        Upper confidence bound on every other class's probability. None: the binary form (p_b = 1 - p_a).
    scale : float
        Scale of the Laplace noise, > 0 (keyword-only); its variance is 2 scale^2.

    Returns
    -------
    numpy.float64 or numpy.ndarray
        The radius (rounded toward 0), ``NOT_CERTIFIED`` where p_a <= p_b.

    Raises
    ------
    ValueError
        If a bound lies outside [0, 1] or p_a + p_b > 1, or scale is not in (0, 1e100].

    References
    ----------
    J. Teng, G.-H. Lee, Y. Yuan. l1 adversarial robustness certificates: a randomized smoothing approach.
    OpenReview (ICLR 2020 submission), 2020.
    """
    scale = _checks.positive("scale", scale)
    binary = p_b is None
    p_a, p_b = pair(p_a, p_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        if binary:
            radius = radius_down(-scale * np.log(2.0 * (1.0 - p_a)))  # 1 - p_a is exact for p_a >= 1/2
        else:
            radius = np.maximum(
                log_ratio_radius(p_a, p_b, scale), radius_down(-scale * log_one_minus(p_a - p_b, p_a, p_b))
            )
    return continuous(radius, p_a > p_b)


def lecuyer_l1(p_a: ArrayLike, p_b: ArrayLike | None = None, *, scale: float) -> np.float64 | np.ndarray:
    r"""Certified l1 radius of Laplace smoothing from differential privacy (Lecuyer et al. 2019).

    .. math:: R = \frac{\lambda}{2}\log\frac{\underline{p_A}}{\overline{p_B}}, \qquad \overline{p_B} = 1 - \underline{p_A}
              \text{ in the binary form.}

    Each side of the privacy inequality :math:`P(f(X) \in S) \le \mathrm{e}^{\|\delta\|_1/\lambda} P(f(Y) \in S)` costs
    a factor, hence the 1/2. Theorem 1 of Teng et al. is never smaller (see `laplace_l1`).

    Parameters
    ----------
    p_a, p_b, scale
        As in `laplace_l1`.

    Returns
    -------
    numpy.float64 or numpy.ndarray
        The radius (rounded toward 0), ``NOT_CERTIFIED`` where p_a <= p_b.

    References
    ----------
    M. Lecuyer, V. Atlidakis, R. Geambasu, D. Hsu, S. Jana. Certified robustness to adversarial examples
    with differential privacy. IEEE Symposium on Security and Privacy 2019.
    """
    scale = _checks.positive("scale", scale)
    p_a, p_b = pair(p_a, p_b)
    return continuous(log_ratio_radius(p_a, p_b, scale), p_a > p_b)


def log_ratio_radius(p_a, p_b, scale):
    """scale / 2 * log(p_a / p_b) rounded down; two logs, not the log of the ratio, so that a tiny p_b does not
    overflow. The logs cancel where p_a ~ p_b: their error is bounded by the size of the terms."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_a, log_b = np.log(p_a), np.log(p_b)
        error = ULPS * scale / 2.0 * (np.abs(log_a) + np.abs(log_b))
        return radius_down(scale / 2.0 * (log_a - log_b), np.where(np.isfinite(error), error, 0.0))

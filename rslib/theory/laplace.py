r"""The analysis behind the Laplace l1 certificate of Teng, Lee and Yuan (2020), under i.i.d. Laplace noise of
scale :math:`\lambda`, with density :math:`\mathrm{e}^{-|z|/\lambda} / (2\lambda)` per coordinate:

- the likelihood statistic :math:`T(z) = \|z - \delta\|_1 - \|z\|_1`, a mixed random variable under Laplace noise;
- Theorem 3's worst case: a half-space classifier whose smoothed prediction flips exactly at the radius;
- where the second term of Theorem 1 beats Lecuyer et al.'s bound (the closed form of Teng et al.'s Figure 4);
- Appendix D's ROPS: how large a noise each distribution tolerates before the smoothed classifier of
  :math:`f(x) = [|x| \le 1]` stops agreeing with f (or stops certifying a given radius).

References
----------
J. Teng, G.-H. Lee, Y. Yuan. l1 adversarial robustness certificates: a randomized smoothing approach.
OpenReview (ICLR 2020 submission), 2020.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, special, stats

from rslib import _checks, certificates

__all__ = [
    "likelihood_statistic",
    "sample_likelihood_statistic",
    "worst_case_threshold",
    "worst_case_probability",
    "beats_lecuyer_interval",
    "interval_probability",
    "rops",
    "rops_gap",
    "rops_crossings",
    "laplace_gaussian_crossing",
]


def likelihood_statistic(z: ArrayLike, delta: ArrayLike) -> np.ndarray:
    r"""The likelihood statistic of Laplace smoothing, :math:`T(z) = \|z - \delta\|_1 - \|z\|_1`.

    The density ratio of :math:`Y = X + \delta` to X is :math:`\mathrm{e}^{-T(z)/\lambda}`, so the Neyman-Pearson sets of
    the two are the level sets of T. By the triangle inequality :math:`-\|\delta\|_1 \le T \le \|\delta\|_1`, and
    T sits on both ends with positive probability (:math:`T = \|\delta\|_1` wherever every :math:`z_i` has the
    sign opposite to :math:`\delta_i`): T is a mixed random variable.

    Parameters
    ----------
    z : array_like, shape (..., d)
        Points.
    delta : array_like, shape (d,)
        The perturbation.

    Returns
    -------
    numpy.ndarray, shape (...)
        T at each point.

    References
    ----------
    J. Teng, G.-H. Lee, Y. Yuan. l1 adversarial robustness certificates: a randomized smoothing approach.
    OpenReview (ICLR 2020 submission), 2020.
    """
    z, delta = np.asarray(z, float), np.asarray(delta, float)
    return np.abs(z - delta).sum(axis=-1) - np.abs(z).sum(axis=-1)


def sample_likelihood_statistic(delta: ArrayLike, scale: float, n: int = 100_000, seed: int = 0) -> np.ndarray:
    """Draws of T(X) (`likelihood_statistic`) with X i.i.d. Laplace(scale) in dimension len(delta).

    Parameters
    ----------
    delta : array_like, shape (d,)
        The perturbation.
    scale : float
        Scale of the Laplace noise, > 0.
    n : int, default 100_000
        Number of draws, >= 1.
    seed : int, default 0
        Seed of numpy's generator.

    Returns
    -------
    numpy.ndarray, shape (n,)

    References
    ----------
    J. Teng, G.-H. Lee, Y. Yuan. l1 adversarial robustness certificates: a randomized smoothing approach.
    OpenReview (ICLR 2020 submission), 2020.
    """
    scale = _checks.positive("scale", scale)
    delta = np.atleast_1d(np.asarray(delta, float))
    x = np.random.default_rng(seed).laplace(scale=scale, size=(_checks.count("n", n), delta.size))
    return likelihood_statistic(x, delta)


def worst_case_threshold(p_a: ArrayLike, scale: float) -> np.float64 | np.ndarray:
    r"""The t with :math:`P(X_1 \le t) = p_A` for :math:`X_1 \sim` Laplace(scale): the worst-case classifier of
    Teng et al.'s Theorem 3 says :math:`c_A` on the half-space :math:`\{z_1 \le t\}`.

    For :math:`p_A \ge 1/2`, :math:`t = -\lambda\log(2(1 - p_A))`, which is exactly the binary radius of Theorem 2.

    Parameters
    ----------
    p_a : float or array_like
        The probability of class A, in [0, 1].
    scale : float
        Scale :math:`\lambda` of the Laplace noise, > 0.

    Returns
    -------
    numpy.float64 or numpy.ndarray
        t, shaped like p_a (-inf at 0, inf at 1).

    References
    ----------
    J. Teng, G.-H. Lee, Y. Yuan. l1 adversarial robustness certificates: a randomized smoothing approach.
    OpenReview (ICLR 2020 submission), 2020.
    """
    return stats.laplace.ppf(_checks.probability("p_a", p_a), scale=_checks.positive("scale", scale))


def worst_case_probability(p_a: ArrayLike, scale: float, shift: ArrayLike) -> np.float64 | np.ndarray:
    r"""The smoothed probability of :math:`c_A` for the worst-case classifier after the input moves by `shift`
    along :math:`e_1`: :math:`P(Y \in A)` for :math:`A = \{z_1 \le t\}` (`worst_case_threshold`) and
    :math:`\|\delta\|_1` = shift.

    It equals 1/2 exactly at shift = ``certificates.laplace_l1(p_a, scale=scale)``: the binary radius is
    tight (Teng et al.'s Theorem 3).

    Parameters
    ----------
    p_a : float or array_like
        The probability of class A at the unmoved input, in [0, 1].
    scale : float
        Scale of the Laplace noise, > 0.
    shift : float or array_like
        :math:`\|\delta\|_1`.

    Returns
    -------
    numpy.float64 or numpy.ndarray
        :math:`P(Y \in A)`, broadcast from p_a and shift.

    References
    ----------
    J. Teng, G.-H. Lee, Y. Yuan. l1 adversarial robustness certificates: a randomized smoothing approach.
    OpenReview (ICLR 2020 submission), 2020.
    """
    return stats.laplace.cdf(worst_case_threshold(p_a, scale) - np.asarray(shift, float), scale=scale)


def beats_lecuyer_interval(p_a: ArrayLike) -> tuple[np.float64 | np.ndarray, np.float64 | np.ndarray]:
    r"""The interval of :math:`p_B` where the second term of Teng et al.'s Theorem 1 is at least Lecuyer et al.'s
    bound, :math:`-\lambda\log(1 - p_A + p_B) \ge \frac{\lambda}{2}\log\frac{p_A}{p_B}` (remark 2 on Theorem 1):

    .. math:: p_B \in \left[\frac{1 - 2q - \sqrt{1 - 4q}}{2 p_A},\ \frac{1 - 2q + \sqrt{1 - 4q}}{2 p_A}\right],
              \qquad q = p_A (1 - p_A),

    the roots of :math:`p_A (1 - p_A + p_B)^2 = p_B`. Since :math:`\sqrt{1 - 4q} = |2 p_A - 1|` the roots are
    :math:`p_A` and :math:`(1 - p_A)^2 / p_A`, so for :math:`p_A \ge 1/2` the interval is
    :math:`[(1 - p_A)^2 / p_A,\ p_A]`. The scale cancels.

    Parameters
    ----------
    p_a : float or array_like
        Lower bound on the top class's probability, in [0, 1].

    Returns
    -------
    tuple of numpy.float64 or numpy.ndarray
        (low, high), shaped like p_a (inf or NaN at p_a = 0).

    References
    ----------
    J. Teng, G.-H. Lee, Y. Yuan. l1 adversarial robustness certificates: a randomized smoothing approach.
    OpenReview (ICLR 2020 submission), 2020.
    M. Lecuyer, V. Atlidakis, R. Geambasu, D. Hsu, S. Jana. Certified robustness to adversarial examples
    with differential privacy. IEEE Symposium on Security and Privacy 2019.
    """
    p_a = _checks.probability("p_a", p_a)
    q = p_a * (1.0 - p_a)
    root = np.sqrt(np.maximum(1.0 - 4.0 * q, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (1.0 - 2.0 * q - root) / (2.0 * p_a), (1.0 - 2.0 * q + root) / (2.0 * p_a)


def interval_probability(x: ArrayLike, noise: str, level: ArrayLike) -> np.float64 | np.ndarray:
    r"""The smoothed probability of :math:`c_A` for Appendix D's classifier, which says :math:`c_A` on [-1, 1] and
    :math:`c_B` elsewhere: :math:`P(|x + \varepsilon| \le 1)`.

    Parameters
    ----------
    x : float or array_like
        The input (one dimension).
    noise : {"laplace", "gaussian"}
        The distribution of :math:`\varepsilon`.
    level : float or array_like
        Its scale (Laplace) or standard deviation (Gaussian), > 0.

    Returns
    -------
    numpy.float64 or numpy.ndarray
        The probability, broadcast from x and level.

    Raises
    ------
    KeyError
        If noise is neither "laplace" nor "gaussian".

    References
    ----------
    J. Teng, G.-H. Lee, Y. Yuan. l1 adversarial robustness certificates: a randomized smoothing approach.
    OpenReview (ICLR 2020 submission), 2020.
    """
    dist = {"laplace": stats.laplace, "gaussian": stats.norm}[noise]
    x = np.asarray(x, float)
    return dist.cdf(1.0 - x, scale=level) - dist.cdf(-1.0 - x, scale=level)


def _log_leave_probability(x, noise: str, level):
    """log q, q = P(|x + eps| > 1) = 1 - interval_probability, computed in log space (no rounding of p_a to 1)."""
    if noise == "laplace":  # P(eps > a) = exp(-a / scale) / 2 for a >= 0, and 1 - x > 0 > -1 - x
        return np.logaddexp(-(1.0 - x) / level, -(1.0 + x) / level) - np.log(2.0)
    return np.logaddexp(stats.norm.logsf(1.0 - x, scale=level), stats.norm.logcdf(-1.0 - x, scale=level))


def rops(x: float, noise: str, radius: float = 0.0, upper: float = 50.0) -> float:
    r"""Appendix D's rectified optional parameter space (ROPS) at x: the largest standard deviation at which the
    smoothed classifier of :math:`f = [|x| \le 1]` still predicts :math:`c_A` at x and certifies `radius` around it.

    The standard deviation is :math:`\sqrt{2}\lambda` for Laplace noise of scale :math:`\lambda`, and :math:`\sigma` for
    Gaussian noise. The certificate is each noise's binary radius, computed from :math:`q = 1 - p_A` in log
    space (no rounding of :math:`p_A` to 1): Teng et al.'s Theorem 2, :math:`-\lambda\log(2q)` (l1), and Cohen et
    al.'s :math:`-\sigma\Phi^{-1}(q)` (l2; in one dimension the same distance). Both stay below the distance
    :math:`1 - |x|` to the boundary, so a radius >= :math:`1 - |x|` gives 0. Found on a log grid, then by Brent's method.

    Parameters
    ----------
    x : float
        The input, in (-1, 1), where f predicts :math:`c_A`.
    noise : {"laplace", "gaussian"}
        The noise.
    radius : float, default 0.0
        The radius to certify; 0 asks only that the prediction be :math:`c_A`.
    upper : float, default 50.0
        The largest standard deviation searched; returned when even it keeps the certificate.

    Returns
    -------
    float
        The ROPS, in [0, upper].

    Raises
    ------
    ValueError
        If noise is unknown, or x is not in (-1, 1).

    References
    ----------
    J. Teng, G.-H. Lee, Y. Yuan. l1 adversarial robustness certificates: a randomized smoothing approach.
    OpenReview (ICLR 2020 submission), 2020.
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """
    if noise not in ("laplace", "gaussian"):
        raise ValueError(f"noise must be 'laplace' or 'gaussian', got {noise!r}")
    if not abs(x) < 1:
        raise ValueError(f"x must lie in (-1, 1), where f predicts c_A; got {x!r}")

    def margin(std):
        level = np.asarray(std, float) / np.sqrt(2.0) if noise == "laplace" else np.asarray(std, float)
        if radius == 0:
            return np.clip(interval_probability(x, noise, level), 0.0, 1.0) - 0.5
        log_q = _log_leave_probability(x, noise, level)
        certified = -level * (np.log(2.0) + log_q) if noise == "laplace" else -level * special.ndtri_exp(log_q)
        return certified - radius

    grid = np.geomspace(1e-4, upper, 400)
    values = margin(grid)
    if values[0] <= 0:
        return 0.0
    failing = np.nonzero(values <= 0)[0]
    if failing.size == 0:
        return float(upper)
    i = failing[0]
    return float(optimize.brentq(lambda s: float(margin(s)), grid[i - 1], grid[i], xtol=1e-10))


def rops_gap(x: float, radius: float = 0.0) -> float:
    """Laplace's ROPS minus the Gaussian's at x (`rops`): positive where Laplace noise tolerates more.

    Parameters
    ----------
    x : float
        The input, in (-1, 1).
    radius : float, default 0.0
        The radius to certify.

    Returns
    -------
    float

    References
    ----------
    J. Teng, G.-H. Lee, Y. Yuan. l1 adversarial robustness certificates: a randomized smoothing approach.
    OpenReview (ICLR 2020 submission), 2020.
    """
    return rops(x, "laplace", radius) - rops(x, "gaussian", radius)


def rops_crossings(grid: ArrayLike, x: float | None = None, radius: float = 0.0) -> np.ndarray:
    """The points along `grid` where the Laplace and Gaussian ROPS are equal (the zeros of `rops_gap`).

    Teng et al.'s Appendix D concludes that Laplace noise tolerates more; these crossings are where that stops
    holding. Sign changes between consecutive grid points are refined by Brent's method.

    Parameters
    ----------
    grid : array_like, shape (m,)
        Increasing values of x (when `x` is None) or of the radius (when `x` is given).
    x : float, optional
        None: scan x at the given radius; a number in (-1, 1): scan the radius at that x.
    radius : float, default 0.0
        The radius to certify, when scanning x.

    Returns
    -------
    numpy.ndarray
        The crossings, sorted.

    References
    ----------
    J. Teng, G.-H. Lee, Y. Yuan. l1 adversarial robustness certificates: a randomized smoothing approach.
    OpenReview (ICLR 2020 submission), 2020.
    """
    gap = (lambda v: rops_gap(v, radius)) if x is None else (lambda v: rops_gap(x, v))
    grid = np.asarray(grid, float)
    values = np.array([gap(v) for v in grid])
    roots = [float(v) for v, value in zip(grid, values) if value == 0]
    for a, b, fa, fb in zip(grid, grid[1:], values, values[1:]):
        if fa * fb < 0:
            roots.append(optimize.brentq(gap, a, b, xtol=1e-9))
    return np.array(sorted(roots))


def laplace_gaussian_crossing() -> float:
    r"""The :math:`p_A` above which Teng et al.'s binary Laplace radius exceeds Cohen et al.'s Gaussian one at equal
    variance (:math:`\sigma = \sqrt{2}\lambda`).

    :math:`\sigma` cancels: the root in (1/2, 1) of :math:`-\log(2(1 - p))/\sqrt{2} = \Phi^{-1}(p)` (both sides
    vanish at p = 1/2, where the Gaussian one is steeper). Teng et al.'s Figure 6 claims that Theorem 2 always
    gives the larger radius; below this :math:`p_A` it does not.

    Returns
    -------
    float
        The crossing :math:`p_A`, to 1e-12.

    References
    ----------
    J. Teng, G.-H. Lee, Y. Yuan. l1 adversarial robustness certificates: a randomized smoothing approach.
    OpenReview (ICLR 2020 submission), 2020.
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """

    def gap(p):
        return float(certificates.laplace_l1(p, scale=1.0 / np.sqrt(2.0)) - certificates.gaussian_l2(p, sigma=1.0))

    return float(optimize.brentq(gap, 0.51, 1.0 - 1e-9, xtol=1e-12))

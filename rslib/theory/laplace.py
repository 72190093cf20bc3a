"""The analysis behind the Laplace l1 certificate (Teng, Lee & Yuan 2020; Laplace(scale) noise, density ``exp(-|z|/scale)``/(2 scale)).

- the likelihood statistic T(z) = ||z - delta||_1 - ||z||_1, a mixed random variable under X ~ Laplace;
- Theorem 3's worst case: a half-space classifier whose smoothed prediction flips exactly at the radius;
- where Theorem 1's second term beats Lecuyer et al.'s bound (the closed form of the paper's Figure 4);
- Appendix D's ROPS: how large a noise each distribution tolerates before the smoothed classifier of
  f(x) = ``[|x| <= 1]`` stops agreeing with f (or stops certifying a given radius).
"""

from __future__ import annotations

import numpy as np
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


def likelihood_statistic(z, delta):
    """T(z) = ||z - delta||_1 - ||z||_1; the density ratio of Y = X + delta to X is exp(-T(z) / scale).

    By the triangle inequality -||delta||_1 <= T <= ||delta||_1, and T sits on both ends with positive
    probability (e.g. T = ||delta||_1 wherever every z_i has the opposite sign of delta_i).
    """
    z, delta = np.asarray(z, float), np.asarray(delta, float)
    return np.abs(z - delta).sum(axis=-1) - np.abs(z).sum(axis=-1)


def sample_likelihood_statistic(delta, scale, n=100_000, seed=0) -> np.ndarray:
    """n draws of T(X) with X ~ Laplace(scale) in dimension len(delta)."""
    scale = _checks.positive("scale", scale)
    delta = np.atleast_1d(np.asarray(delta, float))
    x = np.random.default_rng(seed).laplace(scale=scale, size=(_checks.count("n", n), delta.size))
    return likelihood_statistic(x, delta)


def worst_case_threshold(p_a, scale):
    """t with P(X_1 <= t) = p_a for X_1 ~ Laplace(scale): the worst-case classifier says c_A on {z_1 <= t}.

    For p_a >= 1/2, t = -scale log(2 (1 - p_a)), which is exactly the binary radius of Theorem 2.
    """
    return stats.laplace.ppf(_checks.probability("p_a", p_a), scale=_checks.positive("scale", scale))


def worst_case_probability(p_a, scale, shift):
    """P(Y in A) for A = {z_1 <= t} after moving the input by `shift` along e_1 (||delta||_1 = shift).

    It equals 1/2 exactly at shift = certificates.laplace_l1(p_a, scale=scale): Theorem 3, the binary radius is tight.
    """
    return stats.laplace.cdf(worst_case_threshold(p_a, scale) - np.asarray(shift, float), scale=scale)


def beats_lecuyer_interval(p_a):
    """The p_b for which -scale log(1 - p_a + p_b) >= scale/2 log(p_a / p_b) (Theorem 1's remark 2):

        p_b in [(1 - 2q - sqrt(1 - 4q)) / (2 p_a),  (1 - 2q + sqrt(1 - 4q)) / (2 p_a)],   q = p_a (1 - p_a),

    the roots of p_a (1 - p_a + p_b)^2 = p_b. Since sqrt(1 - 4q) = ``|2 p_a - 1|`` the roots are p_a and
    (1 - p_a)^2 / p_a, so for p_a >= 1/2 the interval is [(1 - p_a)^2 / p_a, p_a]. Returns (low, high).
    """
    p_a = _checks.probability("p_a", p_a)
    q = p_a * (1.0 - p_a)
    root = np.sqrt(np.maximum(1.0 - 4.0 * q, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (1.0 - 2.0 * q - root) / (2.0 * p_a), (1.0 - 2.0 * q + root) / (2.0 * p_a)


def interval_probability(x, noise: str, level):
    """``P(|x + eps| <= 1)``: the smoothed probability of c_A for Appendix D's f(x) = c_A on [-1, 1], c_B elsewhere.

    noise: "laplace" (level = scale) or "gaussian" (level = sigma).
    """
    dist = {"laplace": stats.laplace, "gaussian": stats.norm}[noise]
    x = np.asarray(x, float)
    return dist.cdf(1.0 - x, scale=level) - dist.cdf(-1.0 - x, scale=level)


def _log_leave_probability(x, noise: str, level):
    """log q, q = ``P(|x + eps| > 1)`` = 1 - interval_probability, computed in log space (no rounding of p_a to 1)."""
    if noise == "laplace":  # P(eps > a) = exp(-a / scale) / 2 for a >= 0, and 1 - x > 0 > -1 - x
        return np.logaddexp(-(1.0 - x) / level, -(1.0 + x) / level) - np.log(2.0)
    return np.logaddexp(stats.norm.logsf(1.0 - x, scale=level), stats.norm.logcdf(-1.0 - x, scale=level))


def rops(x, noise: str, radius=0.0, upper=50.0) -> float:
    """Appendix D's rectified optional parameter space: the largest standard deviation (sqrt(2) scale for
    Laplace, sigma for Gaussian) at which the smoothed classifier still predicts c_A at x and certifies
    `radius` around it (radius 0: just predicts c_A). Computed by bisection on the standard deviation.

    The certificate used is each noise's binary radius, from q = 1 - p_a in log space: Theorem 2 for Laplace,
    -scale log(2 q) (l1), Cohen et al. for Gaussian, -sigma Phi^-1(q) (l2; in one dimension the same distance).
    Both stay below the distance 1 - ``|x|`` to the boundary, so a radius >= 1 - ``|x|`` gives 0.
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


def rops_gap(x, radius=0.0) -> float:
    """rops(x, "laplace", radius) - rops(x, "gaussian", radius): positive where Laplace noise tolerates more."""
    return rops(x, "laplace", radius) - rops(x, "gaussian", radius)


def rops_crossings(grid, x=None, radius=0.0) -> np.ndarray:
    """The points along `grid` where Laplace and Gaussian ROPS are equal (zeros of `rops_gap`): over x at the
    given radius when x is None, else over the radius at that fixed x. Sign changes between consecutive grid
    points are refined by Brent's method."""
    gap = (lambda v: rops_gap(v, radius)) if x is None else (lambda v: rops_gap(x, v))
    grid = np.asarray(grid, float)
    values = np.array([gap(v) for v in grid])
    roots = [float(v) for v, value in zip(grid, values) if value == 0]
    for a, b, fa, fb in zip(grid, grid[1:], values, values[1:]):
        if fa * fb < 0:
            roots.append(optimize.brentq(gap, a, b, xtol=1e-9))
    return np.array(sorted(roots))


def laplace_gaussian_crossing() -> float:
    """The p_A above which Theorem 2's radius -lambda log(2 (1 - p_A)) exceeds Cohen et al.'s sigma Phi^-1(p_A)
    at equal variance, sigma = sqrt(2) lambda. sigma cancels: the root in (1/2, 1) of
    -log(2 (1 - p)) / sqrt(2) = Phi^-1(p) (both sides vanish at p = 1/2, where the Gaussian one is steeper)."""

    def gap(p):
        return float(certificates.laplace_l1(p, scale=1.0 / np.sqrt(2.0)) - certificates.gaussian_l2(p, sigma=1.0))

    return float(optimize.brentq(gap, 0.51, 1.0 - 1e-9, xtol=1e-12))

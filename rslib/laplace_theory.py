"""The analysis behind the Laplace l1 certificate (the l1 paper; Laplace(scale) noise, density exp(-|z|/scale)/(2 scale)).

- the likelihood statistic T(z) = ||z - delta||_1 - ||z||_1, a mixed random variable under X ~ Laplace;
- Theorem 3's worst case: a half-space classifier whose smoothed prediction flips exactly at the radius;
- where Theorem 1's second term beats Lecuyer et al.'s bound (the closed form of the paper's Figure 4);
- Appendix D's ROPS: how large a noise each distribution tolerates before the smoothed classifier of
  f(x) = [|x| <= 1] stops agreeing with f (or stops certifying a given radius).
"""
from __future__ import annotations

import numpy as np
from scipy import optimize, stats

from rslib import _checks, radii


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

    It equals 1/2 exactly at shift = radii.laplace_l1(p_a, scale): Theorem 3, the binary radius is tight.
    """
    return stats.laplace.cdf(worst_case_threshold(p_a, scale) - np.asarray(shift, float), scale=scale)


def beats_lecuyer_interval(p_a):
    """The p_b for which -scale log(1 - p_a + p_b) >= scale/2 log(p_a / p_b) (Theorem 1's remark 2):

        p_b in [(1 - 2q - sqrt(1 - 4q)) / (2 p_a),  (1 - 2q + sqrt(1 - 4q)) / (2 p_a)],   q = p_a (1 - p_a),

    the roots of p_a (1 - p_a + p_b)^2 = p_b. Returns (low, high).
    """
    p_a = _checks.probability("p_a", p_a)
    q = p_a * (1.0 - p_a)
    root = np.sqrt(np.maximum(1.0 - 4.0 * q, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (1.0 - 2.0 * q - root) / (2.0 * p_a), (1.0 - 2.0 * q + root) / (2.0 * p_a)


def interval_probability(x, noise: str, level):
    """P(|x + eps| <= 1): the smoothed probability of c_A for Appendix D's f(x) = c_A on [-1, 1], c_B elsewhere.

    noise: "laplace" (level = scale) or "gaussian" (level = sigma).
    """
    dist = {"laplace": stats.laplace, "gaussian": stats.norm}[noise]
    x = np.asarray(x, float)
    return dist.cdf(1.0 - x, scale=level) - dist.cdf(-1.0 - x, scale=level)


def rops(x, noise: str, radius=0.0, upper=50.0) -> float:
    """Appendix D's rectified optional parameter space: the largest standard deviation (sqrt(2) scale for
    Laplace, sigma for Gaussian) at which the smoothed classifier still predicts c_A at x and certifies
    `radius` around it (radius 0: just predicts c_A). Computed by bisection on the standard deviation.

    The certificate used is each noise's binary radius: Theorem 2 for Laplace (l1), Cohen et al. for
    Gaussian (l2, which in one dimension is the same distance).
    """
    if noise not in ("laplace", "gaussian"):
        raise ValueError(f"noise must be 'laplace' or 'gaussian', got {noise!r}")
    if not abs(x) < 1:
        raise ValueError(f"x must lie in (-1, 1), where f predicts c_A; got {x!r}")

    def margin(std):
        level = np.asarray(std, float) / np.sqrt(2.0) if noise == "laplace" else np.asarray(std, float)
        p_a = np.clip(interval_probability(x, noise, level), 0.0, 1.0)
        if radius == 0:
            return p_a - 0.5
        certify = radii.laplace_l1 if noise == "laplace" else radii.gaussian_l2
        return level * certify(p_a, 1.0) - radius  # both radii are proportional to the noise level

    grid = np.geomspace(1e-4, upper, 400)
    values = margin(grid)
    if values[0] <= 0:
        return 0.0
    failing = np.nonzero(values <= 0)[0]
    if failing.size == 0:
        return float(upper)
    i = failing[0]
    return float(optimize.brentq(lambda s: float(margin(s)), grid[i - 1], grid[i], xtol=1e-10))

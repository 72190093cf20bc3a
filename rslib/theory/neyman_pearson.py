r"""The Neyman-Pearson argument behind the Gaussian l2 certificate (Cohen et al. 2019, Theorem 1).

The notation is that of the ETH exercise sheet on randomized smoothing (its Problems 1 and 2, cited below):
:math:`X \sim N(x, \sigma^2 I)` is the noisy input, :math:`Y \sim N(x + \delta, \sigma^2 I)` the noisy attacked
input. The worst-case classifier splits space by half-spaces orthogonal to :math:`\delta`,

.. math::

    A = \{z : \delta^\top (z - x) \le \sigma \|\delta\| \Phi^{-1}(p_A)\}, \qquad
    B = \{z : \delta^\top (z - x) \ge \sigma \|\delta\| \Phi^{-1}(1 - p_B)\},

so that :math:`P(X \in A) = p_A` and :math:`P(X \in B) = p_B`.

References
----------
J. Neyman, E. S. Pearson. On the problem of the most efficient tests of statistical hypotheses. Philosophical
Transactions of the Royal Society of London, Series A 231, 1933.
J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
SRI Lab, ETH Zurich. Exercise 12: Randomized smoothing. Exercise sheet of the course Reliable and
Interpretable Artificial Intelligence (RIAI).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import norm

from rslib import _checks, certificates

__all__ = [
    "likelihood_ratio",
    "half_space_offsets",
    "shifted_probabilities",
    "monte_carlo_region_probabilities",
    "lemma_check",
    "EXAMPLE_REGIONS",
    "worst_case_regions",
    "worst_case_check",
]


def likelihood_ratio(z: ArrayLike, mu: ArrayLike, delta: ArrayLike, sigma: float) -> np.ndarray:
    r"""The likelihood ratio of the shifted Gaussian to the unshifted one (ETH exercise sheet, Problem 2.1):

    .. math:: m(z) = \frac{g_Y(z)}{g_X(z)} = \exp\left(\frac{\delta^\top (z - \mu) - \|\delta\|^2 / 2}{\sigma^2}\right),
              \qquad X \sim N(\mu, \sigma^2 I),\ Y \sim N(\mu + \delta, \sigma^2 I).

    m increases with :math:`\delta^\top z`, which is why its level sets are the half-spaces
    :math:`\{\delta^\top z \le t\}` (Problem 2.2) and why they are the Neyman-Pearson sets of the two Gaussians.

    Parameters
    ----------
    z : array_like, shape (..., d)
        Points.
    mu : array_like, shape (d,)
        Mean of X.
    delta : array_like, shape (d,)
        The shift from X to Y.
    sigma : float
        Standard deviation of the noise, > 0.

    Returns
    -------
    numpy.ndarray, shape (...)
        m at each point.

    References
    ----------
    J. Neyman, E. S. Pearson. On the problem of the most efficient tests of statistical hypotheses. Phil. Trans.
    R. Soc. Lond. A 231, 1933.
    SRI Lab, ETH Zurich. Exercise 12: Randomized smoothing. RIAI course exercise sheet.
    """
    sigma = _checks.positive("sigma", sigma)
    z, mu, delta = np.asarray(z, float), np.asarray(mu, float), np.asarray(delta, float)
    # divided by sigma twice: below sigma = 1e-154, sigma**2 underflows to 0 and a point on the boundary
    # (exponent 0) would give exp(0 / 0) = nan instead of 1; a ratio beyond the float range is inf (or 0), as it is
    with np.errstate(over="ignore"):
        return np.exp(((z - mu) @ delta - delta @ delta / 2.0) / sigma / sigma)


def half_space_offsets(
    p_a: ArrayLike, p_b: ArrayLike, sigma: float
) -> tuple[np.float64 | np.ndarray, np.float64 | np.ndarray]:
    r"""Offsets (a, b) of the worst-case half-spaces along :math:`u = \delta / \|\delta\|` (ETH sheet, Problem 1.1):

    .. math:: A = \{z : u^\top (z - x) \le a\}, \quad B = \{z : u^\top (z - x) \ge b\}, \qquad
              a = \sigma\,\Phi^{-1}(p_A), \quad b = \sigma\,\Phi^{-1}(1 - p_B),

    because :math:`u^\top (X - x) \sim N(0, \sigma^2)`, so that :math:`P(X \in A) = p_A` and :math:`P(X \in B) = p_B`.

    Parameters
    ----------
    p_a, p_b : float or array_like
        Probabilities of A and B under X, in [0, 1].
    sigma : float
        Standard deviation of the noise, > 0.

    Returns
    -------
    tuple of numpy.float64 or numpy.ndarray
        (a, b), broadcast from p_a and p_b.

    References
    ----------
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    SRI Lab, ETH Zurich. Exercise 12: Randomized smoothing. RIAI course exercise sheet.
    """
    sigma = _checks.positive("sigma", sigma)
    p_a, p_b = _checks.probability("p_a", p_a), _checks.probability("p_b", p_b)
    return sigma * norm.ppf(p_a), sigma * norm.ppf(1.0 - p_b)


def shifted_probabilities(
    p_a: ArrayLike, p_b: ArrayLike, sigma: float, delta_norm: ArrayLike
) -> tuple[np.float64 | np.ndarray, np.float64 | np.ndarray]:
    r"""The masses of the worst-case half-spaces under the shifted Gaussian Y (ETH sheet, Problem 1.3):

    .. math:: P(Y \in A) = \Phi\left(\Phi^{-1}(p_A) - \frac{\|\delta\|}{\sigma}\right), \qquad
              P(Y \in B) = \Phi\left(\Phi^{-1}(p_B) + \frac{\|\delta\|}{\sigma}\right).

    The certificate holds while the first exceeds the second, that is for
    :math:`\|\delta\| < \frac{\sigma}{2}(\Phi^{-1}(p_A) - \Phi^{-1}(p_B))`.

    Parameters
    ----------
    p_a, p_b : float or array_like
        :math:`P(X \in A)` and :math:`P(X \in B)`, in [0, 1].
    sigma : float
        Standard deviation of the noise, > 0.
    delta_norm : float or array_like
        :math:`\|\delta\|_2`, >= 0.

    Returns
    -------
    tuple of numpy.float64 or numpy.ndarray
        (P(Y in A), P(Y in B)), broadcast from the arguments.

    Raises
    ------
    ValueError
        If a probability lies outside [0, 1], sigma is not in (0, 1e100], or delta_norm < 0.

    References
    ----------
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    SRI Lab, ETH Zurich. Exercise 12: Randomized smoothing. RIAI course exercise sheet.
    """
    sigma = _checks.positive("sigma", sigma)
    p_a, p_b = _checks.probability("p_a", p_a), _checks.probability("p_b", p_b)
    shift = np.asarray(delta_norm, float) / sigma
    if (shift < 0).any():
        raise ValueError(f"delta_norm must be >= 0, got {delta_norm!r}")
    return norm.cdf(norm.ppf(p_a) - shift), norm.cdf(norm.ppf(p_b) + shift)


def monte_carlo_region_probabilities(
    region: Callable[[np.ndarray], np.ndarray],
    x: ArrayLike,
    delta: ArrayLike,
    sigma: float,
    n: int = 200_000,
    seed: int = 0,
) -> tuple[float, float]:
    """Monte Carlo estimates of P(X in region) and P(Y in region), X ~ N(x, sigma^2 I), Y ~ N(x + delta, sigma^2 I).

    Parameters
    ----------
    region : callable
        Maps points (n, d) to booleans (n,): a decision region of some classifier.
    x : array_like, shape (d,)
        The input.
    delta : array_like, shape (d,)
        The perturbation.
    sigma : float
        Standard deviation of the noise, > 0.
    n : int, default 200_000
        Samples of each distribution, >= 1.
    seed : int, default 0
        Seed of numpy's generator.

    Returns
    -------
    tuple of float
        (P(X in region), P(Y in region)), each the fraction of n samples in the region.
    """
    sigma = _checks.positive("sigma", sigma)
    n = _checks.count("n", n)
    x, delta = np.asarray(x, float), np.asarray(delta, float)
    rng = np.random.default_rng(seed)
    noise_x = rng.normal(scale=sigma, size=(n, x.size))
    noise_y = rng.normal(scale=sigma, size=(n, x.size))
    return float(region(x + noise_x).mean()), float(region(x + delta + noise_y).mean())


def lemma_check(
    region: Callable[[np.ndarray], np.ndarray],
    x: ArrayLike,
    delta: ArrayLike,
    sigma: float,
    n: int = 200_000,
    seed: int = 0,
) -> dict[str, float]:
    r"""The Neyman-Pearson lemma for two Gaussians on a concrete region D, by Monte Carlo.

    The half-space :math:`S = \{\delta^\top (z - x) \le t\}` with the mass p of D under X keeps the least mass
    under Y among all regions of mass p (chapter 1's Lemma 1, a case of Neyman and Pearson's lemma):

    .. math:: P(Y \in D) \ge P(Y \in S) = \Phi\left(\Phi^{-1}(p) - \frac{\|\delta\|}{\sigma}\right).

    Parameters
    ----------
    region, x, delta, sigma, n, seed
        As in `monte_carlo_region_probabilities`; p is the estimate of P(X in D).

    Returns
    -------
    dict of str to float
        "P(X in D)" and "P(Y in D)" (estimates), "P(Y in S)" (exact at the estimated p), and the
        "standard error" of the estimate of P(Y in D).

    References
    ----------
    J. Neyman, E. S. Pearson. On the problem of the most efficient tests of statistical hypotheses. Phil. Trans.
    R. Soc. Lond. A 231, 1933.
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """
    p_x, p_y = monte_carlo_region_probabilities(region, x, delta, sigma, n, seed)
    p_y_half_space = shifted_probabilities(p_x, 1.0 - p_x, sigma, np.linalg.norm(delta))[0]
    return {
        "P(X in D)": p_x,
        "P(Y in D)": p_y,
        "P(Y in S)": float(p_y_half_space),
        "standard error": float(np.sqrt(max(p_y * (1 - p_y), 1e-12) / n)),
    }


EXAMPLE_REGIONS = {
    "disk around the origin": lambda z: (z**2).sum(axis=1) <= 1.0,
    "half-plane behind delta": lambda z: z[:, 0] <= 0.3,
    "vertical stripe": lambda z: np.abs(z[:, 0]) <= 0.5,
    "checkerboard": lambda z: (np.floor(z[:, 0]) + np.floor(z[:, 1])) % 2 == 0,
    "wedge": lambda z: np.abs(np.arctan2(z[:, 1], z[:, 0])) <= np.pi / 3,
}


def worst_case_regions(
    p_a: float, p_b: float, sigma: float, direction: ArrayLike
) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    r"""The decision regions of the worst-case classifier around x = 0: class A on A, class B on B.

    Any classifier with P(f(X) = c_A) >= p_a and P(f(X) = c_B) <= p_b loses class A no faster, and gains
    class B no faster, than this one as the input moves along `direction` (the Neyman-Pearson lemma for two
    Gaussians).

    Parameters
    ----------
    p_a, p_b : float
        :math:`P(X \in A)` and :math:`P(X \in B)`, in [0, 1].
    sigma : float
        Standard deviation of the noise, > 0.
    direction : array_like, shape (d,)
        The direction of the perturbation, non-zero (its length does not matter).

    Returns
    -------
    tuple of callable
        (in A, in B): each maps points (n, d) to booleans (n,).

    Raises
    ------
    ValueError
        If direction is the zero vector.

    References
    ----------
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """
    u = np.asarray(direction, float)
    if not np.linalg.norm(u) > 0:
        raise ValueError("direction must be a non-zero vector")
    u = u / np.linalg.norm(u)
    a, b = half_space_offsets(p_a, p_b, sigma)
    return (lambda z: z @ u <= a), (lambda z: z @ u >= b)


def worst_case_check(
    p_a: float,
    p_b: float,
    sigma: float,
    direction: ArrayLike,
    factors: Sequence[float] = (0.9, 1.1),
    n: int = 400_000,
    seed: int = 2,
) -> list[dict[str, float]]:
    r"""Monte Carlo class probabilities of the worst-case classifier just inside and outside the certified radius.

    The input moves by :math:`\delta = \mathrm{factor} \cdot R \cdot u`, u the unit vector of `direction` and
    :math:`R = \frac{\sigma}{2}(\Phi^{-1}(p_A) - \Phi^{-1}(p_B))` Cohen et al.'s radius: class A keeps the
    majority for factors below 1 and loses it above.

    Parameters
    ----------
    p_a, p_b : float
        :math:`P(f(X) = c_A)` and :math:`P(f(X) = c_B)`, with p_a > p_b and p_a + p_b <= 1.
    sigma : float
        Standard deviation of the noise, > 0.
    direction : array_like, shape (d,)
        The direction of the perturbation, non-zero.
    factors : sequence of float, default (0.9, 1.1)
        Multiples of R to move by.
    n : int, default 400_000
        Samples per estimate.
    seed : int, default 2
        Seed of the estimates of class A (class B uses seed + 1).

    Returns
    -------
    list of dict
        One per factor: "factor", "delta_norm", the estimates "P(f(Y) = c_A)" and "P(f(Y) = c_B)", and
        their exact values :math:`\Phi(\Phi^{-1}(p_A) - \|\delta\|/\sigma)` and
        :math:`\Phi(\Phi^{-1}(p_B) + \|\delta\|/\sigma)` under "exact c_A" and "exact c_B".

    References
    ----------
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """
    in_a, in_b = worst_case_regions(p_a, p_b, sigma, direction)
    u = np.asarray(direction, float) / np.linalg.norm(direction)
    radius = float(certificates.gaussian_l2(p_a, p_b, sigma=sigma))
    rows = []
    for factor in factors:
        delta_norm = float(factor) * radius
        origin = np.zeros(u.size)
        _, prob_a = monte_carlo_region_probabilities(in_a, origin, delta_norm * u, sigma, n, seed)
        _, prob_b = monte_carlo_region_probabilities(in_b, origin, delta_norm * u, sigma, n, seed + 1)
        exact_a, exact_b = shifted_probabilities(p_a, p_b, sigma, delta_norm)
        rows.append(
            {
                "factor": float(factor),
                "delta_norm": delta_norm,
                "P(f(Y) = c_A)": prob_a,
                "P(f(Y) = c_B)": prob_b,
                "exact c_A": float(exact_a),
                "exact c_B": float(exact_b),
            }
        )
    return rows

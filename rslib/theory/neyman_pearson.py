"""The Neyman-Pearson argument behind the Gaussian l2 certificate (Cohen et al. 2019, Theorem 1).

Notation of the ETH RIAI exercise: X ~ N(x, sigma^2 I) is the noisy input, Y ~ N(x + delta, sigma^2 I)
the noisy attacked input. The worst-case classifier splits space by half-spaces orthogonal to delta::

    A = {z : delta^T (z - x) <= sigma ||delta|| Phi^-1(p_a)},  B = {z : delta^T (z - x) >= sigma ||delta|| Phi^-1(1 - p_b)},

so that P(X in A) = p_a and P(X in B) = p_b.
"""

from __future__ import annotations

import numpy as np
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


def likelihood_ratio(z, mu, delta, sigma):
    """m(z) = g_Y(z) / g_X(z) = exp((delta^T (z - mu) - ||delta||^2 / 2) / sigma^2)  (Problem 2.1).

    z: points (..., d); mu, delta: vectors (d,). m increases with delta^T z, which is why its level sets
    are the half-spaces {delta^T z <= t} (Problem 2.2).
    """
    sigma = _checks.positive("sigma", sigma)
    z, mu, delta = np.asarray(z, float), np.asarray(mu, float), np.asarray(delta, float)
    return np.exp(((z - mu) @ delta - delta @ delta / 2.0) / sigma**2)


def half_space_offsets(p_a, p_b, sigma):
    """Offsets (a, b) along u = delta / ||delta||: A = {u^T (z - x) <= a}, B = {u^T (z - x) >= b}  (Problem 1.1).

    a = sigma Phi^-1(p_a) and b = sigma Phi^-1(1 - p_b), because u^T (X - x) ~ N(0, sigma^2).
    """
    sigma = _checks.positive("sigma", sigma)
    p_a, p_b = _checks.probability("p_a", p_a), _checks.probability("p_b", p_b)
    return sigma * norm.ppf(p_a), sigma * norm.ppf(1.0 - p_b)


def shifted_probabilities(p_a, p_b, sigma, delta_norm):
    """P(Y in A) = Phi(Phi^-1(p_a) - ||delta|| / sigma) and P(Y in B) = Phi(Phi^-1(p_b) + ||delta|| / sigma)  (Problem 1.3)."""
    sigma = _checks.positive("sigma", sigma)
    p_a, p_b = _checks.probability("p_a", p_a), _checks.probability("p_b", p_b)
    shift = np.asarray(delta_norm, float) / sigma
    if (shift < 0).any():
        raise ValueError(f"delta_norm must be >= 0, got {delta_norm!r}")
    return norm.cdf(norm.ppf(p_a) - shift), norm.cdf(norm.ppf(p_b) + shift)


def monte_carlo_region_probabilities(region, x, delta, sigma, n=200_000, seed=0):
    """Estimates of P(X in region) and P(Y in region) from n samples each.

    region: a function mapping points (n, d) to booleans (a decision region of some classifier).
    """
    sigma = _checks.positive("sigma", sigma)
    n = _checks.count("n", n)
    x, delta = np.asarray(x, float), np.asarray(delta, float)
    rng = np.random.default_rng(seed)
    noise_x = rng.normal(scale=sigma, size=(n, x.size))
    noise_y = rng.normal(scale=sigma, size=(n, x.size))
    return float(region(x + noise_x).mean()), float(region(x + delta + noise_y).mean())


def lemma_check(region, x, delta, sigma, n=200_000, seed=0) -> dict:
    """Lemma 1 on a concrete region D: match D's mass p under X with the half-space S = {delta^T (z - x) <= t},
    then compare the masses under Y. The lemma says P(Y in D) >= P(Y in S) = Phi(Phi^-1(p) - ||delta|| / sigma).
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


def worst_case_regions(p_a, p_b, sigma, direction):
    """The decision regions of the worst-case classifier around x = 0: class A on A, class B on B.

    Returns two functions of points (n, d) -> bool. Any classifier with P(f(X) = c_A) >= p_a and
    P(f(X) = c_B) <= p_b loses class A no faster, and gains class B no faster, than this one (Lemma 1).
    """
    u = np.asarray(direction, float)
    if not np.linalg.norm(u) > 0:
        raise ValueError("direction must be a non-zero vector")
    u = u / np.linalg.norm(u)
    a, b = half_space_offsets(p_a, p_b, sigma)
    return (lambda z: z @ u <= a), (lambda z: z @ u >= b)


def worst_case_check(p_a, p_b, sigma, direction, factors=(0.9, 1.1), n=400_000, seed=2) -> list[dict]:
    """Monte Carlo class probabilities of the worst-case classifier (c_A on A, c_B on B) at x + delta,
    delta = factor * R * direction / ||direction|| with R = sigma/2 (Phi^-1(p_a) - Phi^-1(p_b)).

    One dict per factor: "factor", "delta_norm", "P(f(Y) = c_A)", "P(f(Y) = c_B)" and their exact values
    Phi(Phi^-1(p_a) - ||delta|| / sigma), Phi(Phi^-1(p_b) + ||delta|| / sigma) under "exact c_A", "exact c_B".
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

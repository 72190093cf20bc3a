"""Classifiers whose smoothed version is known exactly, and how close each certificate gets to the truth.

Three slabs along a unit vector u: class 0 below t1, class 1 between t1 and t2, class 2 above t2. Under
noise with 1-D CDF `cdf` along u, the smoothed class probabilities at position p are differences of the
CDF, and the exact robust radius is the shortest move along u that changes the argmax. Moves orthogonal
to u change nothing, and for an axis-aligned u a move's l1 and l2 lengths agree, so the same radius is
exact in both norms. With the exact p_A and p_B in place of confidence bounds, a sound certificate never
exceeds it, and the ratio certificate / exact radius measures how much a certificate gives away.
"""
from __future__ import annotations

import numpy as np
from scipy import optimize, stats

from rslib import radii

SATURATED = 1 - 1e-12  # beyond this p_A rounds towards 1.0 in floating point, where radii are inf by design
RTOL = 1e-6  # relative precision of the root-found exact radius near p_A = 1


def slab_probabilities(cdf, position, t1, t2):
    low, high = cdf(t1 - position), cdf(t2 - position)
    return np.array([low, high - low, 1.0 - high])


def exact_slab_radius(cdf, position, t1, t2):
    """(shortest |s| with the smoothed argmax at position + s different from at position, that argmax)."""
    top = np.argmax(slab_probabilities(cdf, position, t1, t2))

    def margin(s):
        p = slab_probabilities(cdf, position + s, t1, t2)
        return p[top] - np.delete(p, top, axis=0).max(axis=0)

    best = np.inf
    for direction in (1.0, -1.0):
        steps = np.linspace(0, 8, 2001) * direction
        flips = np.nonzero(margin(steps) <= 0)[0]
        if flips.size:
            i = flips[0]
            best = min(best, abs(optimize.brentq(margin, steps[i - 1], steps[i], xtol=1e-12)))
    return best, top


def slab_cases(count: int = 600, seed: int = 2024) -> list[tuple[float, float, float]]:
    """Random (position, t1, t2) with t1 < t2."""
    rng = np.random.default_rng(seed)
    return [(rng.uniform(-2, 2), *np.sort(rng.uniform(-1.5, 1.5, size=2))) for _ in range(count)]


def certificates(sigma: float = 0.5) -> dict:
    """Every additive-noise certificate of rslib as name -> (noise CDF, radius(p_a, p_b)), Laplace at the
    Gaussian's variance (scale = sigma / sqrt 2)."""
    scale = sigma / np.sqrt(2)
    gauss, laplace = stats.norm(scale=sigma).cdf, stats.laplace(scale=scale).cdf
    return {
        "gaussian_l2 (Cohen, p_B)": (gauss, lambda a, b: radii.gaussian_l2(a, sigma, b)),
        "gaussian_l2 (Cohen, binary)": (gauss, lambda a, b: radii.gaussian_l2(a, sigma)),
        "gaussian_l2_margin": (gauss, lambda a, b: radii.gaussian_l2_margin(a - b, sigma)),
        "gaussian_l1 (Cohen as l1)": (gauss, lambda a, b: radii.gaussian_l1(a, sigma, b)),
        "renyi_l2 (Li et al.)": (gauss, lambda a, b: radii.renyi_l2(a, b, sigma)),
        "pixeldp_l2 (Lecuyer et al.)": (gauss, lambda a, b: radii.pixeldp_l2(a, b, sigma)),
        "laplace_l1 (Theorem 1)": (laplace, lambda a, b: radii.laplace_l1(a, scale, b)),
        "laplace_l1 (Theorem 2, binary)": (laplace, lambda a, b: radii.laplace_l1(a, scale) if a > 0.5 else 0.0),
        "lecuyer_l1": (laplace, lambda a, b: radii.lecuyer_l1(a, scale, b)),
        "renyi_l1 (Li et al.)": (laplace, lambda a, b: radii.renyi_l1(a, b, scale)),
    }


def closeness(sigma: float = 0.5, cases=None) -> dict:
    """For each certificate of `certificates(sigma)` over the slab cases: the number of inputs, of radii above
    the exact one (must be 0), and the mean, median and largest ratio certified / exact radius."""
    cases = slab_cases() if cases is None else cases
    report = {}
    for name, (cdf, radius) in certificates(sigma).items():
        ratios, violations = [], 0
        for position, t1, t2 in cases:
            p = np.sort(slab_probabilities(cdf, position, t1, t2))[::-1]
            if p[0] > SATURATED:
                continue
            truth, _ = exact_slab_radius(cdf, position, t1, t2)
            certified = float(radius(float(p[0]), float(p[1])))
            violations += certified > truth * (1 + RTOL) + 1e-12
            ratios.append(certified / truth)
        ratios = np.asarray(ratios)
        report[name] = {"inputs": ratios.size, "violations": int(violations), "mean_ratio": float(ratios.mean()),
                        "median_ratio": float(np.median(ratios)), "max_ratio": float(ratios.max())}
    return report

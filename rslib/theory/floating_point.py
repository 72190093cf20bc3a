"""Randomized smoothing in floating point (Voracek & Hein, ICLR 2023): a sampler can make the certificate
false, and a sampler on the input grid keeps it true (the soundness appendix).

Cohen et al.'s theorem is about g(x) = argmax_c P(f(x + eps) = c) with eps exactly Gaussian. A program draws
eps from a finite-precision generator and forms x + eps in floating point, so it estimates another function,
and a base classifier can tell the two apart: `counterexample` builds one whose certificate is wrong.

The defence, for inputs on the grid h Z (h = 1/255: 8-bit images): draw an integer J per coordinate from the
Gaussian rounded to the grid, P(J = j) = Phi((j + 1/2) h / sigma) - Phi((j - 1/2) h / sigma), by comparing
uniform integers with integer thresholds (`rounded_gaussian_table`), and feed the network (k0 + J) h formed
from the integer sum (x = k0 h). Then k0 + J = round((x + eps) / h) with eps continuous, so the votes are
those of the base classifier f o (h round(. / h)) under exact Gaussian noise, whatever f does with the bits
of its input: Cohen et al.'s theorem applies to it, at every real perturbation. What remains is the
thresholds' distance to the exact law, `RoundedGaussianTable.tv_bound` per coordinate, subtracted from p_A.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from rslib import _checks
from rslib.bounds import clopper_pearson

__all__ = ["RoundedGaussianTable", "rounded_gaussian_table", "FloatingPointExample", "counterexample"]

SCALE = 2**63
"""The uniform integers of the sampler lie in [0, SCALE): 63 random bits."""
_NDTR_ERROR = 1e-13  # relative error allowed for scipy's normal CDF (Cephes ndtr, accurate to ~1e-15)


@dataclass(frozen=True)
class RoundedGaussianTable:
    """The integer thresholds of the rounded Gaussian (`rounded_gaussian_table`).

    Attributes
    ----------
    sigma, step : float
    j_min : int
        The least J drawn; J = j_min + #{thresholds <= u} for a uniform integer u in [0, SCALE).
    thresholds : numpy.ndarray of int64
        Increasing; thresholds[i] / SCALE approximates P(J <= j_min + i) = Phi((j_min + i + 1/2) step / sigma).
    tv_bound : float
        A bound on the total variation distance between the law of J and the exact rounded Gaussian (on all
        of Z), per coordinate.
    """

    sigma: float
    step: float
    j_min: int
    thresholds: np.ndarray
    tv_bound: float

    def pmf(self) -> np.ndarray:
        """The law of J as sampled, computed exactly from the integer thresholds.

        Returns
        -------
        numpy.ndarray of float
            P(J = j_min + i) for i = 0, ..., len(thresholds).
        """
        edges = np.concatenate([[0], self.thresholds, [SCALE]]).astype(object)
        return np.array([float(b - a) / SCALE for a, b in zip(edges[:-1], edges[1:])])

    def sample(self, uniforms: np.ndarray) -> np.ndarray:
        """J from uniform integers in [0, SCALE) (numpy; the engine does the same with torch).

        Parameters
        ----------
        uniforms : numpy.ndarray of int
            Uniform integers in [0, SCALE).

        Returns
        -------
        numpy.ndarray of int
            J = j_min + #{thresholds <= u} for each u.
        """
        return self.j_min + np.searchsorted(self.thresholds, uniforms, side="right")


def rounded_gaussian_table(sigma: float, *, step: float = 1.0 / 255, reach: float = 10.0) -> RoundedGaussianTable:
    r"""Integer thresholds that draw J from the Gaussian rounded to the grid `step` Z, with fair bits only.

    J covers ``|j| <= ceil(reach sigma / step)`` (mass 2 Phi(-reach) = 1.5e-23 beyond, for reach = 10, merged
    into the end buckets). Threshold i is the integer nearest SCALE F_i, F_i = Phi((j_min + i + 1/2) step /
    sigma), computed from the lower tail (F_i) or the upper one (1 - F_i) so that its relative error stays
    that of scipy's normal CDF. The total variation distance to the exact rounded Gaussian is at most

    .. math:: 2\,\Phi\!\left(-\tfrac{(j_{max} + 1/2)\,h}{\sigma}\right) + \sum_i \left(
              (2^{-52} + 10^{-13}) \min(F_i, 1 - F_i) + 2^{-62} \right)

    (tail mass, then each threshold's error: floating-point products, the CDF's
    accuracy taken as 1e-13 relative, the rounding to an integer and the cap below 2^63), about 1e-11 per
    coordinate.

    Parameters
    ----------
    sigma : float
        Noise level, > 0.
    step : float, default 1/255
        The grid h (keyword-only, as below), > 0.
    reach : float, default 10
        Buckets cover ``|j| h <= reach sigma``.

    Returns
    -------
    RoundedGaussianTable

    Raises
    ------
    ValueError
        If an argument is out of its range, or the table would exceed 2e6 thresholds.

    References
    ----------
    V. Voracek, M. Hein. Sound randomized smoothing in floating-point arithmetic. ICLR 2023.
    """
    sigma, step = _checks.positive("sigma", sigma), _checks.positive("step", step)
    reach = _checks.positive("reach", reach)
    j_max = int(np.ceil(reach * sigma / step))
    if j_max > 10**6:
        raise ValueError(
            f"sigma / step must be at most {10**6 / reach:g} (a table of 2e6 thresholds), got {sigma / step:g}"
        )
    edges = (np.arange(-j_max, j_max) + 0.5) * step / sigma  # upper edge of buckets j_min .. j_max - 1
    lower, upper = norm.cdf(edges), norm.sf(edges)
    # capped at SCALE - 1 to fit int64: an error of at most 2^-63 more
    thresholds = [
        min(int(round(f * SCALE)) if e < 0 else SCALE - int(round(s * SCALE)), SCALE - 1)
        for e, f, s in zip(edges, lower, upper)
    ]
    small = np.minimum(lower, upper)
    tv = 2 * norm.sf((j_max + 0.5) * step / sigma) + float(np.sum((2.0**-52 + _NDTR_ERROR) * small + 2.0**-62))
    return RoundedGaussianTable(sigma, step, -j_max, np.array(thresholds, dtype=np.int64), tv)


@dataclass(frozen=True)
class FloatingPointExample:
    """What `counterexample` finds (radii and distances in units of sigma).

    Attributes
    ----------
    naive_radius : float
        The radius certified for class A at x0 = 0 with the naive sampler.
    distance : float
        ``|x1 - x0|``: x1 lies inside that ball.
    naive_votes_at_x1 : int
        Votes for A at x1 with the naive sampler (of n): the smoothed prediction there is not A.
    sound_votes_at_x0 : int
        Votes for A at x0 with the grid sampler: A is never certified, the certificate says nothing false.
    threshold_radius : float
        For a threshold classifier (the Neyman-Pearson worst case), the radius certified with the grid sampler.
    threshold_p_a_at_edge : float
        Its exact p_A at the farthest grid point inside that ball: > 1/2, so the certificate holds there.
    n : int
    """

    naive_radius: float
    distance: float
    naive_votes_at_x1: int
    sound_votes_at_x0: int
    threshold_radius: float
    threshold_p_a_at_edge: float
    n: int


def _radius(count: int, n: int, alpha: float, slack: float = 0.0) -> float:
    lower = float(clopper_pearson(count, n, alpha)) - slack
    return float(norm.ppf(lower)) if lower > 0.5 else 0.0


def counterexample(
    *, sigma: float = 0.5, bits: int = 16, n: int = 100_000, alpha: float = 0.001, seed: int = 0
) -> FloatingPointExample:
    """A one-dimensional base classifier whose certificate is wrong under a finite-precision sampler, and right
    under the grid sampler (`rounded_gaussian_table`).

    The naive generator outputs eps = sigma Phi^-1((i + 1/2) / 2^bits) for a uniform i (a generator with
    `bits` of resolution; real ones have more, but always a finite set of outputs), added to x in floating
    point. The classifier f(z) = A if z is exactly one of those outputs, else B. At x0 = 0 every vote is A,
    so n unanimous votes certify sigma Phi^-1(alpha^(1/n)) (3.81 sigma at n = 1e5, alpha = 1e-3); at x1 = 0.8
    sigma, x1 + eps is (almost) never an output, so the smoothed prediction there is B: a false certificate.
    (Under the exact Gaussian, f = A has probability 0 and g = B everywhere.) The grid sampler never feeds f
    a generator output, so A gets no vote at x0. For a threshold classifier f(z) = A iff z <= 60 h, the grid
    sampler's certificate at x0 is checked against the exact p_A at the farthest grid point inside it.

    Parameters
    ----------
    sigma : float, default 0.5
        Noise level (keyword-only, as every parameter).
    bits : int, default 16
        Resolution of the naive generator, in [4, 24].
    n : int, default 100,000
        Votes per estimate.
    alpha : float, default 0.001
        Error level of the certificates.
    seed : int, default 0
        Seed of the draws.

    Returns
    -------
    FloatingPointExample

    References
    ----------
    V. Voracek, M. Hein. Sound randomized smoothing in floating-point arithmetic. ICLR 2023.
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """
    sigma = _checks.positive("sigma", sigma)
    bits, n = _checks.integer_in("bits", bits, 4, 24), _checks.count("n", n)
    rng = np.random.default_rng(seed)
    outputs = sigma * norm.ppf((np.arange(2**bits) + 0.5) / 2**bits)

    def f_naive(z):  # A (1) iff z is exactly a generator output
        i = np.clip(np.searchsorted(outputs, z), 0, outputs.size - 1)
        return (outputs[i] == z).astype(np.int64)

    x1 = 0.8 * sigma
    naive_x0 = int(f_naive(0.0 + outputs[rng.integers(0, 2**bits, n)]).sum())
    naive_x1 = int(f_naive(x1 + outputs[rng.integers(0, 2**bits, n)]).sum())
    table = rounded_gaussian_table(sigma)
    h = table.step
    sound_x0 = int(f_naive((0 + table.sample(rng.integers(0, SCALE, n))) * h).sum())
    t = 60  # the threshold classifier: A iff the grid index k0 + J <= t
    votes = int((table.sample(rng.integers(0, SCALE, n)) <= t).sum())
    radius = _radius(votes, n, alpha, slack=table.tv_bound)  # the p_A bound less the sampler's distance
    edge = int(np.floor(radius * sigma / h))  # grid index of the farthest grid point inside the ball
    js = table.j_min + np.arange(table.thresholds.size + 1)
    p_edge = float(table.pmf()[edge + js <= t].sum())
    return FloatingPointExample(
        naive_radius=_radius(naive_x0, n, alpha),
        distance=x1 / sigma,
        naive_votes_at_x1=naive_x1,
        sound_votes_at_x0=sound_x0,
        threshold_radius=radius,
        threshold_p_a_at_edge=p_edge,
        n=n,
    )

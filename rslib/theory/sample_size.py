"""How few samples a certificate can need: Wald's bound for sequential decisions at a radius, and the oracle
limit of radius estimation with a per-input sample size (chapter 6).

Fixed radius. A sequential test of "p_A <= p0" (p0 = Phi(r / sigma)) with error <= alpha at p0 that
certifies with probability -> 1 at p_A > p0 needs on average at least

    E[T] >= log(1 / alpha) / KL(p_A || p0),   KL(p || q) = p log(p / q) + (1 - p) log((1 - p) / (1 - q)),

votes (Wald 1945, from the data-processing inequality for the stopped likelihood ratio; Lai 1988 shows
mixture tests attain it to first order). `oracle_passes` turns it into the benchmark's yardstick.

Radius estimation. With no radius given, a procedure that reports a Clopper-Pearson bound on n_i votes
loses radius against n = N; `adaptive_oracle` gives the fewest mean votes at which even an oracle that
knows each p_A and picks each n_i reaches a given mean loss, so no such procedure can do better.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import binom, norm

from rslib import _checks
from rslib.bounds import clopper_pearson

__all__ = ["bernoulli_kl", "wald_samples", "oracle_passes", "expected_radius", "AdaptiveOracle", "adaptive_oracle"]


def bernoulli_kl(p: ArrayLike, q: ArrayLike) -> np.ndarray:
    r"""The Kullback-Leibler divergence KL(Bernoulli(p) || Bernoulli(q)) in nats, vectorised:

    .. math:: p \log\frac{p}{q} + (1 - p) \log\frac{1 - p}{1 - q}, \qquad 0 \log 0 = 0,

    +inf where q is 0 or 1 and p differs from it.

    Parameters
    ----------
    p, q : float or array_like
        Probabilities in [0, 1], broadcast together.

    Returns
    -------
    numpy.ndarray or float
        KL in nats, >= 0.

    References
    ----------
    S. Kullback, R. A. Leibler. On information and sufficiency. The Annals of Mathematical Statistics 22(1), 1951.
    """
    p, q = np.broadcast_arrays(_checks.probability("p", p), _checks.probability("q", q))
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.where(p > 0, p * (np.log(p) - np.log(q)), 0.0)
        second = np.where(p < 1, (1 - p) * (np.log1p(-p) - np.log1p(-q)), 0.0)
    out = first + second
    return out[()] if out.ndim == 0 else out


def wald_samples(p_a: ArrayLike, p0: ArrayLike, *, alpha: float) -> np.ndarray:
    r"""Wald's lower bound on the mean sample size of a sequential test at level alpha between p0 and p_a:

    .. math:: \frac{\log(1/\alpha)}{\mathrm{KL}(p_A \,\|\, p_0)}

    (+inf at p_a = p0). It holds for every sound procedure on the inputs it decides against the null with
    probability -> 1 (Wald 1945); a futility rule aimed elsewhere than p0 may stop sooner on the others.

    Parameters
    ----------
    p_a : float or array_like
        The true probability of the top class.
    p0 : float or array_like
        The threshold tested, Phi(r / sigma) for a radius r.
    alpha : float
        Error level, in (0, 1) (keyword-only).

    Returns
    -------
    numpy.ndarray or float
        The least mean number of votes, +inf at p_a = p0.

    References
    ----------
    A. Wald. Sequential tests of statistical hypotheses. Annals of Mathematical Statistics 16(2), 1945.
    T. L. Lai. Nearly optimal sequential tests of composite hypotheses. Annals of Statistics 16(2), 1988.
    """
    alpha = _checks.level("alpha", alpha)
    # checked here so that an error names this function's parameters, not bernoulli_kl's p and q
    p_a, p0 = _checks.probability("p_a", p_a), _checks.probability("p0", p0)
    with np.errstate(divide="ignore"):
        return np.log(1.0 / alpha) / bernoulli_kl(p_a, p0)


def oracle_passes(p_a: ArrayLike, p0: ArrayLike, *, alpha: float, n0: int, n_max: int) -> np.ndarray:
    r"""The benchmark's yardstick per input: the selection counted and Wald's bound capped as the procedures are,

    .. math:: n_0 + \min\Big(n_{max}, \frac{\log(1/\alpha)}{\mathrm{KL}(p_A \,\|\, p_0)}\Big),

    and 0 where :math:`p_0 > \alpha^{1/n_{max}}`, since no count of n_max votes certifies there and a
    procedure agrees with fixed n without any vote.

    Parameters
    ----------
    p_a, p0 : float or array_like
        As in `wald_samples` (p_a for instance k / N from a fixed-N run).
    alpha : float
        Error level (keyword-only, as below).
    n0 : int
        Selection votes, >= 0.
    n_max : int
        The cap.

    Returns
    -------
    numpy.ndarray or float
        Forward passes per input.

    References
    ----------
    A. Wald. Sequential tests of statistical hypotheses. The Annals of Mathematical Statistics 16(2), 1945.
    """
    n0, n_max = _checks.count("n0", n0, minimum=0), _checks.count("n_max", n_max)
    bound = n0 + np.minimum(n_max, wald_samples(p_a, p0, alpha=alpha))
    reachable = np.asarray(p0) <= np.exp(np.log(alpha) / n_max)
    out = np.where(reachable, bound, 0.0)
    return out[()] if out.ndim == 0 else out


def expected_radius(p_a: ArrayLike, n: int, *, sigma: float, alpha: float, points: int = 201) -> np.ndarray:
    r"""The mean Clopper-Pearson radius of n votes, :math:`E[\sigma\Phi^{-1}(\underline{p}_{CP}(K, n, \alpha))]`
    over :math:`K \sim \mathrm{Bin}(n, p_A)`, a radius of 0 where the bound is <= 1/2.

    Computed at `points` quantile midpoints of K (vectorised over p_a).

    Parameters
    ----------
    p_a : float or array_like
        The top class's probability.
    n : int
        Votes.
    sigma : float
        Noise level (keyword-only, as below).
    alpha : float
        Error level.
    points : int, default 201
        Quantiles of K averaged.

    Returns
    -------
    numpy.ndarray
        One mean radius per p_a.

    References
    ----------
    C. J. Clopper, E. S. Pearson. The use of confidence or fiducial limits illustrated in the case of the
    binomial. Biometrika 26(4), 1934.
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """
    p_a = np.atleast_1d(_checks.probability("p_a", p_a))
    n = _checks.count("n", n)
    u = (np.arange(points) + 0.5) / points
    counts = binom.ppf(u[None, :], n, p_a[:, None]).astype(np.int64)
    lower = clopper_pearson(counts, n, alpha)
    radius = np.where(lower > 0.5, sigma * norm.ppf(np.clip(lower, 0.5, 1.0)), 0.0)
    return radius.mean(axis=1)


@dataclass(frozen=True)
class AdaptiveOracle:
    """What `adaptive_oracle` finds.

    Attributes
    ----------
    passes : dict
        {mean loss L (in sigma): the least mean forward passes at a mean loss <= L}.
    speedups : dict
        {L: (n0 + n_max) / passes[L]}.
    least_loss : dict
        {speed-up s: the least mean loss (in sigma) at mean passes <= (n0 + n_max) / s}; ``inf`` where even
        the grid's smallest sample size, min(100, n_max), spends more (a small n_max with a large s).
    """

    passes: dict
    speedups: dict
    least_loss: dict


def adaptive_oracle(
    p_a: ArrayLike,
    *,
    sigma: float,
    alpha: float,
    n_max: int = 100_000,
    n0: int = 100,
    losses: Sequence[float] = (0.01, 0.02, 0.05, 0.1),
    speedups: Sequence[float] = (5.0,),
    grid: int = 61,
) -> AdaptiveOracle:
    r"""The oracle limit of radius estimation: the fewest mean forward passes at which per-input sample
    sizes n_i, chosen knowing every p_A, keep the mean radius loss against n_max within each of `losses`.

    loss_i(n) = E R(n_max) - E R(n) (`expected_radius`, in units of sigma); minimise sum n_i subject to
    mean loss_i(n_i) <= L over n_i on a geometric grid, by a Lagrangian sweep (n_i = argmin n + lambda
    loss_i(n); every point of the lower convex hull is reached). The oracle pays no price for adaptivity
    (no split of alpha, no prediction error), so no procedure whose certificate is a Clopper-Pearson bound
    at level alpha at its stopping size does better on average. n0 selection passes are added to each.

    Parameters
    ----------
    p_a : array_like
        The inputs' top-class probabilities (for instance k / N from a fixed-N run).
    sigma, alpha : float
        Noise level and error level (keyword-only, as every parameter below).
    n_max, n0 : int
        The cap and the selection votes.
    losses : sequence of float
        Mean losses in units of sigma.
    speedups : sequence of float
        Speed-ups (n0 + n_max) / passes at which the least mean loss is reported.
    grid : int
        Sample sizes tried, geometric from 100 to n_max.

    Returns
    -------
    AdaptiveOracle

    References
    ----------
    R. Chen, J. Li, J. Yan, P. Li, B. Sheng. Input-specific robustness certification for randomized smoothing.
    AAAI 2022 (the per-input sample size whose limit this is).
    """
    sigma, alpha = _checks.positive("sigma", sigma), _checks.level("alpha", alpha)
    sizes = np.unique(np.round(np.geomspace(min(100, n_max), n_max, _checks.count("grid", grid))).astype(np.int64))
    at_max = expected_radius(p_a, n_max, sigma=sigma, alpha=alpha)
    loss = np.stack([(at_max - expected_radius(p_a, int(n), sigma=sigma, alpha=alpha)) / sigma for n in sizes], 1)
    points = []
    for lam in np.geomspace(1e2, 1e9, 400):
        j = (sizes[None, :] + lam * loss).argmin(axis=1)
        points.append((n0 + float(sizes[j].mean()), float(loss[np.arange(len(j)), j].mean())))
    passes, mean_loss = np.array(points).T
    least = {float(t): float(passes[mean_loss <= t].min()) for t in losses}  # loss 0 at n_max: never empty
    least_loss = {}
    for speedup in speedups:
        ok = passes <= (n0 + n_max) / speedup
        least_loss[float(speedup)] = float(mean_loss[ok].min()) if ok.any() else float("inf")
    return AdaptiveOracle(least, {t: (n0 + n_max) / v for t, v in least.items()}, least_loss)

"""Radius estimation with a per-input sample size: a pilot predicts how many votes the input needs, then one fresh
Clopper-Pearson sample of that size certifies (Gaussian noise, l2).

The pilot's n_pilot votes select c_A and give p_hat = (k + 1/2) / (n_pilot + 1) and the optimistic p_opt =
p_hat + z sqrt(p_hat (1 - p_hat) / n_pilot). The radius that n votes would give at that frequency is
predicted as R(n) = sigma Phi^-1(CP_lower(p_opt n, n, alpha)); the final sample size n* is the least multiple
of `step` with R(n*) >= R(n_max) - tol, i.e. more votes, up to the cap, are predicted to raise the radius by
less than tol (none, and an abstention, when R(n_max) <= tol). n* is a function of the pilot only and the
final votes are fresh, so conditionally on the pilot the final bound is Clopper-Pearson's at a fixed n: the
certificate holds with probability >= 1 - alpha, as Cohen et al.'s does, with no split of alpha. A run
interrupted before its final sample has no certificate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from scipy.special import betaincinv
from scipy.stats import norm

from rslib import _checks
from rslib.certificates import NOT_CERTIFIED
from rslib.smoothing._classifier import Smoothed
from rslib.smoothing._noise import Gaussian
from rslib.smoothing._votes import ABSTAIN, Certificate, certificate_from_counts

__all__ = ["AdaptiveCertificate", "adaptive_sample_size", "adaptive_certificate", "certify_adaptive"]


@dataclass(frozen=True)
class AdaptiveCertificate:
    """What `certify_adaptive` returns.

    Attributes
    ----------
    certificate : Certificate
        Cohen et al.'s certificate from the final sample (selection: the pilot's votes).
    passes : int
        Forward passes: the pilot's and the final sample's.
    n_final : int
        Size of the final sample (0 when the pilot predicted no radius above tol).
    predicted_gain : float
        The radius that going on to n_max votes was predicted to add, R(n_max) - R(n_final), < tol.
    """

    certificate: Certificate
    passes: int
    n_final: int
    predicted_gain: float


def _predicted_radius(p: float, sizes: np.ndarray, sigma: float, alpha: float) -> np.ndarray:
    """sigma Phi^-1(CP_lower(p n, n, alpha)) for each n in sizes, the count p n taken as a real number (0 where
    the bound is <= 1/2). A prediction, not a bound: nothing certified rests on it."""
    count = p * sizes
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.where(count >= sizes, alpha ** (1.0 / sizes), betaincinv(count, sizes - count + 1, alpha))
    lower = np.where(count > 0, lower, 0.0)
    return np.where(lower > 0.5, sigma * norm.ppf(np.clip(lower, 0.5, 1.0)), 0.0)


def adaptive_sample_size(
    count: int,
    n_pilot: int,
    *,
    sigma: float,
    alpha: float,
    tol: float,
    z: float = 1.0,
    n_max: int = 100_000,
    step: int = 1000,
) -> tuple[int, float]:
    r"""The final sample size n* after `count` votes for c_A among n_pilot pilot votes.

    With :math:`\hat p = (k + 1/2)/(n_{pilot} + 1)` and :math:`p_{opt} = \hat p + z\sqrt{\hat p(1-\hat p)/n_{pilot}}`,
    the predicted radius of n votes is :math:`R(n) = \sigma\Phi^{-1}(\underline{p}_{CP}(p_{opt} n, n, \alpha))`, and
    n* is the least multiple of `step` with :math:`R(n^*) \ge R(n_{max}) - tol`.

    Parameters
    ----------
    count : int
        Pilot votes for c_A, in [0, n_pilot].
    n_pilot : int
        Pilot votes in all, >= 1.
    sigma : float
        Noise level (keyword-only, as every parameter below).
    alpha : float
        Error level of the final Clopper-Pearson bound, in (0, 1).
    tol : float
        Radius more votes may still add, >= 0.
    z : float, default 1
        Optimism of the prediction, in pilot standard deviations, >= 0.
    n_max : int, default 100,000
        Cap on the final sample.
    step : int, default 1000
        The final size is a multiple of step, at most n_max.

    Returns
    -------
    n_final : int
        n*, or 0 when the predicted radius at n_max is <= tol (nothing worth certifying).
    gain : float
        R(n_max) - R(n*), the radius the cap was predicted to add (R(n_max) when n* = 0).

    Raises
    ------
    ValueError
        If an argument is out of its range, or step > n_max.

    References
    ----------
    C. J. Clopper, E. S. Pearson. The use of confidence or fiducial limits illustrated in the case of the
    binomial. Biometrika 26(4), 1934.
    R. Chen, J. Li, J. Yan, P. Li, B. Sheng. Input-specific robustness certification for randomized
    smoothing. AAAI 2022.
    """
    n_pilot, count = _checks.count("n_pilot", n_pilot), _checks.integer_in("count", count, 0, n_pilot)
    sigma, alpha = _checks.positive("sigma", sigma), _checks.level("alpha", alpha)
    tol = float(_checks.nonnegative("tol", tol))
    z = float(_checks.nonnegative("z", z))
    n_max, step = _checks.count("n_max", n_max), _checks.count("step", step)
    if step > n_max:
        raise ValueError(f"step must be at most n_max={n_max}, got {step}")
    p_hat = (count + 0.5) / (n_pilot + 1.0)
    p_opt = min(1.0, p_hat + z * np.sqrt(p_hat * (1.0 - p_hat) / n_pilot))
    sizes = np.arange(step, n_max + 1, step, dtype=float)
    predicted = _predicted_radius(p_opt, sizes, sigma, alpha)
    at_max = float(predicted[-1])
    if at_max <= tol:
        return 0, at_max
    first = int(np.argmax(predicted >= at_max - tol))
    return int(sizes[first]), at_max - float(predicted[first])


def adaptive_certificate(
    count_votes: Callable[[int], np.ndarray],
    *,
    noise: Gaussian,
    alpha: float = 0.001,
    tol: float | None = None,
    z: float = 1.0,
    n_pilot: int = 1000,
    n_max: int = 100_000,
    step: int = 1000,
    input_shape: tuple | None = None,
) -> AdaptiveCertificate:
    """`certify_adaptive` on any source of votes: a pilot, then one fresh Clopper-Pearson sample.

    Parameters
    ----------
    count_votes : callable
        count_votes(m) draws m new noisy copies and returns the votes per class (an int array), from one
        stream.
    noise : Gaussian
        The noise the votes were drawn under (keyword-only, as every parameter below).
    alpha : float, default 0.001
        Error level, in (0, 1).
    tol : float, optional
        As in `adaptive_sample_size`; default 0.02 sigma.
    z, n_max, step
        As in `adaptive_sample_size`.
    n_pilot : int, default 1000
        Pilot votes.
    input_shape : tuple, optional
        One input's shape (the sound sampler's slack needs it).

    Returns
    -------
    AdaptiveCertificate

    Raises
    ------
    TypeError
        If the noise is not Gaussian.
    ValueError
        If an argument is out of its range (before any vote is drawn).

    References
    ----------
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """
    if not isinstance(noise, Gaussian):
        raise TypeError(f"adaptive certification needs Gaussian noise, got {noise!r}")
    tol = 0.02 * noise.sigma if tol is None else tol
    # refuse bad arguments before the pilot spends forward passes
    adaptive_sample_size(0, n_pilot, sigma=noise.sigma, alpha=alpha, tol=tol, z=z, n_max=n_max, step=step)
    pilot = np.asarray(count_votes(n_pilot))
    label = int(pilot.argmax())
    n_final, gain = adaptive_sample_size(
        int(pilot[label]), n_pilot, sigma=noise.sigma, alpha=alpha, tol=tol, z=z, n_max=n_max, step=step
    )
    if n_final == 0:
        empty = np.zeros_like(pilot)
        abstain = Certificate(ABSTAIN, float(NOT_CERTIFIED), 0.0, 1.0, 0, empty, noise.norm)
        return AdaptiveCertificate(abstain, n_pilot, 0, gain)
    final = np.asarray(count_votes(n_final))
    certificate = certificate_from_counts(pilot, final, alpha=alpha, noise=noise, input_shape=input_shape)
    return AdaptiveCertificate(certificate, n_pilot + n_final, n_final, gain)


def certify_adaptive(
    smoothed: Smoothed,
    x: torch.Tensor,
    *,
    alpha: float = 0.001,
    tol: float | None = None,
    z: float = 1.0,
    n_pilot: int = 1000,
    n_max: int = 100_000,
    batch_size: int = 1000,
    seed: int = 0,
) -> AdaptiveCertificate:
    """Certify x with as many votes as its radius needs, up to n_max: stop once more votes are predicted to
    raise the certified radius by less than `tol` (Gaussian noise, l2).

    A pilot of n_pilot votes selects c_A and predicts the final sample size; the final votes are fresh and
    bounded by Clopper-Pearson at level alpha (see the module's docstring), so with probability >= 1 - alpha a
    returned label equals g(x) and g is constant on the ball of the returned radius, whatever the size the
    pilot chose. How much a per-input sample size can save at a given mean loss is limited, whatever the
    procedure, by `rslib.theory.sample_size.adaptive_oracle` (chapter 6 compares both on the shipped models).

    Parameters
    ----------
    smoothed : Smoothed
        With Gaussian noise.
    x : torch.Tensor
        One input.
    alpha : float
        Error level, in (0, 1) (keyword-only, as every parameter below).
    tol : float, optional
        Radius a longer run may still add, >= 0 (default 0.02 sigma). 0 always runs to n_max.
    z : float, default 1
        Optimism of the prediction, in pilot standard deviations, >= 0: with z = 0 the prediction is at p_hat
        and the realised loss often exceeds tol.
    n_pilot, n_max : int
        Pilot size and cap on the final sample.
    batch_size : int, default 1000
        Noisy copies per forward pass; changes no vote.
    seed : int, default 0
        Seeds the noise (pilot, then final sample, from one generator).

    Returns
    -------
    AdaptiveCertificate

    References
    ----------
    R. Chen, J. Li, J. Yan, P. Li, B. Sheng. Input-specific robustness certification for randomized
    smoothing. AAAI 2022 (the idea of a per-input sample size; their pilot is pooled into the final count).
    """
    if not isinstance(smoothed.noise, Gaussian):
        raise TypeError(f"adaptive certification needs Gaussian noise, got {smoothed.noise!r}")
    batch_size = _checks.count("batch_size", batch_size)
    generator = smoothed.generator(seed)

    def count_votes(m: int) -> np.ndarray:
        return smoothed.sample_counts(x, m, batch_size=batch_size, generator=generator).cpu().numpy()

    return adaptive_certificate(
        count_votes,
        noise=smoothed.noise,
        alpha=alpha,
        tol=tol,
        z=z,
        n_pilot=n_pilot,
        n_max=n_max,
        input_shape=tuple(x.shape),
    )

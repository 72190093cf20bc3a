"""Sequential certification: decide "certified at radius r" with as few samples as the input needs.

For Gaussian smoothing, g is certified at radius r around x exactly when p_A > p0 = Phi(r / sigma) (binary
form of Cohen et al.'s certificate). After n0 samples select c_A, the votes for c_A are counted at planned
looks (16, 24, 36, ... then every 1000 votes) and compared with the thresholds of
`rslib.bounds.sequential_plan`: a Beta-mixture e-process against "p_A <= p0" at level alpha/2, whose prior is
Beta(k0 + 1/2, n0 - k0 + 1/2) from the selection's count k0 (data independent of the votes tested), and a
Clopper-Pearson check at alpha/2 at the cap; a certificate is wrong with probability <= alpha whenever the
run stops (Ville's inequality and the union bound). The run stops without a certificate when a futility
e-process shows p_A below the count fraction from which the fixed-n procedure certifies, or when no later
threshold can be reached.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from scipy.stats import norm

from rslib import _checks, bounds
from rslib.smoothing._classifier import Smoothed
from rslib.smoothing._noise import Gaussian
from rslib.smoothing._votes import ABSTAIN

if TYPE_CHECKING:  # only named in annotations
    from rslib.smoothing._dataset import SizedDataset

__all__ = [
    "SequentialDecision",
    "certify_at_radius",
    "sequential_decision",
    "SequentialSummary",
    "compare_with_fixed",
    "summarize",
]


@dataclass(frozen=True)
class SequentialDecision:
    """The outcome of `certify_at_radius`.

    Attributes
    ----------
    label : int
        c_A, or ``ABSTAIN`` when not certified at the radius.
    certified : bool
    samples : int
        Forward passes used, the selection's included (0 when no count could certify the radius).
    decided_early : bool
        False when n_max was reached without a certificate.
    """

    label: int
    certified: bool
    samples: int
    decided_early: bool


def _threshold(radius: float, sigma: float, slack: float = 0.0) -> float:
    # Rounded up by 4 ulps: Phi(r / sigma) in floating point may lie below the exact value (it is 1/2 for
    # r = 1e-300), and a rejection of "p_A <= threshold" must show p_A > Phi(r / sigma) strictly, the
    # condition of the theorem. `slack` is the sampler's distance to the Gaussian (see Gaussian.slack).
    return min((float(norm.cdf(radius / sigma)) + slack) * (1.0 + 4.0 * _checks.EPS), 1.0)


@functools.lru_cache(maxsize=4096)
def _plan(threshold: float, alpha: float, n_max: int, k0: int, n0: int, gamma: float) -> bounds.SequentialPlan:
    """The test's thresholds after k0 of n0 selection votes (cached: a dataset run meets few distinct k0)."""
    prior = (k0 + 0.5, n0 - k0 + 0.5)
    return bounds.sequential_plan(threshold, alpha=alpha, n_max=n_max, prior=prior, final_share=0.5, gamma=gamma)


def sequential_decision(
    sample: Callable[[int], np.ndarray],
    *,
    sigma: float,
    radius: float,
    n0: int = 100,
    n_max: int = 100_000,
    alpha: float = 0.001,
    gamma: float = 0.01,
    slack: float = 0.0,
) -> SequentialDecision:
    r"""`certify_at_radius` on any source of votes: is :math:`p_A > \Phi(r/\sigma)`?

    Draws nothing when no count of at most n_max votes could certify the radius (for instance r > 3.8
    sigma at n_max = 100,000, alpha = 0.001); otherwise n0 selection votes, then the votes of the looks,
    tested as the module's docstring says: certified when the Beta-mixture e-value

    .. math:: E_n = \int_\tau^1 (q/\tau)^{k} ((1-q)/(1-\tau))^{n-k} \, \pi(dq) \ge 2/\alpha,
       \qquad \tau = \Phi(r/\sigma),

    or, at n_max, when Clopper-Pearson at alpha/2 certifies. Wrong with probability <= alpha whenever it
    stops.

    Parameters
    ----------
    sample : callable
        sample(m) returns the base classifier's labels (an int array) on m new noisy copies, drawn in order
        from one stream.
    sigma : float
        The Gaussian noise level (keyword-only, as every parameter below).
    radius : float
        The l2 radius r to decide, >= 0.
    n0 : int, default 100
        Selection votes.
    n_max : int, default 100,000
        Votes after the selection at most.
    alpha : float, default 0.001
        Probability of a wrong certificate, in (0, 1).
    gamma : float, default 0.01
        Level of the futility test, in (0, 1): a larger gamma stops sooner without a certificate.
    slack : float, default 0
        Added to the threshold Phi(r / sigma), for a sampler whose law differs from the Gaussian by at most
        that much in total variation (`Gaussian.slack`).

    Returns
    -------
    SequentialDecision

    Raises
    ------
    ValueError
        If an argument is out of its range.

    References
    ----------
    J. Ville. Etude critique de la notion de collectif. Gauthier-Villars, 1939 (the maximal inequality).
    A. Wald. Sequential tests of statistical hypotheses. The Annals of Mathematical Statistics 16(2), 1945.
    T. L. Lai. Nearly optimal sequential tests of composite hypotheses. The Annals of Statistics 16(2), 1988.
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """
    sigma = _checks.positive("sigma", sigma)
    radius = float(radius)
    if not radius >= 0 or not np.isfinite(radius):
        raise ValueError(f"radius must be a finite number >= 0, got {radius!r}")
    n0, n_max = _checks.count("n0", n0), _checks.count("n_max", n_max)
    alpha, gamma = _checks.level("alpha", alpha), _checks.level("gamma", gamma)
    threshold = _threshold(radius, sigma, float(_checks.probability("slack", slack)))
    # the most favourable selection (n0 votes of n0) cannot certify: no count can, so draw nothing
    if threshold >= 1.0 or not _plan(threshold, alpha, n_max, n0, n0, gamma).can_reject:
        return SequentialDecision(ABSTAIN, False, 0, True)
    selection = np.bincount(np.asarray(sample(n0)))
    label = int(selection.argmax())
    plan = _plan(threshold, alpha, n_max, int(selection[label]), n0, gamma)
    outcome = plan.run(lambda m: int((np.asarray(sample(m)) == label).sum()))
    return SequentialDecision(
        label if outcome.rejected else ABSTAIN, outcome.rejected, n0 + outcome.votes, outcome.decided_early
    )


def certify_at_radius(
    smoothed: Smoothed,
    x: torch.Tensor,
    radius: float,
    *,
    n0: int = 100,
    n_max: int = 100_000,
    alpha: float = 0.001,
    batch_size: int = 1000,
    seed: int = 0,
    gamma: float = 0.01,
) -> SequentialDecision:
    r"""Decide whether the smoothed classifier is certified at `radius` around x (Gaussian noise, l2).

    The test of `sequential_decision` (see the module's docstring) on the votes of `smoothed`, drawn from
    the generator seeded by `seed` in the order Cohen et al.'s CERTIFY draws them: the selection first, then
    the estimation votes, so that with the same seed this run sees the first votes of `Smoothed.certify`'s
    run. A certificate is wrong with probability <= alpha whenever the run stops; a run that reaches n_max
    without a certificate abstains. Certified means :math:`p_A > \Phi(r/\sigma)`, hence g constant on the l2
    ball of radius r around x (Cohen et al.'s theorem with :math:`p_B = 1 - p_A`).

    Parameters
    ----------
    smoothed : Smoothed
        A smoothed classifier with Gaussian noise (the sound sampler's slack is added to the threshold).
    x : torch.Tensor
        One input, without a batch dimension.
    radius : float
        The radius to decide, >= 0.
    n0, n_max, alpha : int, int, float
        As in `sequential_decision` (keyword-only, as below).
    batch_size : int, default 1000
        Noisy copies per forward pass; changes no vote.
    seed : int, default 0
        Seed of the noise.
    gamma : float, default 0.01
        Level of the futility test, in (0, 1): stopping without a certificate costs no error probability,
        and a larger gamma stops sooner, agreeing less often with the fixed-n procedure.

    Returns
    -------
    SequentialDecision

    Raises
    ------
    TypeError
        If the noise is not Gaussian.
    ValueError
        If x does not fit the model, or an argument is out of its range.

    References
    ----------
    J. Ville. Etude critique de la notion de collectif. Gauthier-Villars, 1939 (the maximal inequality).
    A. Wald. Sequential tests of statistical hypotheses. The Annals of Mathematical Statistics 16(2), 1945.
    T. L. Lai. Nearly optimal sequential tests of composite hypotheses. The Annals of Statistics 16(2), 1988.
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """
    if not isinstance(smoothed.noise, Gaussian):
        raise TypeError(f"sequential certification at a radius needs Gaussian noise, got {smoothed.noise!r}")
    batch_size = _checks.count("batch_size", batch_size)
    smoothed.runner.check_input(x)  # also when no vote is drawn
    generator = smoothed.generator(seed)

    def sample(m: int) -> np.ndarray:
        return smoothed.sample_votes(x, m, batch_size=batch_size, generator=generator).cpu().numpy()

    return sequential_decision(
        sample,
        sigma=smoothed.noise.sigma,
        radius=radius,
        n0=n0,
        n_max=n_max,
        alpha=alpha,
        gamma=gamma,
        slack=smoothed.noise.slack(tuple(x.shape)),
    )


@dataclass(frozen=True)
class SequentialSummary:
    """Sequential decisions at one radius over a set of images, against the fixed-n procedure (`summarize`).

    Attributes
    ----------
    mean_passes, median_passes : float
        Forward passes of the sequential runs, the selection's included.
    passes_ratio : float
        mean_passes / (n0 + n_max), the fixed procedure's passes.
    agreement : float
        Fraction of images on which both decide "certified at r" alike.
    certified_sequential, certified_fixed : float
        Fraction certified by each.
    undecided : float
        Fraction of sequential runs that reached n_max without a decision.
    """

    mean_passes: float
    median_passes: float
    passes_ratio: float
    agreement: float
    certified_sequential: float
    certified_fixed: float
    undecided: float


def compare_with_fixed(
    smoothed: Smoothed,
    dataset: SizedDataset,
    indices: Iterable[int],
    radii: Iterable[float],
    *,
    n0: int = 100,
    n_max: int = 100_000,
    alpha: float = 0.001,
    batch_size: int = 1000,
) -> dict[float, SequentialSummary]:
    """Sequential decisions (`certify_at_radius`, capped at n_max) against Cohen et al.'s fixed-n procedure with
    n = n_max (`Smoothed.certify`), on the images `dataset[i]` (i in indices; image i uses seed i for both).

    Parameters
    ----------
    smoothed : Smoothed
        With Gaussian noise.
    dataset : sized dataset
        dataset[i] is (image, label).
    indices : iterable of int
        The images, at least one.
    radii : iterable of float
        The radii to decide.
    n0, n_max, alpha, batch_size
        As in `certify_at_radius` (keyword-only); fixed n uses n = n_max.

    Returns
    -------
    dict
        {radius: `SequentialSummary`}.

    Raises
    ------
    ValueError
        If indices is empty.
    """
    indices = [int(i) for i in indices]
    if not indices:
        raise ValueError("indices must name at least one image")
    radii = [float(r) for r in radii]
    runs: dict[float, list[tuple[int, bool, bool, bool]]] = {r: [] for r in radii}
    for i in indices:
        image, _ = dataset[i]
        fixed = smoothed.certify(image, n0, n_max, alpha, batch_size=batch_size, seed=i)
        for r in radii:
            seq = certify_at_radius(smoothed, image, r, n0=n0, n_max=n_max, alpha=alpha, batch_size=batch_size, seed=i)
            fixed_certified = not fixed.abstained and fixed.radius >= r
            runs[r].append((seq.samples, seq.certified, fixed_certified, seq.decided_early))
    return {r: summarize(rows, n0, n_max) for r, rows in runs.items()}


def summarize(rows: Iterable[tuple[int, bool, bool, bool]], n0: int, n_max: int) -> SequentialSummary:
    """The summary of `compare_with_fixed` at one radius, from one row per image.

    Parameters
    ----------
    rows : iterable of (int, bool, bool, bool)
        Per image: forward passes of the sequential run, certified by it, certified by the fixed procedure,
        decided before the cap.
    n0, n_max : int
        The fixed procedure's sample sizes (its passes are n0 + n_max).

    Returns
    -------
    SequentialSummary

    Raises
    ------
    ValueError
        If rows is empty: a mean over no image is undefined.
    """
    rows = list(rows)
    if not rows:
        raise ValueError(
            "rows must hold at least one image's row (passes, certified, fixed certified, decided early), got none"
        )
    samples, certified, fixed_certified, early = (np.array(column) for column in zip(*rows))
    return SequentialSummary(
        mean_passes=float(samples.mean()),
        median_passes=float(np.median(samples)),
        passes_ratio=float(samples.mean() / (n0 + n_max)),
        agreement=float((certified == fixed_certified).mean()),
        certified_sequential=float(certified.mean()),
        certified_fixed=float(fixed_certified.mean()),
        undecided=float((~early).mean()),
    )

"""Sequential certification: decide "certified at radius r" with as few samples as the input needs.

For Gaussian smoothing, g is certified at radius r around x exactly when p_A > Phi(r / sigma) (binary
form of Cohen et al.'s certificate). After n0 samples select c_A, the votes for c_A are fed one batch at a
time (batches growing from 128 to batch_size) to two betting tests (`rslib.bounds.betting_rejects`): one against "p_A <= Phi(r/sigma)" (its
rejection certifies) and one against "p_A >= Phi(r/sigma)" (its rejection ends the run as not certified).
Each has error probability <= alpha at whatever time it stops (Ville's inequality), so a certificate is
wrong with probability <= alpha, as for the fixed-n procedure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import norm

from rslib import _checks, bounds
from rslib.smoothing._classifier import Smoothed
from rslib.smoothing._noise import Gaussian
from rslib.smoothing._votes import ABSTAIN

__all__ = ["SequentialDecision", "certify_at_radius", "SequentialSummary", "compare_with_fixed", "summarize"]


@dataclass(frozen=True)
class SequentialDecision:
    """The outcome of `certify_at_radius`.

    Attributes
    ----------
    label : int
        c_A, or ``ABSTAIN`` when not certified at the radius.
    certified : bool
    samples : int
        Forward passes used, the selection's included.
    decided_early : bool
        False when n_max was reached without a decision.
    """

    label: int
    certified: bool
    samples: int
    decided_early: bool


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
) -> SequentialDecision:
    """Decide whether the smoothed classifier is certified at `radius` around x (Gaussian noise, l2).

    A certificate is wrong with probability <= alpha whenever the run stops (Ville's inequality for each
    betting test); undecided runs (n_max reached) abstain.

    References
    ----------
    I. Waudby-Smith, A. Ramdas. Estimating means of bounded random variables by betting. JRSS-B 86(1), 2024.
    """
    if not isinstance(smoothed.noise, Gaussian):
        raise TypeError(f"sequential certification at a radius needs Gaussian noise, got {smoothed.noise!r}")
    sigma = smoothed.noise.sigma
    radius = float(radius)
    if not radius >= 0 or not np.isfinite(radius):
        raise ValueError(f"radius must be a finite number >= 0, got {radius!r}")
    n_max, alpha = _checks.count("n_max", n_max), _checks.level("alpha", alpha)
    generator = smoothed.generator(seed)
    label = int(smoothed.sample_counts(x, _checks.count("n0", n0), batch_size=batch_size, generator=generator).argmax())
    # Rounded up: Phi(r / sigma) in floating point may lie below the exact value (it is 1/2 for r = 1e-300),
    # and rejecting "p_A <= threshold" must show p_A > Phi(r / sigma) strictly, the condition of the theorem.
    threshold = min(float(norm.cdf(radius / sigma)) * (1.0 + 4.0 * np.finfo(float).eps), 1.0)  # 4 ulps up
    votes, step = np.empty(0), min(128, batch_size)
    while votes.size < n_max:
        size = min(step, n_max - votes.size)
        step = min(2 * step, batch_size)  # small first batches: confident inputs decide after a few hundred
        batch = (
            (smoothed.sample_votes(x, size, batch_size=batch_size, generator=generator) == label)
            .cpu()
            .numpy()
            .astype(float)
        )
        votes = np.concatenate([votes, batch])
        if bounds.betting_rejects(votes, threshold, alpha)[-1]:
            return SequentialDecision(label, True, n0 + votes.size, True)
        if bounds.betting_rejects(1.0 - votes, 1.0 - threshold, alpha)[-1]:
            return SequentialDecision(ABSTAIN, False, n0 + votes.size, True)
    return SequentialDecision(ABSTAIN, False, n0 + votes.size, False)


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
    dataset,
    indices,
    radii,
    *,
    n0: int = 100,
    n_max: int = 100_000,
    alpha: float = 0.001,
    batch_size: int = 1000,
) -> dict[float, SequentialSummary]:
    """Sequential decisions (`certify_at_radius`, capped at n_max) against Cohen et al.'s fixed-n procedure with
    n = n_max (`Smoothed.certify`), on the images `dataset[i]` (i in indices; image i uses seed i for both).

    Returns {radius: `SequentialSummary`}.
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


def summarize(rows, n0: int, n_max: int) -> SequentialSummary:
    """The summary of `compare_with_fixed` at one radius, from one row per image: (forward passes of the
    sequential run, certified by it, certified by the fixed procedure, decided before the cap). No rows, no
    summary: a mean over no image is undefined, so an empty `rows` is refused."""
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

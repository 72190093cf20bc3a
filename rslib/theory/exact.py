"""Classifiers whose smoothed version is known exactly, and how close each certificate gets to the truth.

Three slabs along a unit vector u: class 0 below t1, class 1 between t1 and t2, class 2 above t2. Under
noise with 1-D CDF `cdf` along u, the smoothed class probabilities at position p are differences of the
CDF, and the exact robust radius is the shortest move along u that changes the argmax. Moves orthogonal
to u change nothing, and for an axis-aligned u a move's l1 and l2 lengths agree, so the same radius is
exact in both norms. With the exact p_A and p_B in place of confidence bounds, a sound certificate never
exceeds it, and the ratio certificate / exact radius measures how much a certificate gives away.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy import stats

from rslib import certificates as certs

__all__ = [
    "SATURATED",
    "RTOL",
    "slab_probabilities",
    "exact_slab_radii",
    "exact_slab_radius",
    "slab_cases",
    "Check",
    "SOFT_TAU",
    "certificates",
    "closeness",
]

SATURATED = 1 - 1e-12  # beyond this p_A rounds towards 1.0 in floating point, where radii are inf by design
RTOL = 1e-6  # relative precision of the root-found exact radius near p_A = 1


def slab_probabilities(cdf, position, t1, t2):
    low, high = cdf(t1 - position), cdf(t2 - position)
    return np.array([low, high - low, 1.0 - high])


def exact_slab_radii(cdf, positions, t1, t2, labels, k=1, grid=2001, reach=8.0, iterations=60):
    """For each case, the shortest ``|s|`` such that at positions + s the class `labels` is no longer among the k
    most likely smoothed classes (inf beyond `reach`); vectorised over cases.

    The margin (p_label minus the k-th largest other probability) is scanned on a grid in both directions;
    its first sign change is then refined by bisection to (reach / grid) / 2^iterations.
    """
    positions, t1, t2 = (np.asarray(v, dtype=float)[:, None] for v in (positions, t1, t2))
    labels = np.asarray(labels, dtype=int)[None, :, None]

    def margin(s):
        p = slab_probabilities(cdf, positions + s, t1, t2)  # (3, cases, points)
        own = np.take_along_axis(p, labels, axis=0)[0]
        others = -np.sort(-np.where(np.arange(3)[:, None, None] == labels, -np.inf, p), axis=0)
        return own - others[k - 1]

    best = np.full(positions.shape[0], np.inf)
    for direction in (1.0, -1.0):
        steps = np.linspace(0.0, reach, grid) * direction
        below = margin(steps[None, :]) <= 0
        hit = below.any(axis=1)
        first = below.argmax(axis=1)
        low = np.where(first > 0, steps[np.maximum(first - 1, 0)], 0.0)[:, None]
        high = steps[first][:, None]
        for _ in range(iterations):
            mid = (low + high) / 2
            flipped = margin(mid) <= 0
            low, high = np.where(flipped, low, mid), np.where(flipped, mid, high)
        best = np.where(hit, np.minimum(best, np.abs(high[:, 0])), best)
    return best


def exact_slab_radius(cdf, position, t1, t2, label=None, k=1):
    """(shortest ``|s|`` such that at position + s the class `label` is no longer among the k most likely smoothed
    classes, that label); label defaults to the smoothed argmax at position (k = 1: the prediction changes)."""
    label = int(np.argmax(slab_probabilities(cdf, position, t1, t2))) if label is None else label
    return float(exact_slab_radii(cdf, [position], [t1], [t2], [label], k)[0]), label


def slab_cases(count: int = 2000, seed: int = 2024) -> list[tuple[float, float, float]]:
    """Random (position, t1, t2) with t1 < t2."""
    rng = np.random.default_rng(seed)
    return [(rng.uniform(-2, 2), *np.sort(rng.uniform(-1.5, 1.5, size=2))) for _ in range(count)]


class Check(NamedTuple):
    """A certificate to check: the smoothed classifier's 1-D CDF along u, and the radius it certifies for the
    class ranked `rank` (0: the top class) staying among the top k, from that class's probability and the
    others' (in decreasing order)."""

    cdf: Callable
    radius: Callable
    rank: int = 0
    k: int = 1


SOFT_TAU = 0.5  # blur of the soft slab classifier's scores (see `certificates`)


def certificates(sigma: float = 0.5, soft_tau: float = SOFT_TAU) -> dict[str, Check]:
    """Every certificate of `rslib.certificates.REGISTRY` for additive noise, as name -> `Check`, plus the
    binary forms, the top-k certificate for k = 2 (for the top class and for the second) and two soft ones.

    Laplace noise has the Gaussian's variance (scale = sigma / sqrt 2). The soft certificates smooth a soft
    base classifier whose class scores are probits of the slab edges, h_0(z) = Phi((t1 - z) / tau),
    h_2(z) = Phi((z - t2) / tau), h_1 = 1 - h_0 - h_2: its Gaussian-smoothed scores are again such probits,
    with tau^2 + sigma^2 in place of tau^2, so they are slab probabilities under N(0, tau^2 + sigma^2).
    """
    cdfs = {"gaussian": stats.norm(scale=sigma).cdf, "laplace": stats.laplace(scale=sigma / np.sqrt(2)).cdf}
    levels = {"gaussian": {"sigma": sigma}, "laplace": {"scale": sigma / np.sqrt(2)}}
    soft = stats.norm(scale=np.hypot(sigma, soft_tau)).cdf
    checks = {}
    for name, info in certs.REGISTRY.items():
        family = info.family.name
        if family not in cdfs:
            continue  # ablation: no additive noise along u
        checks[name] = Check(cdfs[family], lambda a, o, info=info, lv=levels[family]: info.radius(a, o[:, 0], **lv))
        if name in ("gaussian_l2", "laplace_l1"):  # the binary forms (p_b = 1 - p_a) are other certificates
            checks[f"{name} (binary)"] = Check(
                cdfs[family], lambda a, o, info=info, lv=levels[family]: info.radius(a, **lv)
            )
    for rank, which in ((0, "top"), (1, "2nd")):
        checks[f"gaussian_topk_l2 (k=2, {which})"] = Check(
            cdfs["gaussian"], lambda a, o: certs.gaussian_topk_l2(a, o, sigma=sigma, k=2), rank, 2
        )
    checks["soft gaussian_l2 (Salman, F_B)"] = Check(soft, lambda a, o: certs.gaussian_l2(a, o[:, 0], sigma=sigma))
    checks["soft gaussian_l2 (Salman, F_A)"] = Check(soft, lambda a, o: certs.gaussian_l2(a, sigma=sigma))
    checks["soft_margin_l2 (soft scores)"] = Check(soft, lambda a, o: certs.soft_margin_l2(a - o[:, 0], sigma=sigma))
    return checks


def closeness(sigma: float = 0.5, cases=None) -> dict:
    """For each certificate of `certificates(sigma)` over the slab cases: the number of inputs, of radii above
    the exact one (must be 0), and the mean, median and largest ratio certified / exact radius. Inputs
    where the top class's probability rounds to 1 (radii are inf there by design) are left out."""
    positions, t1, t2 = np.asarray(slab_cases() if cases is None else cases, dtype=float).T
    report = {}
    for name, check in certificates(sigma).items():
        p = slab_probabilities(check.cdf, positions, t1, t2).T  # (cases, 3)
        order = np.argsort(-p, axis=1)
        keep = p.max(axis=1) <= SATURATED
        p, order = p[keep], order[keep]
        labels = order[:, check.rank]
        others = -np.sort(-np.where(np.arange(3) == labels[:, None], -np.inf, p), axis=1)[:, :2]
        truth = exact_slab_radii(check.cdf, positions[keep], t1[keep], t2[keep], labels, check.k)
        certified = np.asarray(check.radius(p[np.arange(len(p)), labels], others), dtype=float)
        ratios = np.maximum(certified[truth > 0], 0.0) / truth[truth > 0]  # NOT_CERTIFIED counts as 0
        report[name] = {
            "inputs": int(keep.sum()),
            "violations": int((certified > truth * (1 + RTOL) + 1e-12).sum()),
            "mean_ratio": float(ratios.mean()),
            "median_ratio": float(np.median(ratios)),
            "max_ratio": float(ratios.max()),
        }
    return report

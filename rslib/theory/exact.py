"""Classifiers whose smoothed version is known exactly, and how close each certificate gets to the truth.

Three slabs along a unit vector u: class 0 below t1, class 1 between t1 and t2, class 2 above t2. Under
noise with 1-D CDF `cdf` along u, the smoothed class probabilities at position p are differences of the
CDF, and the exact robust radius is the shortest move along u that changes the argmax. Moves orthogonal
to u change nothing, and for an axis-aligned u a move's l1 and l2 lengths agree, so the same radius is
exact in both norms. With the exact p_A and p_B in place of confidence bounds, a sound certificate never
exceeds it, and the ratio certificate / exact radius measures how much a certificate gives away.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
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


def slab_probabilities(
    cdf: Callable[..., np.ndarray],
    position: float | np.ndarray,
    t1: float | np.ndarray,
    t2: float | np.ndarray,
) -> np.ndarray:
    r"""The smoothed class probabilities of the three-slab classifier at `position` along u.

    .. math:: p_0 = F(t_1 - x), \qquad p_1 = F(t_2 - x) - F(t_1 - x), \qquad p_2 = 1 - F(t_2 - x),

    F the noise's CDF along u and x the position.

    Parameters
    ----------
    cdf : callable
        The CDF of the noise along u, vectorised.
    position : float or numpy.ndarray
        Positions x of the input along u.
    t1, t2 : float or numpy.ndarray
        The slab edges, t1 < t2; broadcast with position.

    Returns
    -------
    numpy.ndarray, shape (3, ...)
        The probabilities of classes 0, 1, 2 on the first axis.
    """
    low, high = cdf(t1 - position), cdf(t2 - position)
    return np.array([low, high - low, 1.0 - high])


def exact_slab_radii(
    cdf: Callable[..., np.ndarray],
    positions: ArrayLike,
    t1: ArrayLike,
    t2: ArrayLike,
    labels: ArrayLike,
    k: int = 1,
    grid: int = 2001,
    reach: float = 8.0,
    iterations: int = 60,
) -> np.ndarray:
    """The exact robust radius of each case: the shortest move s along u after which the class `labels` is no
    longer among the k most likely smoothed classes; vectorised over cases.

    The margin (p_label minus the k-th largest other probability) is scanned on a grid in both directions;
    its first sign change is then refined by bisection to (reach / grid) / 2^iterations.

    Parameters
    ----------
    cdf : callable
        The CDF of the noise along u, vectorised.
    positions, t1, t2 : array_like, shape (cases,)
        Each case's position along u and slab edges (t1 < t2).
    labels : array_like of int, shape (cases,)
        The class (0, 1 or 2) whose top-k membership is to be lost.
    k : int, default 1
        1 or 2.
    grid : int, default 2001
        Points of the scan in each direction.
    reach : float, default 8.0
        Longest move scanned; a case still certified there gets inf.
    iterations : int, default 60
        Bisection steps.

    Returns
    -------
    numpy.ndarray, shape (cases,)
        The radius of each case, inf beyond `reach`.
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


def exact_slab_radius(
    cdf: Callable[..., np.ndarray],
    position: float,
    t1: float,
    t2: float,
    label: int | None = None,
    k: int = 1,
) -> tuple[float, int]:
    """`exact_slab_radii` of one case, its label defaulting to the smoothed prediction at `position`.

    Parameters
    ----------
    cdf : callable
        The CDF of the noise along u, vectorised.
    position, t1, t2 : float
        The position along u and the slab edges (t1 < t2).
    label : int, optional
        The class whose top-k membership is to be lost; default: the smoothed argmax at `position` (with
        k = 1: the radius at which the prediction changes).
    k : int, default 1
        1 or 2.

    Returns
    -------
    tuple of (float, int)
        (radius, the label it is for).
    """
    label = int(np.argmax(slab_probabilities(cdf, position, t1, t2))) if label is None else label
    return float(exact_slab_radii(cdf, [position], [t1], [t2], [label], k)[0]), label


def slab_cases(count: int = 2000, seed: int = 2024) -> list[tuple[float, float, float]]:
    """Random three-slab cases: a position in [-2, 2] and slab edges t1 < t2 in [-1.5, 1.5].

    Parameters
    ----------
    count : int, default 2000
        Number of cases.
    seed : int, default 2024
        Seed of numpy's generator.

    Returns
    -------
    list of tuple of float
        (position, t1, t2) for each case.
    """
    rng = np.random.default_rng(seed)
    return [(rng.uniform(-2, 2), *np.sort(rng.uniform(-1.5, 1.5, size=2))) for _ in range(count)]


class Check(NamedTuple):
    """A certificate to check against the exact radii (`closeness`).

    Attributes
    ----------
    cdf : callable
        The 1-D CDF along u of the noise (or, for soft classifiers, of the smoothed scores).
    radius : callable
        ``radius(p, others)``: the radius certified for the class ranked `rank` to stay among the top k, from
        its probability p (cases,) and the other classes' probabilities in decreasing order (cases, 2).
    rank : int, default 0
        Which class is certified: 0 the top class, 1 the second.
    k : int, default 1
        The class must stay among the k most likely.
    """

    cdf: Callable
    radius: Callable
    rank: int = 0
    k: int = 1


SOFT_TAU = 0.5  # blur of the soft slab classifier's scores (see `certificates`)


def certificates(sigma: float = 0.5, soft_tau: float = SOFT_TAU) -> dict[str, Check]:
    r"""Every certificate of `rslib.certificates.REGISTRY` for additive noise, as a `Check`, with the binary forms,
    the top-k certificate for k = 2 (for the top class and for the second) and three soft ones.

    Laplace noise has the Gaussian's variance (scale = sigma / sqrt 2). The soft certificates smooth a soft base
    classifier whose class scores are probits of the slab edges, :math:`h_0(z) = \Phi((t_1 - z) / \tau)`,
    :math:`h_2(z) = \Phi((z - t_2) / \tau)`, :math:`h_1 = 1 - h_0 - h_2`: its Gaussian-smoothed scores are again
    such probits with :math:`\tau^2 + \sigma^2` in place of :math:`\tau^2`, that is slab probabilities under
    :math:`N(0, \tau^2 + \sigma^2)`.

    Parameters
    ----------
    sigma : float, default 0.5
        Standard deviation of the Gaussian noise.
    soft_tau : float, default SOFT_TAU
        The blur :math:`\tau` of the soft classifier's scores.

    Returns
    -------
    dict of str to Check
        By a name of the certificate and its variant.
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


def closeness(
    sigma: float = 0.5, cases: Sequence[tuple[float, float, float]] | None = None
) -> dict[str, dict[str, float]]:
    """How close each certificate of `certificates(sigma)` gets to the exact radius over the slab cases.

    The exact class probabilities stand in for confidence bounds, so a sound certificate never exceeds the
    exact radius. Cases where the top class's probability rounds to 1 (radii are inf there by design) are
    left out.

    Parameters
    ----------
    sigma : float, default 0.5
        Standard deviation of the Gaussian noise (Laplace noise has the same variance).
    cases : sequence of (position, t1, t2), optional
        Default: `slab_cases()`.

    Returns
    -------
    dict
        {certificate name: {"inputs", "violations" (radii above the exact one: must be 0), "mean_ratio",
        "median_ratio", "max_ratio"}}, the ratios certified / exact radius (``NOT_CERTIFIED`` counts as 0).
    """
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

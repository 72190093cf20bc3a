"""Fixed-n certification of Gaussian hard smoothing under each confidence bound of rslib, from one sample.

Cohen et al.'s procedure (n0 votes select c_A, n more votes bound p_A) with the bound on p_A exchanged:

- `clopper_pearson`: exact binomial lower bound on p_A, radius sigma Phi^-1(p_A) (p_B = 1 - p_A);
- `clopper_pearson_pair`: p_A and the runner-up's p_B each at level alpha/2, Theorem 1 with both;
- `exact_margin`: `rslib.bounds.margin_lower` on p_A - p_B, radius `rslib.certificates.gaussian_l2_margin`;
- `hoeffding`, `empirical_bernstein`: closed-form bounds for [0, 1] data applied to the 0/1 votes;
- `prpl_eb`, `betting`: the confidence sequences of `rslib.bounds` read at time n.

Every radius is certified with probability >= 1 - alpha, so the bounds can be compared on equal terms.
`compare_on_dataset` runs them all, with soft smoothing next to them, over test images.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch

from rslib import _checks, bounds, certificates
from rslib.smoothing._classifier import Smoothed
from rslib.smoothing._dataset import SizedDataset
from rslib.smoothing._noise import Gaussian
from rslib.smoothing._soft import certify_soft
from rslib.smoothing._votes import ABSTAIN

__all__ = [
    "COMPARED_BOUNDS",
    "SOFT_CERTIFICATES",
    "radii_from_votes",
    "BoundCertificates",
    "certify_with_bounds",
    "CertifiedRun",
    "compare_on_dataset",
]

COMPARED_BOUNDS = (
    "clopper_pearson",
    "clopper_pearson_pair",
    "exact_margin",
    "hoeffding",
    "empirical_bernstein",
    "prpl_eb",
    "betting",
)


def radii_from_votes(
    votes: np.ndarray, label: int, num_classes: int, *, sigma: float, alpha: float
) -> dict[str, float]:
    """The l2 radius of label c_A = `label` under each bound of `COMPARED_BOUNDS`, from the same n votes.

    A bound certifies only where its theorem's strict inequality holds (p_A > 1/2, p_A > p_B, or a margin
    > 0); elsewhere its radius is ``NOT_CERTIFIED`` (`certify_with_bounds` abstains when no bound certifies).

    Parameters
    ----------
    votes : numpy.ndarray of int, shape (n,)
        The base classifier's label on each sample (class indices), n >= 2.
    label : int
        c_A, chosen on other samples, in [0, num_classes - 1].
    num_classes : int
        >= 2.
    sigma : float
        Standard deviation of the Gaussian noise, > 0 (keyword-only).
    alpha : float
        Error level of every bound, in (0, 1) (keyword-only).

    Returns
    -------
    dict of str to float
        {bound name: radius}, in the order of `COMPARED_BOUNDS`.

    Raises
    ------
    ValueError
        If votes is not 1-D with n >= 2 class indices in [0, num_classes - 1], or an argument is out of range.
    """
    votes = np.asarray(votes)
    if votes.ndim != 1:
        raise ValueError(
            f"votes must be a 1-D array of class indices (one vote per sample, shape (n,)), got shape {votes.shape}"
        )
    n = _checks.count("n (the number of votes)", votes.size, minimum=2)
    alpha = _checks.level("alpha", alpha)
    num_classes = _checks.count("num_classes", num_classes, minimum=2)
    label = _checks.integer_in("label", label, 0, num_classes - 1)
    if votes.dtype.kind not in "iu" or votes.min() < 0 or votes.max() >= num_classes:
        raise ValueError(
            f"votes must be class indices, integers in [0, {num_classes - 1}], got {votes.dtype} "
            f"values from {votes.min()} to {votes.max()}"
        )
    counts = np.bincount(votes, minlength=num_classes)
    hits = (votes == label).astype(float)
    count_a = int(counts[label])
    count_b = int(np.delete(counts, label).max())
    p_a_half = bounds.clopper_pearson(count_a, n, alpha / 2)
    p_b_half = bounds.clopper_pearson(count_b, n, alpha / 2, side="upper")
    lower = {
        "clopper_pearson": bounds.clopper_pearson(count_a, n, alpha),
        "hoeffding": bounds.hoeffding(hits.mean(), n, alpha),
        "empirical_bernstein": bounds.empirical_bernstein(hits, alpha),
        "prpl_eb": bounds.prpl_eb_lower(hits, alpha, n=n),
        "betting": bounds.betting_lower(hits, alpha, n=n),
    }
    # Each certificate states its theorem's strict inequality (p_A > 1/2 = p_B, p_A > p_B, a margin > 0) itself:
    # NOT_CERTIFIED where it fails.
    out = {name: float(certificates.gaussian_l2(min(p, 1.0), sigma=sigma)) for name, p in lower.items()}
    out["clopper_pearson_pair"] = float(certificates.gaussian_l2(p_a_half, p_b_half, sigma=sigma))
    margin = bounds.margin_lower(count_a, count_b, n, alpha)
    out["exact_margin"] = float(certificates.gaussian_l2_margin(margin, sigma=sigma))
    return {name: out[name] for name in COMPARED_BOUNDS}


@dataclass(frozen=True)
class BoundCertificates:
    """One input certified under every bound of COMPARED_BOUNDS from one sample (`certify_with_bounds`).

    Attributes
    ----------
    label : int
        c_A, or ``ABSTAIN`` where no bound certifies.
    radii : dict of str to float
        {bound name: l2 radius}, ``NOT_CERTIFIED`` where that bound does not certify.
    """

    label: int
    radii: dict


def certify_with_bounds(
    smoothed: Smoothed, x: torch.Tensor, n0: int, n: int, alpha: float, *, batch_size: int = 1000, seed: int = 0
) -> BoundCertificates:
    """Gaussian smoothing certified with each bound of `COMPARED_BOUNDS` from the same n0 selection and n votes.

    Parameters
    ----------
    smoothed : Smoothed
        With Gaussian noise.
    x : torch.Tensor
        One input, without a batch dimension.
    n0 : int
        Samples that select c_A, >= 1.
    n : int
        Votes that bound its probability, >= 2.
    alpha : float
        Error level of every bound, in (0, 1).
    batch_size : int, default 1000
        Perturbed copies per forward pass (keyword-only).
    seed : int, default 0
        Seed of the noise (keyword-only).

    Returns
    -------
    BoundCertificates

    Raises
    ------
    TypeError
        If the noise is not Gaussian.
    """
    if not isinstance(smoothed.noise, Gaussian):
        raise TypeError(f"certify_with_bounds needs Gaussian noise, got {smoothed.noise!r}")
    generator = smoothed.generator(seed)
    label = int(smoothed.sample_counts(x, _checks.count("n0", n0), batch_size=batch_size, generator=generator).argmax())
    votes = smoothed.sample_votes(x, _checks.count("n", n), batch_size=batch_size, generator=generator).cpu().numpy()
    out = radii_from_votes(votes, label, smoothed.num_classes, sigma=smoothed.noise.sigma, alpha=alpha)
    return BoundCertificates(label if max(out.values()) > 0 else ABSTAIN, out)


SOFT_CERTIFICATES = ("soft_cohen", "soft_margin")


class CertifiedRun(NamedTuple):
    """Radii and correctness over a set of images, for `rslib.results.certified_accuracy`.

    Attributes
    ----------
    radius : numpy.ndarray, shape (images,)
        The certified l2 radius of each image, ``NOT_CERTIFIED`` where it is not certified.
    correct : numpy.ndarray of bool, shape (images,)
        Whether the certificate names the true label and certifies.
    """

    radius: np.ndarray
    correct: np.ndarray


def compare_on_dataset(
    smoothed: Smoothed,
    dataset: SizedDataset,
    indices: Iterable[int],
    n0: int,
    n: int,
    alpha: float,
    *,
    batch_size: int = 1000,
) -> dict[str, CertifiedRun]:
    """Certify images with hard votes under every bound of `COMPARED_BOUNDS`, and with soft scores.

    The soft certificates are those of `certify_soft` (`SOFT_CERTIFICATES`: Cohen et al.'s radius on the top
    score, and the Lipschitz margin radius). Image i uses seed i for both.

    Parameters
    ----------
    smoothed : Smoothed
        With Gaussian noise.
    dataset : SizedDataset
        Pairs (image, label).
    indices : iterable of int
        The images, at least one.
    n0, n, alpha
        As in `certify_with_bounds`.
    batch_size : int, default 1000
        Perturbed copies per forward pass (keyword-only).

    Returns
    -------
    dict of str to CertifiedRun
        {certificate name: radii and correctness}.

    Raises
    ------
    ValueError
        If indices is empty.
    """
    indices = [int(i) for i in indices]
    if not indices:
        raise ValueError("indices must name at least one image")
    radius: dict[str, list[float]] = {name: [] for name in (*COMPARED_BOUNDS, *SOFT_CERTIFICATES)}
    named: dict[str, list[bool]] = {name: [] for name in radius}
    for i in indices:
        image, label = dataset[i]
        hard = certify_with_bounds(smoothed, image, n0, n, alpha, batch_size=batch_size, seed=i)
        cert = certify_soft(smoothed, image, n0, n, alpha, batch_size=batch_size, seed=i)
        for name, (r, predicted) in {
            **{b: (hard.radii[b], hard.label) for b in COMPARED_BOUNDS},
            "soft_cohen": (cert.radius_cohen, cert.label),
            "soft_margin": (cert.radius_margin, cert.label),
        }.items():
            radius[name].append(float(r))
            named[name].append(predicted == int(label))
    return {
        name: CertifiedRun(np.array(radius[name]), np.array(named[name]) & (np.array(radius[name]) > 0))
        for name in radius
    }

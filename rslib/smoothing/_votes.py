"""From votes to certificates: pure numpy, no torch and no model (testable on counts alone).

Cohen et al.'s CERTIFY: the class with the most votes in a first sample is selected, an independent
second sample bounds its probability, and the noise's certificate turns the bounds into a radius.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from rslib import _checks, bounds
from rslib.certificates import NOT_CERTIFIED

if TYPE_CHECKING:  # the noise is only called here: this module needs no torch
    from rslib.smoothing._noise import Noise

__all__ = [
    "ABSTAIN",
    "BOUND_KINDS",
    "Certificate",
    "TopKCertificate",
    "certificate_from_counts",
    "topk_from_counts",
    "randomization_seed",
]

ABSTAIN = -1
"""The label of a smoothed prediction or certificate that abstains."""

BOUND_KINDS = ("binary", "simultaneous", "randomized")
"""How `certificate_from_counts` bounds the class probabilities (see there)."""


def randomization_seed(seed: int) -> int:
    """The seed of the uniform U of a randomized bound whose votes were drawn with the noise seed `seed`.

    A function of that seed, so that a run cannot draw U again apart from its votes, from a SeedSequence of its
    own (spawn key 0x55), so that U is independent of the noise drawn from `seed`.

    Parameters
    ----------
    seed : int
        The noise seed of the votes, in [0, 2**63 - 1].

    Returns
    -------
    int
        The seed of U, in [0, 2**32 - 1].
    """
    return int(np.random.SeedSequence(seed, spawn_key=(0x55,)).generate_state(1)[0])


def _fields_equal(a, b) -> bool:
    """Whether two dataclass instances of one type hold equal fields, arrays compared elementwise (the
    generated __eq__ compares an ndarray field with ==, whose truth value is ambiguous)."""
    if type(a) is not type(b):
        return NotImplemented
    return all(
        np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y
        for x, y in zip(vars(a).values(), vars(b).values())
    )


@dataclass(frozen=True, eq=False)
class Certificate:
    """The certificate of one input. Certificates compare equal when every field is (the counts elementwise).

    Attributes
    ----------
    label : int
        The certified class, or ``ABSTAIN`` (-1).
    radius : float
        The certified radius in the noise's norm (for l0: pixels); ``NOT_CERTIFIED`` (-1) when abstaining.
    p_a : float
        Lower confidence bound on the selected class's probability.
    p_b : float
        Upper confidence bound on every other class's probability (1 - p_a for the binary bound).
    count_a : int
        Votes for the selected class in the estimation sample.
    counts : numpy.ndarray
        Votes per class in the estimation sample.
    norm : str
        "l2", "l1" or "l0".
    u, u_seed : float or None
        For the randomized bound, its uniform draw and the seed it came from (None otherwise).
    """

    label: int
    radius: float
    p_a: float
    p_b: float
    count_a: int
    counts: np.ndarray
    norm: str
    u: float | None = None
    u_seed: int | None = None

    @property
    def abstained(self) -> bool:
        """Whether the certificate abstains (no class certified)."""
        return self.label == ABSTAIN

    __eq__ = _fields_equal


@dataclass(frozen=True, eq=False)
class TopKCertificate:
    """A certified radius for every label to stay among the top k (Jia et al.).

    Each label's radius holds with probability >= 1 - alpha; all of them at once with >= 1 - 2 alpha.

    Attributes
    ----------
    radii : numpy.ndarray, shape (num_classes,)
        In the noise's norm; ``NOT_CERTIFIED`` (-1) where a label is not certified.
    counts : numpy.ndarray
        Votes per class.
    k : int
        A label's radius keeps it among the k most likely classes.
    norm : str
        "l2" (Gaussian noise) or "l0" (ablation: radii in pixels).
    """

    radii: np.ndarray
    counts: np.ndarray
    k: int
    norm: str

    def labels(self, radius: float = 0) -> list[int]:
        """Labels certified to stay among the top k for every perturbation of size `radius`.

        Parameters
        ----------
        radius : float, default 0
            The perturbation size: l0, at most `radius` pixels (a radius r certifies r pixels); l1 and l2, a
            norm below the certified radius (an open ball). Negative values count as 0.

        Returns
        -------
        list of int
            The labels, in increasing order.
        """
        radius = max(radius, 0)
        certified = self.radii >= radius if self.norm == "l0" else self.radii > radius
        return [int(c) for c in np.nonzero(certified & (self.radii != NOT_CERTIFIED))[0]]

    __eq__ = _fields_equal


def certificate_from_counts(
    selection: ArrayLike,
    estimation: ArrayLike,
    *,
    alpha: float,
    noise: Noise,
    bound: str = "binary",
    input_shape: tuple | None = None,
    u_seed: int | None = None,
) -> Certificate:
    """The certificate of the class with the most `selection` votes, bounded with the `estimation` votes.

    Parameters
    ----------
    selection, estimation : array_like of int, shape (num_classes,)
        Votes per class of two independent samples.
    alpha : float
        Error level, in (0, 1): with probability >= 1 - alpha a returned label is the smoothed
        classifier's prediction and it is constant on the ball of the returned radius.
    noise : rslib.smoothing.Noise
        Its certificate turns the bounds into a radius.
    bound : {"binary", "simultaneous", "randomized"}, default "binary"
        "binary": one-sided Clopper-Pearson p_A at level alpha and p_B = 1 - p_A (Cohen et al.);
        "simultaneous": Clopper-Pearson at alpha / num_classes for every class, p_B the largest upper bound
        of the others (for certificates that use p_B: Laplace's Theorem 1, Renyi, ablation);
        "randomized": `rslib.bounds.randomized_clopper_pearson` p_A at level alpha, its U drawn from
        `u_seed`, and p_B = 1 - p_A (opt-in: exact coverage, a radius never below the binary one, larger
        mostly for near-unanimous counts; Voracek 2024).
    input_shape : tuple, optional
        One input's shape (ablation's certificate counts its pixels).
    u_seed : int, optional
        The seed of U, needed by the randomized bound; fix it before the votes are seen. U and u_seed are
        returned in the certificate.

    Returns
    -------
    Certificate
        Abstains (label ``ABSTAIN``, radius ``NOT_CERTIFIED``) when p_A <= p_B, as the theorems need
        p_A > p_B strictly, or when the radius certifies nothing.

    Raises
    ------
    ValueError
        If bound is unknown, alpha is not in (0, 1), or bound is "randomized" and u_seed is not a seed.

    References
    ----------
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    J. Jia, X. Cao, B. Wang, N. Z. Gong. Certified robustness for top-k predictions against adversarial
    perturbations via randomized smoothing. ICLR 2020.
    V. Voracek. Treatment of statistical estimation problems in randomized smoothing for adversarial
    robustness. NeurIPS 2024.
    """
    if bound not in BOUND_KINDS:
        raise ValueError(f"bound must be 'binary', 'simultaneous' or 'randomized', got {bound!r}")
    selection, estimation = np.asarray(selection), np.asarray(estimation)
    n = int(estimation.sum())
    label = int(selection.argmax())
    count_a = int(estimation[label])
    u = None
    if bound == "binary":
        p_a = float(bounds.clopper_pearson(count_a, n, alpha, side="lower"))
        p_b = 1.0 - p_a
    elif bound == "randomized":
        if u_seed is None:
            raise ValueError("u_seed must be an integer seed in [0, 2**63 - 1] for bound='randomized', got None")
        drawn = bounds.randomized_clopper_pearson(count_a, n, alpha, seed=u_seed)
        p_a, u = float(drawn.bound), float(drawn.u)
        p_b = 1.0 - p_a
    else:
        lower, upper = bounds.simultaneous_clopper_pearson(estimation, alpha)
        p_a, p_b = float(lower[label]), float(np.delete(upper, label).max())
    u_seed = None if u is None else u_seed
    abstain = Certificate(ABSTAIN, float(NOT_CERTIFIED), p_a, p_b, count_a, estimation, noise.norm, u, u_seed)
    if p_a <= p_b:  # the theorems need p_A > p_B strictly: a tie certifies nothing, not even x itself
        return abstain
    radius = float(noise.radius(p_a, None if bound != "simultaneous" else p_b, input_shape=input_shape))
    if radius == NOT_CERTIFIED:
        return abstain
    return Certificate(label, radius, p_a, p_b, count_a, estimation, noise.norm, u, u_seed)


def topk_from_counts(
    counts: ArrayLike, *, alpha: float, k: int, noise: Noise, input_shape: tuple | None = None
) -> TopKCertificate:
    """Top-k certificates of every label from one sample's votes (Jia et al. 2020; 2022).

    SimuEM bounds (Clopper-Pearson at alpha / num_classes for every class); for each label l, the noise's
    top-k radius with l's lower bound against the others' upper bounds.

    Parameters
    ----------
    counts : array_like of int, shape (num_classes,)
        Votes per class.
    alpha : float
        Error level, in (0, 1).
    k : int
        1 <= k < num_classes.
    noise : rslib.smoothing.Noise
        A noise with a top-k certificate (Gaussian or Ablation).
    input_shape : tuple, optional
        One input's shape (needed by ablation).

    Returns
    -------
    TopKCertificate
        A radius for every label, ``NOT_CERTIFIED`` where it is not certified.

    Raises
    ------
    ValueError
        If k >= num_classes or alpha is not in (0, 1).
    NotImplementedError
        If the noise has no top-k certificate.

    References
    ----------
    J. Jia, X. Cao, B. Wang, N. Z. Gong. Certified robustness for top-k predictions against adversarial
    perturbations via randomized smoothing. ICLR 2020.
    J. Jia, B. Wang, X. Cao, H. Liu, N. Z. Gong. Almost tight L0-norm certified robustness of top-k
    predictions against adversarial perturbations. ICLR 2022.
    """
    alpha = _checks.level("alpha", alpha)
    k = _checks.count("k", k)
    counts = np.asarray(counts)
    num_classes = counts.shape[-1]
    if k >= num_classes:
        raise ValueError(f"k must be smaller than num_classes={num_classes}, got k={k}")
    lower, upper = bounds.simultaneous_clopper_pearson(counts, alpha)
    others = np.stack([np.delete(upper, c) for c in range(num_classes)])
    radii = np.asarray(noise.radius_topk(lower, others, k=k, input_shape=input_shape))
    return TopKCertificate(radii, counts, k, noise.norm)

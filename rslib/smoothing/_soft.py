"""Soft smoothing: average the base classifier's softmax scores instead of counting its votes.

F(x) = E[softmax(s(x + eps))], with s the base network's logits (the classifier f returns their largest class),
is a smoothed map into the simplex. Bounds on mean scores (any bound for [0, 1]
data: empirical Bernstein, betting, ...) give two certificates:

- Cohen et al.'s radius applied to F (valid for soft scores by Salman et al. 2019): sigma Phi^-1(F_A lower);
- the margin radius `rslib.certificates.soft_margin_l2` from a lower bound on F_A - max_{C != A} F_C. A bound on F_A - F_B
  for one runner-up B picked from samples is not one: if another class is the true runner-up, F_A - F_B
  overstates the margin. So every other class C gets its own bound on F_A - F_C, and the smallest counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from rslib import _checks, bounds, certificates
from rslib.smoothing._classifier import Smoothed
from rslib.smoothing._noise import Gaussian
from rslib.smoothing._votes import ABSTAIN

__all__ = ["SoftCertificate", "certify_soft"]


@dataclass(frozen=True)
class SoftCertificate:
    """The outcome of `certify_soft`.

    Attributes
    ----------
    label : int
        The top class of the mean scores, or ``ABSTAIN`` when neither radius certifies.
    score_lower : float
        Lower bound on the mean score F_A of the top class.
    margin_lower : float
        Lower bound on F_A - max over C != A of F_C.
    radius_cohen : float
        sigma Phi^-1(score_lower), ``NOT_CERTIFIED`` unless score_lower > 1/2.
    radius_margin : float
        `rslib.certificates.soft_margin_l2` of margin_lower, ``NOT_CERTIFIED`` unless it is > 0.
    """

    label: int
    score_lower: float
    margin_lower: float
    radius_cohen: float
    radius_margin: float


def certify_soft(
    smoothed: Smoothed, x: torch.Tensor, n0: int, n: int, alpha: float, *, batch_size: int = 1000, seed: int = 0
) -> SoftCertificate:
    r"""Soft certification of x under Gaussian noise, with betting lower bounds on mean softmax scores.

    The n0 selection samples pick the top class A of the mean scores; n fresh samples bound its mean score
    :math:`F_A` at level alpha / 2, and its difference to each of the m - 1 other classes at
    alpha / (2 (m - 1)) (Bonferroni), so that both radii hold together with probability >= 1 - alpha:

    .. math:: R_\mathrm{Cohen} = \sigma\,\Phi^{-1}(\underline{F_A}), \qquad
              R_\mathrm{margin} = \underline{m}\,\sigma\sqrt{\pi/8},\quad
              \underline{m} \le F_A - \max_{C \ne A} F_C.

    Parameters
    ----------
    smoothed : Smoothed
        With Gaussian noise.
    x : torch.Tensor
        One input, without a batch dimension.
    n0 : int
        Samples that select the top class, >= 1.
    n : int
        Samples that bound the scores, >= 1.
    alpha : float
        Error level, in (0, 1).
    batch_size : int, default 1000
        Perturbed copies per forward pass (keyword-only).
    seed : int, default 0
        Seed of the noise (keyword-only).

    Returns
    -------
    SoftCertificate
        A radius is ``NOT_CERTIFIED`` where its bound does not certify (score bound <= 1/2, or margin bound
        <= 0: the theorems need strict inequalities); the label is ``ABSTAIN`` when neither certifies.

    Raises
    ------
    TypeError
        If the noise is not Gaussian.

    References
    ----------
    H. Salman, J. Li, I. Razenshteyn, P. Zhang, H. Zhang, S. Bubeck, G. Yang. Provably robust deep learning
    via adversarially trained smoothed classifiers. NeurIPS 2019.
    I. Waudby-Smith, A. Ramdas. Estimating means of bounded random variables by betting. JRSS-B 86(1), 2024.
    """
    if not isinstance(smoothed.noise, Gaussian):
        raise TypeError(f"soft certification needs Gaussian noise, got {smoothed.noise!r}")
    sigma = smoothed.noise.sigma
    alpha = _checks.level("alpha", alpha)
    generator = smoothed.generator(seed)
    selection = smoothed.sample_scores(x, _checks.count("n0", n0), batch_size=batch_size, generator=generator).mean(
        dim=0
    )
    label = int(selection.argmax())
    scores = smoothed.sample_scores(x, n, batch_size=batch_size, generator=generator).double().cpu().numpy()
    others = [c for c in range(scores.shape[1]) if c != label]
    score_lower = bounds.betting_lower(scores[:, label], alpha / 2, n=n)
    margin_lower = min(
        2.0 * bounds.betting_lower((scores[:, label] - scores[:, c] + 1.0) / 2.0, alpha / (2 * len(others)), n=n) - 1.0
        for c in others
    )
    # Each theorem needs a strict inequality (F_A > 1/2; F_A - F_C > 0): a bound on the boundary certifies nothing.
    radius_cohen = float(certificates.gaussian_l2(score_lower, sigma=sigma))  # NOT_CERTIFIED unless score_lower > 1/2
    radius_margin = float(certificates.soft_margin_l2(margin_lower, sigma=sigma))  # NOT_CERTIFIED unless > 0
    none = float(certificates.NOT_CERTIFIED)
    if radius_cohen == none and radius_margin == none:
        return SoftCertificate(ABSTAIN, float(score_lower), float(margin_lower), none, none)
    return SoftCertificate(label, float(score_lower), float(margin_lower), radius_cohen, radius_margin)

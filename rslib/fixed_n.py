"""Fixed-n certification of Gaussian hard smoothing under each confidence bound of rslib, from one sample.

Cohen et al.'s procedure (n0 votes select c_A, n more votes bound p_A) with the bound on p_A exchanged:

- `clopper_pearson`: exact binomial lower bound on p_A, radius sigma Phi^-1(p_A) (p_B = 1 - p_A);
- `clopper_pearson_pair`: p_A and the runner-up's p_B each at level alpha/2, Theorem 1 with both;
- `exact_margin`: `bounds.margin_lower` on p_A - p_B, radius `radii.gaussian_l2_margin`;
- `hoeffding`, `empirical_bernstein`: closed-form bounds for [0, 1] data applied to the 0/1 votes;
- `prpl_eb`, `betting`: the confidence sequences of `rslib.sequences` read at time n.

Every radius is certified with probability >= 1 - alpha, so the bounds can be compared on equal terms.
`compare_on_dataset` runs them all, with soft smoothing next to them, over test images.
"""
from __future__ import annotations

import numpy as np
import torch

from rslib import _checks, bounds, radii, sequences, soft
from rslib.smooth import ABSTAIN, Smoothed

BOUNDS = ("clopper_pearson", "clopper_pearson_pair", "exact_margin", "hoeffding", "empirical_bernstein",
          "prpl_eb", "betting")


def radii_from_votes(votes: np.ndarray, label: int, num_classes: int, sigma: float, alpha: float) -> dict:
    """The l2 radius of label c_A = `label` under each bound of BOUNDS, from the n votes (class indices).

    A bound certifies only where the theorem's strict inequality holds (p_A > 1/2, p_A > p_B, or a margin
    > 0); elsewhere its radius is 0 (`certify_with_bounds` abstains when every radius is 0)."""
    votes = np.asarray(votes)
    if votes.ndim != 1:
        raise ValueError(f"votes must be a 1-D array of class indices (one vote per sample, shape (n,)), "
                         f"got shape {votes.shape}")
    n = _checks.count("n (the number of votes)", votes.size, minimum=2)
    alpha = _checks.level("alpha", alpha)
    num_classes = _checks.count("num_classes", num_classes, minimum=2)
    label = _checks.integer_in("label", label, 0, num_classes - 1)
    if votes.dtype.kind not in "iu" or votes.min() < 0 or votes.max() >= num_classes:
        raise ValueError(f"votes must be class indices, integers in [0, {num_classes - 1}], got {votes.dtype} "
                         f"values from {votes.min()} to {votes.max()}")
    counts = np.bincount(votes, minlength=num_classes)
    hits = (votes == label).astype(float)
    count_a = int(counts[label])
    count_b = int(np.delete(counts, label).max())
    p_a_half = bounds.clopper_pearson(count_a, n, alpha / 2)
    p_b_half = bounds.clopper_pearson(count_b, n, alpha / 2, side="upper")
    lower = {"clopper_pearson": bounds.clopper_pearson(count_a, n, alpha),
             "hoeffding": bounds.hoeffding(hits.mean(), n, alpha),
             "empirical_bernstein": bounds.empirical_bernstein(hits, alpha),
             "prpl_eb": sequences.prpl_eb_lower(hits, alpha, n=n)[-1],
             "betting": sequences.betting_lower(hits, alpha, n=n)}
    # Each radius only where its theorem's strict inequality holds: p_A > 1/2 = p_B, p_A > p_B, a margin > 0.
    out = {name: float(radii.gaussian_l2(min(p, 1.0), sigma)) if p > 0.5 else 0.0 for name, p in lower.items()}
    out["clopper_pearson_pair"] = float(radii.gaussian_l2(p_a_half, sigma, p_b_half)) if p_a_half > p_b_half else 0.0
    margin = bounds.margin_lower(count_a, count_b, n, alpha)
    out["exact_margin"] = float(radii.gaussian_l2_margin(margin, sigma)) if margin > 0 else 0.0
    return {name: out[name] for name in BOUNDS}


def certify_with_bounds(smoothed: Smoothed, x: torch.Tensor, n0: int, n: int, alpha: float,
                        batch_size: int = 1000, seed: int = 0) -> tuple[int, dict]:
    """(c_A, {bound: radius}) for Gaussian smoothing; c_A = ABSTAIN (radii 0) where no bound certifies."""
    sigma = getattr(smoothed.noise, "sigma", None)
    if sigma is None:
        raise TypeError(f"certify_with_bounds needs Gaussian noise, got {smoothed.noise!r}")
    generator = smoothed._generator(seed)
    label = int(smoothed.sample_counts(x, _checks.count("n0", n0), batch_size, generator).argmax())
    votes = smoothed.sample_votes(x, _checks.count("n", n), batch_size, generator).cpu().numpy()
    out = radii_from_votes(votes, label, smoothed.num_classes, sigma, alpha)
    return (label if max(out.values()) > 0 else ABSTAIN), out


SOFT = ("soft_cohen", "soft_margin")


def compare_on_dataset(smoothed: Smoothed, dataset, indices, n0: int, n: int, alpha: float,
                       batch_size: int = 1000) -> dict:
    """Certify the images `dataset[i]` (i in indices) with hard votes under every bound of BOUNDS and with soft
    scores (`rslib.soft.certify_soft`: SOFT = Cohen et al.'s radius on the top score, and the Lipschitz margin
    radius). Image i uses seed i for both.

    Returns name -> (radius, correct), two arrays over the images for `rslib.results.certified_accuracy`;
    `correct` holds where the certificate names the true label with a radius > 0 (a radius of 0 certifies nothing).
    """
    indices = [int(i) for i in indices]
    if not indices:
        raise ValueError("indices must name at least one image")
    radius = {name: [] for name in (*BOUNDS, *SOFT)}
    named = {name: [] for name in radius}
    for i in indices:
        image, label = dataset[i]
        hard_label, by_bound = certify_with_bounds(smoothed, image, n0, n, alpha, batch_size, seed=i)
        cert = soft.certify_soft(smoothed, image, n0, n, alpha, batch_size, seed=i)
        for name, (r, predicted) in {**{b: (by_bound[b], hard_label) for b in BOUNDS},
                                     "soft_cohen": (cert.radius_cohen, cert.label),
                                     "soft_margin": (cert.radius_margin, cert.label)}.items():
            radius[name].append(float(r))
            named[name].append(predicted == int(label))
    return {name: (np.array(radius[name]), np.array(named[name]) & (np.array(radius[name]) > 0)) for name in radius}

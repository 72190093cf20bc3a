"""Soft smoothing (rslib.smoothing._soft): both radii stay below the exact one, also when the runner-up is
ambiguous, and a tie of the bounds abstains."""

import _coverage
import numpy as np
import torch

from rslib import bounds, smoothing
from rslib.certificates import NOT_CERTIFIED
from rslib.smoothing import ABSTAIN, Smoothed


def test_soft_certificates_stay_below_the_exact_radius():
    # Logits (0, 4 s) along the first coordinate: the smoothed soft score of class 1 is E[sigmoid(4 (x0 + eps))],
    # which is 1/2 exactly at x0 = 0 by symmetry, so the exact radius at x is |x0|.
    class SoftFirst(torch.nn.Module):
        def forward(self, z):
            s = z.flatten(1)[:, 0] * 4
            return torch.stack([torch.zeros_like(s), s], dim=1)

    # A certificate misses when it names the other class or either radius exceeds |x0|: the two bounds hold
    # together with probability >= 1 - alpha.
    smoothed, plan = Smoothed(SoftFirst(), smoothing.Gaussian(0.5), 2, device="cpu"), _coverage.plan(0.2)
    misses, named = [], 0
    for i in range(plan.trials):
        x0 = (0.2, 0.5, 1.0, -0.7)[i % 4]
        cert = smoothing.certify_soft(smoothed, torch.tensor([x0, 0.0, 0.0, 0.0]), 100, 1000, plan.alpha, seed=i)
        named += cert.label == int(x0 > 0)
        wrong = cert.label not in (ABSTAIN, int(x0 > 0))
        misses.append(wrong or cert.radius_cohen > abs(x0) or cert.radius_margin > abs(x0))
    plan.check(misses, "certify_soft")
    assert named > 0.9 * plan.trials


def test_soft_margin_bound_holds_when_the_runner_up_is_ambiguous():
    # One-hot scores with F = (0.5, 0.25, 0.22, 0.03): from 64 selection samples, class 2 often looks like the
    # runner-up, and a bound on F_0 - F_2 = 0.28 alone would exceed the true margin F_0 - F_1 = 0.25. A certificate
    # misses when it certifies a label whose F is below its score bound or whose margin is below its margin bound
    # (0.25 for class 0, negative for the others). With n = 10,000, a bound against the observed runner-up alone
    # would lie near 0.26 and miss in about a third of the trials: more than 1.5 alpha, which the plan detects.
    from scipy.stats import norm

    edges = torch.tensor(norm.ppf([0.5, 0.75, 0.97]), dtype=torch.float32)

    class Quantiles(torch.nn.Module):
        def forward(self, z):
            return 50.0 * torch.nn.functional.one_hot(torch.bucketize(z.flatten(1)[:, 0], edges), 4).float()

    smoothed, plan = Smoothed(Quantiles(), smoothing.Gaussian(1.0), 4, device="cpu"), _coverage.plan(0.2)
    scores = np.array([0.5, 0.25, 0.22, 0.03])
    margins = scores - np.array([max(np.delete(scores, c)) for c in range(4)])
    certs = [
        smoothing.certify_soft(smoothed, torch.zeros(1), 64, 10_000, plan.alpha, seed=s) for s in range(plan.trials)
    ]
    plan.check(
        [c.label != ABSTAIN and (c.margin_lower > margins[c.label] or c.score_lower > scores[c.label]) for c in certs]
    )
    assert sum(c.label == 0 for c in certs) >= 0.75 * plan.trials
    assert np.median([c.margin_lower for c in certs if c.label == 0]) > 0.2  # and the bound says something


DIM = 8


class FarHalfSpace(torch.nn.Module):
    """Class 1 under every noise draw near 0 (the boundary z_0 = -100 is out of reach): a unanimous model."""

    def forward(self, z):
        score = z.flatten(1)[:, 0] + 100.0
        return torch.stack([torch.zeros_like(score), score], dim=1)


def test_soft_abstains_when_its_bounds_tie(monkeypatch):
    # Every betting bound exactly 1/2: the score bound is 1/2 (Cohen's radius needs > 1/2) and the margin
    # bound 2 * 1/2 - 1 = 0 (the margin radius needs > 0), so neither certificate holds.
    monkeypatch.setattr(bounds, "betting_lower", lambda *args, **kwargs: 0.5)
    smoothed = Smoothed(FarHalfSpace(), smoothing.Gaussian(0.5), 2, device="cpu")
    cert = smoothing.certify_soft(smoothed, torch.zeros(DIM), n0=10, n=20, alpha=0.01)
    assert cert.label == ABSTAIN and cert.radius_cohen == NOT_CERTIFIED and cert.radius_margin == NOT_CERTIFIED

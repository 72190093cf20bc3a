"""Fixed-n certification under each confidence bound (rslib.smoothing._bound_comparison): each radius from its
bound, coverage, and the checks of labels and votes."""

import functools

import _coverage
import numpy as np
import pytest
import torch
from scipy.stats import norm

from rslib import bounds, certificates, smoothing
from rslib.certificates import NOT_CERTIFIED
from rslib.smoothing import ABSTAIN, Smoothed


def test_each_radius_comes_from_its_bound():
    votes = np.array([0] * 180 + [1] * 15 + [2] * 5)
    out = smoothing.radii_from_votes(votes, 0, 3, sigma=0.5, alpha=0.01)
    assert list(out) == list(smoothing.COMPARED_BOUNDS)
    assert out["clopper_pearson"] == pytest.approx(0.5 * norm.ppf(bounds.clopper_pearson(180, 200, 0.01)))
    pair = certificates.gaussian_l2(
        bounds.clopper_pearson(180, 200, 0.005), bounds.clopper_pearson(15, 200, 0.005, side="upper"), sigma=0.5
    )
    assert out["clopper_pearson_pair"] == pytest.approx(pair)
    assert out["exact_margin"] == pytest.approx(
        certificates.gaussian_l2_margin(bounds.margin_lower(180, 15, 200, 0.01), sigma=0.5)
    )
    assert out["clopper_pearson"] >= out["hoeffding"] > 0  # the exact bound beats Chernoff-Hoeffding on 0/1 data
    none = smoothing.radii_from_votes(np.array([0] * 50 + [1] * 50), 0, 2, sigma=0.5, alpha=0.01)
    assert all(r == NOT_CERTIFIED for r in none.values())


def test_radii_exceed_the_true_radius_at_most_at_rate_alpha(monkeypatch):
    """Votes with known class probabilities: each bound's radius exceeds the exact one with frequency <= alpha.

    `bounds.margin_lower` takes about a second a call; the trials repeat few pairs of counts at n = 20, so its
    value for each pair is computed once (the library's function, memoised: only the repeated calls are saved).
    """
    plan, p, sigma, n = _coverage.plan(0.2), np.array([0.8, 0.15, 0.05]), 0.5, 20
    truth = certificates.gaussian_l2(p[0], p[1], sigma=sigma)
    monkeypatch.setattr(bounds, "margin_lower", functools.cache(bounds.margin_lower))
    rng = np.random.default_rng(1)
    radii = [
        smoothing.radii_from_votes(rng.choice(3, size=n, p=p), 0, 3, sigma=sigma, alpha=plan.alpha)
        for _ in range(plan.trials)
    ]
    for name in smoothing.COMPARED_BOUNDS:
        plan.check([r[name] > truth for r in radii], name)


class Constant(torch.nn.Module):
    def forward(self, z):
        return torch.tensor([[0.0, 1.0, 0.0]]).repeat(z.shape[0], 1)


def test_certify_with_bounds_on_a_constant_classifier_and_bad_input():
    smoothed = Smoothed(Constant(), smoothing.Gaussian(0.5), num_classes=3, device="cpu")
    result = smoothing.certify_with_bounds(smoothed, torch.zeros(4), n0=10, n=200, alpha=0.01)
    label, out = result.label, result.radii
    assert label == 1 and all(r > 0 for r in out.values())
    assert out["clopper_pearson"] == pytest.approx(0.5 * norm.ppf(0.01 ** (1 / 200)))
    with pytest.raises(TypeError, match="Gaussian"):
        smoothing.certify_with_bounds(
            Smoothed(Constant(), smoothing.Laplace(0.5), 3, device="cpu"), torch.zeros(4), 10, 200, 0.01
        )
    with pytest.raises(ValueError, match="alpha"):
        smoothing.radii_from_votes(np.array([0, 0, 1]), 0, 2, sigma=0.5, alpha=1.5)


@pytest.mark.parametrize(
    "votes,label,num_classes,error,match",
    [
        ([1, 1, 2], 12, 10, ValueError, "label must be an integer in \\[0, 9\\], got 12"),
        ([1, 1, 2], -1, 10, ValueError, "label must be an integer in \\[0, 9\\], got -1"),
        ([1, 1, 2], 1.0, 10, TypeError, "label must be an integer"),
        (
            [1, 1, 12],
            1,
            10,
            ValueError,
            "votes must be class indices, integers in \\[0, 9\\], got int64 values from 1 to 12",
        ),
        ([1, -1, 2], 1, 10, ValueError, "votes must be class indices.*from -1 to 2"),
        ([1.0, 1.0, 2.0], 1, 10, ValueError, "votes must be class indices.*float64"),
        ([0, 0, 0], 0, 1, ValueError, "num_classes must be an integer >= 2, got 1"),
    ],
)
def test_labels_and_votes_must_be_class_indices(votes, label, num_classes, error, match):
    with pytest.raises(error, match=match):
        smoothing.radii_from_votes(np.array(votes), label, num_classes, sigma=0.5, alpha=0.01)


def test_radii_from_votes_refuses_votes_that_are_not_one_dimensional():
    with pytest.raises(ValueError, match="votes must be a 1-D array"):
        smoothing.radii_from_votes(np.ones((2, 5), dtype=int), 1, 10, sigma=0.5, alpha=0.01)


class FirstCoordinateTwoClasses(torch.nn.Module):
    def forward(self, z):
        s = z.flatten(1)[:, 0] * 4
        return torch.stack([torch.zeros_like(s), s], dim=1)


def test_compare_on_dataset_marks_correct_certified_inputs():
    smoothed = Smoothed(FirstCoordinateTwoClasses(), smoothing.Gaussian(0.5), 2, device="cpu")
    images = [torch.tensor([x0, 0.0]) for x0 in (1.5, -1.5, 0.0, 1.5)]
    dataset = [(images[0], 1), (images[1], 0), (images[2], 1), (images[3], 0)]  # the last label is wrong
    out = smoothing.compare_on_dataset(smoothed, dataset, [0, 1, 2, 3], n0=32, n=400, alpha=0.01)
    assert list(out) == [*smoothing.COMPARED_BOUNDS, *smoothing.SOFT_CERTIFICATES]
    for name, (radius, correct) in out.items():
        assert radius.shape == correct.shape == (4,)
        assert correct.tolist() == [True, True, False, False], name  # x0 = 0 is a tie: nothing certified there
        assert radius[0] > 0 and radius[3] > 0  # certified, but for the other label
    by_bound = smoothing.certify_with_bounds(smoothed, images[0], 32, 400, 0.01, seed=0).radii
    assert [out[b][0][0] for b in smoothing.COMPARED_BOUNDS] == [
        by_bound[b] for b in smoothing.COMPARED_BOUNDS
    ]  # image i uses seed i
    with pytest.raises(ValueError, match="at least one image"):
        smoothing.compare_on_dataset(smoothed, dataset, [], n0=32, n=400, alpha=0.01)


DIM = 8


class FarHalfSpace(torch.nn.Module):
    """Class 1 under every noise draw near 0 (the boundary z_0 = -100 is out of reach): a unanimous model."""

    def forward(self, z):
        score = z.flatten(1)[:, 0] + 100.0
        return torch.stack([torch.zeros_like(score), score], dim=1)


def test_fixed_n_abstains_at_a_lower_bound_of_exactly_one_half():
    # n = 10 unanimous votes at alpha = 2**-10: the Clopper-Pearson lower bound is exactly 1/2 = p_B.
    smoothed = Smoothed(FarHalfSpace(), smoothing.Gaussian(0.5), 2, device="cpu")
    result = smoothing.certify_with_bounds(smoothed, torch.zeros(DIM), n0=1, n=10, alpha=2.0**-10)
    assert result.label == ABSTAIN and set(result.radii.values()) == {NOT_CERTIFIED}

"""Delta(r) of randomized ablation, the l0 radii of a top-k run for both noises, and curve styling."""

import math
from fractions import Fraction

import numpy as np
import pytest
import torch

from rslib import certificates, figures, smoothing
from rslib.smoothing import Smoothed


def test_ablation_delta_is_one_minus_the_share_of_subsets_avoiding_r_pixels():
    for d, keep in [(10, 3), (784, 50)]:
        r = np.arange(d + 1)
        delta = certificates.ablation_delta(r, d=d, keep=keep)
        expected = [float(1 - Fraction(math.comb(d - v, keep), math.comb(d, keep))) for v in r]
        assert list(delta) == expected
        assert delta[0] == 0 and (np.diff(delta) >= 0).all() and (delta[d - keep + 1 :] == 1).all()
    assert certificates.ablation_delta(1, d=784, keep=50) == pytest.approx(50 / 784)
    assert isinstance(certificates.ablation_delta(3, d=10, keep=3), float)


@pytest.mark.parametrize(
    "r,d,keep,message",
    [
        (-1, 10, 3, "r must be an integer"),
        (11, 10, 3, "r must be an integer"),
        (1.5, 10, 3, "r must be an integer"),
        (1, 10, 11, "keep must be at most"),
        (1, 0, 1, "d must be an integer"),
    ],
)
def test_ablation_delta_rejects_bad_input(r, d, keep, message):
    with pytest.raises((ValueError, TypeError), match=message):
        certificates.ablation_delta(r, d=d, keep=keep)


class MeanModel(torch.nn.Module):
    """Three classes by the mean of the first channel: enough spread for certificates to vary."""

    def forward(self, z):
        score = (z[:, :1].flatten(1).mean(dim=1) - 0.5) * 20
        return torch.stack([-score, score, torch.zeros_like(score)], dim=1)


def _data(size=5):
    images = torch.rand(size, 1, 6, 6, generator=torch.Generator().manual_seed(0))
    return [(img, int(img.mean() > 0.5)) for img in images]


@pytest.mark.parametrize("noise_", [smoothing.Ablation(10), smoothing.Gaussian(0.5)])
def test_topk_l0_radii_and_curves(noise_):
    data, smoothed = _data(), Smoothed(MeanModel(), noise_, num_classes=3, device="cpu")
    votes = smoothing.vote_counts(smoothed, data, range(5), ns=(200,), progress=False)
    radius = smoothing.topk_l0_radii(smoothed, votes, 200, 0.01, 1, (1, 6, 6))
    direct = smoothing.topk_radii(smoothed, votes.counts[200], votes.label, 0.01, 1, (1, 6, 6))
    assert list(radius) == list(direct if noise_.norm == "l0" else certificates.l2_to_l0(direct))
    grid = np.arange(4)
    curves = figures.l0_curves({"run": (smoothed, votes)}, {"top-1": ("run", 1, 200, 0.01)}, grid, (1, 6, 6))
    assert list(curves["top-1"][1]) == [np.mean(radius >= r) for r in grid]


def test_l2_radii_become_pixels_with_the_number_of_channels():
    assert list(certificates.l2_to_l0(np.array([2.2]), channels=3)) == [1]  # sqrt(1 * 3) < 2.2 <= sqrt(2 * 3)


def test_certified_accuracy_colours_by_model_and_dashes_by_variant():
    grid = np.arange(3)
    names = [f"{m}, {v}" for m in ("STN, σ = 0.25", "aug, σ = 0.25", "STN, σ = 0.5") for v in ("Rényi", "Cohen")]
    fig = figures.certified_accuracy({n: (grid, grid) for n in names}, variant_sep=", ")
    colours, dashes = [t.line.color for t in fig.data], [t.line.dash for t in fig.data]
    assert colours[0] == colours[1] != colours[2] == colours[3] != colours[4] == colours[5] != colours[0]
    assert dashes == ["solid", "dash"] * 3
    plain = figures.certified_accuracy({f"c{i}": (grid, grid) for i in range(10)})
    assert len({t.line.color for t in plain.data}) == 10
    with pytest.raises(ValueError, match="variant_sep"):
        figures.certified_accuracy({"a": (grid, grid)}, variant_sep="; ")


def test_with_simuem_bounds_the_top_1_cap_never_binds():
    """p_upper(n_j) <= p_upper(n - n_l) = 1 - p_lower(n_l) at a common level, and rounding keeps it, so
    min(p'_a1, 1 - p'_l) = p'_a1; the cap could bind only for bounds that cannot both hold, which are refused."""
    from rslib import bounds

    rng = np.random.default_rng(5)
    counts = np.array(
        [rng.multinomial(n, p) for n, p in zip(rng.integers(10, 5000, 400), rng.dirichlet(np.ones(10) * 0.3, 400))]
    )
    lower, upper = bounds.simultaneous_clopper_pearson(counts, 0.001)
    total = math.comb(784, 50)
    for low, up in zip(lower[:, 0], upper[:, 1:].max(axis=1)):
        assert low + up <= 1 + 1e-12
        assert (
            math.ceil(Fraction(float(low)) * total) + math.floor(Fraction(float(up)) * total) <= total or low + up > 1
        )
    # Bounds for which the cap would bind (p'_l = 0.9, p'_a1 = 0.2) cannot both hold: they are refused, not certified.
    with pytest.raises(ValueError, match="cannot both hold"):
        certificates.ablation_l0(0.9, [[0.2]], d=784, keep=50, k=1)

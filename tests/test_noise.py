"""Noise distributions: moments, reproducibility, the ablation encoding, and bad parameters."""
import collections
import math

import pytest
import torch

from rslib import noise


def test_gaussian_and_laplace_have_the_stated_variance():
    x = torch.zeros(200_000)
    gen = torch.Generator().manual_seed(0)
    g = noise.Gaussian(0.5).sample(x, gen)
    lap = noise.Laplace.matching_variance(0.5).sample(x, gen)
    assert g.var().item() == pytest.approx(0.25, rel=0.02)
    assert lap.var().item() == pytest.approx(0.25, rel=0.03)  # 2 scale^2 with scale = sigma / sqrt(2)
    # Laplace(scale): E|z| = scale
    assert lap.abs().mean().item() == pytest.approx(0.5 / math.sqrt(2), rel=0.02)


def test_same_generator_seed_same_noise():
    x = torch.rand(8, 1, 5, 5)
    for nz in (noise.Gaussian(1.0), noise.Laplace(1.0), noise.Ablation(7)):
        a = nz.sample(x, torch.Generator().manual_seed(3))
        b = nz.sample(x, torch.Generator().manual_seed(3))
        c = nz.sample(x, torch.Generator().manual_seed(4))
        assert torch.equal(a, b) and not torch.equal(a, c)


def test_ablation_keeps_exactly_keep_pixels_with_all_channels():
    x = torch.rand(16, 3, 6, 6)
    out = noise.Ablation(10).sample(x, torch.Generator().manual_seed(0))
    assert out.shape == (16, 6, 6, 6)
    value, complement = out[:, :3], out[:, 3:]
    kept = (value + complement).sum(dim=1) > 0  # a kept pixel has x + (1 - x) = 1 in every channel
    assert (kept.flatten(1).sum(dim=1) == 10).all()
    mask = kept.unsqueeze(1)
    assert torch.allclose(value, x * mask) and torch.allclose(complement, (1 - x) * mask)
    assert noise.Ablation(10).in_channels(3) == 6


@pytest.mark.parametrize("d,keep", [(6, 3), (7, 1), (66, 65)])  # Floyd's algorithm (keep <= 64), then top-k
def test_ablation_subsets_are_uniform(d, keep):
    """Every keep-subset of the d pixels equally likely: a chi-square test over all C(d, keep) subsets."""
    from scipy import stats

    rows = 400 * math.comb(d, keep)
    chosen = noise.Ablation(keep).kept_pixels(rows, d, torch.Generator().manual_seed(d))
    assert chosen.shape == (rows, keep)
    ordered = chosen.sort(dim=1).values
    assert (ordered[:, 1:] > ordered[:, :-1]).all()  # keep distinct pixels in every row
    counts = list(collections.Counter(map(tuple, ordered.tolist())).values())
    assert len(counts) == math.comb(d, keep)
    assert stats.chisquare(counts).pvalue > 1e-4


def test_params_round_trip():
    for nz in (noise.Gaussian(0.25), noise.Laplace(0.3), noise.Ablation(50)):
        assert noise.from_params(nz.params()).params() == nz.params()
    with pytest.raises(ValueError, match="noise must be one of"):
        noise.from_params({"noise": "uniform"})


@pytest.mark.parametrize("factory,value,name", [
    (noise.Gaussian, 0.0, "sigma"), (noise.Gaussian, -0.5, "sigma"), (noise.Gaussian, float("nan"), "sigma"),
    (noise.Laplace, 0.0, "scale"), (noise.Laplace, float("inf"), "scale"),
])
def test_bad_noise_levels(factory, value, name):
    with pytest.raises(ValueError, match=name):
        factory(value)


def test_bad_ablation_parameters():
    with pytest.raises(ValueError, match="keep"):
        noise.Ablation(0)
    with pytest.raises(TypeError, match="keep"):
        noise.Ablation(2.5)
    with pytest.raises(ValueError, match="keep must be at most the number of pixels d=25"):
        noise.Ablation(26).sample(torch.rand(2, 1, 5, 5))
    with pytest.raises(ValueError, match="shape \\(batch, channels, height, width\\)"):
        noise.Ablation(3).sample(torch.rand(2, 25))


def test_laplace_draws_follow_the_laplace_distribution_and_are_finite():
    from scipy import stats

    gen = torch.Generator().manual_seed(3)
    for dtype in (torch.float32, torch.float64):
        z = noise.Laplace(0.7).sample(torch.zeros(400_000, dtype=dtype), gen)
        assert torch.isfinite(z).all() and z.dtype == dtype
        assert stats.kstest(z.numpy() / 0.7, "laplace").pvalue > 1e-3

"""Noise distributions (rslib.smoothing._noise): moments and laws, reproducibility, the ablation encoding, saved
parameters, and bad parameters."""

import collections
import math

import pytest
import torch

from rslib import smoothing


def test_gaussian_and_laplace_have_the_stated_variance():
    x = torch.zeros(200_000)
    gen = torch.Generator().manual_seed(0)
    g = smoothing.Gaussian(0.5).sample(x, gen)
    lap = smoothing.Laplace.matching_variance(0.5).sample(x, gen)
    assert g.var().item() == pytest.approx(0.25, rel=0.02)
    assert lap.var().item() == pytest.approx(0.25, rel=0.03)  # 2 scale^2 with scale = sigma / sqrt(2)
    # Laplace(scale): E|z| = scale
    assert lap.abs().mean().item() == pytest.approx(0.5 / math.sqrt(2), rel=0.02)


def test_same_generator_seed_same_noise():
    x = torch.rand(8, 1, 5, 5)
    for nz in (smoothing.Gaussian(1.0), smoothing.Laplace(1.0), smoothing.Ablation(7)):
        a = nz.sample(x, torch.Generator().manual_seed(3))
        b = nz.sample(x, torch.Generator().manual_seed(3))
        c = nz.sample(x, torch.Generator().manual_seed(4))
        assert torch.equal(a, b) and not torch.equal(a, c)


def test_ablation_keeps_exactly_keep_pixels_with_all_channels():
    x = torch.rand(16, 3, 6, 6)
    out = smoothing.Ablation(10).sample(x, torch.Generator().manual_seed(0))
    assert out.shape == (16, 6, 6, 6)
    value, complement = out[:, :3], out[:, 3:]
    kept = (value + complement).sum(dim=1) > 0  # a kept pixel has x + (1 - x) = 1 in every channel
    assert (kept.flatten(1).sum(dim=1) == 10).all()
    mask = kept.unsqueeze(1)
    assert torch.allclose(value, x * mask) and torch.allclose(complement, (1 - x) * mask)
    assert smoothing.Ablation(10).in_channels(3) == 6


@pytest.mark.parametrize("d,keep", [(6, 3), (7, 1), (66, 65)])  # Floyd's algorithm (keep <= 64), then top-k
def test_ablation_subsets_are_uniform(d, keep):
    """Every keep-subset of the d pixels equally likely: a chi-square test over all C(d, keep) subsets."""
    from scipy import stats

    rows = 400 * math.comb(d, keep)
    chosen = smoothing.Ablation(keep).kept_pixels(rows, d, torch.Generator().manual_seed(d))
    assert chosen.shape == (rows, keep)
    ordered = chosen.sort(dim=1).values
    assert (ordered[:, 1:] > ordered[:, :-1]).all()  # keep distinct pixels in every row
    counts = list(collections.Counter(map(tuple, ordered.tolist())).values())
    assert len(counts) == math.comb(d, keep)
    assert stats.chisquare(counts).pvalue > 1e-4


def test_params_round_trip():
    for nz in (smoothing.Gaussian(0.25), smoothing.Laplace(0.3), smoothing.Ablation(50)):
        assert smoothing.from_params(nz.params()).params() == nz.params()
    with pytest.raises(ValueError, match="noise must be one of"):
        smoothing.from_params({"noise": "uniform"})


@pytest.mark.parametrize(
    "factory,value,name",
    [
        (smoothing.Gaussian, 0.0, "sigma"),
        (smoothing.Gaussian, -0.5, "sigma"),
        (smoothing.Gaussian, float("nan"), "sigma"),
        (smoothing.Laplace, 0.0, "scale"),
        (smoothing.Laplace, float("inf"), "scale"),
    ],
)
def test_bad_noise_levels(factory, value, name):
    with pytest.raises(ValueError, match=name):
        factory(value)


def test_bad_ablation_parameters():
    with pytest.raises(ValueError, match="keep"):
        smoothing.Ablation(0)
    with pytest.raises(TypeError, match="keep"):
        smoothing.Ablation(2.5)
    with pytest.raises(ValueError, match="keep must be at most the number of pixels d=25"):
        smoothing.Ablation(26).sample(torch.rand(2, 1, 5, 5))
    with pytest.raises(ValueError, match="shape \\(batch, channels, height, width\\)"):
        smoothing.Ablation(3).sample(torch.rand(2, 25))


def test_laplace_draws_follow_the_laplace_distribution_and_are_finite():
    from scipy import stats

    gen = torch.Generator().manual_seed(3)
    for dtype in (torch.float32, torch.float64):
        z = smoothing.Laplace(0.7).sample(torch.zeros(400_000, dtype=dtype), gen)
        assert torch.isfinite(z).all() and z.dtype == dtype
        assert stats.kstest(z.numpy() / 0.7, "laplace").pvalue > 1e-3


@pytest.mark.parametrize("nz", [smoothing.Laplace(0.3), smoothing.Gaussian(0.3)])
def test_samples_are_the_transform_of_float64_uniforms(nz):
    x = torch.rand(3, 1, 5, 5)  # 25 coordinates a row: an odd count, so one Gaussian pair a row is half used
    drawn = nz.sample(x, torch.Generator().manual_seed(1))
    gen = torch.Generator().manual_seed(1)
    if isinstance(nz, smoothing.Laplace):
        u = torch.rand((3, 2, 25), generator=gen, dtype=torch.float64)
        expected = smoothing.laplace_from_uniforms(u[:, 0], u[:, 1]) * nz.scale
    else:
        u = torch.rand((3, 3, 13), generator=gen, dtype=torch.float64)
        expected = smoothing.gaussian_from_uniforms(u[:, 0], u[:, 1], u[:, 2])[:, :25] * nz.sigma
    assert drawn.dtype == torch.float32 and torch.equal(drawn, expected.float().view(x.shape) + x)


@pytest.mark.parametrize("nz,law", [(smoothing.Laplace(1.0), "laplace"), (smoothing.Gaussian(1.0), "norm")])
def test_samples_follow_the_law_including_the_tails(nz, law):
    from scipy import stats

    z = nz.sample(torch.zeros(400_000), torch.Generator().manual_seed(2)).double().numpy()
    assert stats.kstest(z, law).pvalue > 1e-3
    tail = 8.0 if law == "laplace" else 3.5  # P(|Z| > t) = 6.7e-4 (Laplace), 4.7e-4 (Gaussian)
    expected = 2 * getattr(stats, law).sf(tail) * z.size
    assert abs((abs(z) > tail).sum() - expected) < 5 * math.sqrt(expected)

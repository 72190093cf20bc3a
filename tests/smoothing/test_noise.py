"""Noise distributions (rslib.smoothing._noise): moments and laws, reproducibility, the ablation encoding, saved
parameters, and bad parameters; the sound sampler Gaussian(sigma, sound=True) (Voracek & Hein 2023): noisy
inputs on the grid formed from the integer sum, following the rounded Gaussian, and the slack in every
certificate."""

import collections
import math

import numpy as np
import pytest
import torch
from scipy.stats import norm

from rslib import smoothing, theory


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


class GridSign(torch.nn.Module):
    """Class 1 right of the first coordinate's 0.5, class 0 left of it: a half-space on 8-bit inputs."""

    def forward(self, z):
        s = z.flatten(1)[:, 0] - 0.5
        return torch.stack([-s, s], dim=1)


def on_grid(shape, seed=0):
    return torch.randint(0, 256, shape, generator=torch.Generator().manual_seed(seed)).float() / 255


def test_noisy_inputs_lie_on_the_grid_and_follow_the_rounded_gaussian():
    noise = smoothing.Gaussian(0.5, sound=True)
    x = on_grid((1, 1, 28, 28))
    noisy = noise.sample(x.expand(300, 1, 28, 28), torch.Generator().manual_seed(1))
    levels = noisy.double() * 255
    assert (levels - levels.round()).abs().max() < 1e-3  # (k + J) / 255 in float32
    jumps = (levels.round() - (x.double() * 255).round()).long().flatten().numpy()
    table = theory.floating_point.rounded_gaussian_table(0.5)
    pmf = table.pmf()
    observed = np.bincount(jumps - table.j_min, minlength=pmf.size)
    central = pmf > 1e-3
    z = (observed[central] - jumps.size * pmf[central]) / np.sqrt(jumps.size * pmf[central] * (1 - pmf[central]))
    assert np.abs(z).max() < 5.5  # ~400 buckets, 235,200 draws
    assert jumps.std() == pytest.approx(0.5 * 255, rel=0.01)


def test_a_draw_of_b_plus_c_copies_is_a_draw_of_b_then_c():
    noise, x = smoothing.Gaussian(0.5, sound=True), on_grid((1, 3, 4))
    together = noise.sample(x.expand(5, 3, 4), torch.Generator().manual_seed(2))
    generator = torch.Generator().manual_seed(2)
    parts = torch.cat([noise.sample(x.expand(2, 3, 4), generator), noise.sample(x.expand(3, 3, 4), generator)])
    assert torch.equal(together, parts)


def test_refuses_inputs_off_the_grid():
    with pytest.raises(ValueError, match="x must lie on the grid of 1/255"):
        smoothing.Gaussian(0.5, sound=True).sample(torch.full((2, 3), 0.3001))


def test_saved_and_compared_with_its_flag():
    sound = smoothing.Gaussian(0.5, sound=True)
    assert sound.params() == {"noise": "gaussian", "sigma": 0.5, "sound": True}
    assert smoothing.Gaussian(0.5).params() == {"noise": "gaussian", "sigma": 0.5}
    assert smoothing.from_params(sound.params()) == sound != smoothing.Gaussian(0.5)
    assert (
        len({sound, smoothing.Gaussian(0.5, sound=True), smoothing.Gaussian(0.5)}) == 2
        and repr(sound) == "Gaussian(sigma=0.5, sound=True)"
    )
    with pytest.raises(TypeError, match="sound must be True or False"):
        smoothing.Gaussian(0.5, sound=1)
    with pytest.raises(ValueError, match="sound must be true or false"):
        smoothing.from_params({"noise": "gaussian", "sigma": 0.5, "sound": "yes"})


def test_the_slack_lowers_every_certificate():
    sound, naive = smoothing.Gaussian(0.5, sound=True), smoothing.Gaussian(0.5)
    slack = sound.slack((1, 28, 28))
    assert (
        slack == pytest.approx(784 * theory.floating_point.rounded_gaussian_table(0.5).tv_bound)
        and naive.slack(None) == 0
    )
    assert sound.radius(0.99, input_shape=(1, 28, 28)) < naive.radius(0.99)
    assert sound.radius(0.99, input_shape=(1, 28, 28)) == pytest.approx(0.5 * norm.ppf(0.99 - slack), rel=1e-12)
    with pytest.raises(ValueError, match="input_shape must give one input's shape"):
        sound.radius(0.99)
    smoothed = smoothing.Smoothed(GridSign(), sound, 2, device="cpu")
    x = torch.tensor([200.0, 0.0]) / 255
    cert = smoothed.certify(x, 100, 5000, 0.001, seed=3)
    exact = 200 / 255 - 0.5  # the distance to the boundary, up to the grid's rounding (< 1/510)
    assert cert.label == 1 and 0.2 < cert.radius < exact + 1 / 510
    decision = smoothing.certify_at_radius(smoothed, x, 0.2, seed=3)
    assert decision.certified and decision.samples < 10_000

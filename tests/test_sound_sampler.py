"""The sound Gaussian sampler (Voracek & Hein 2023): integer thresholds close to the exact rounded Gaussian, noisy
inputs on the grid formed from the integer sum, the slack in every certificate, and the floating-point
counterexample it defeats."""

import mpmath
import numpy as np
import pytest
import torch
from scipy.stats import norm

from rslib import smoothing
from rslib.smoothing import Gaussian, Smoothed
from rslib.theory import floating_point


class Sign(torch.nn.Module):
    def forward(self, z):
        s = z.flatten(1)[:, 0] - 0.5
        return torch.stack([-s, s], dim=1)


def on_grid(shape, seed=0):
    return torch.randint(0, 256, shape, generator=torch.Generator().manual_seed(seed)).float() / 255


@pytest.mark.parametrize("sigma", [0.25, 1.0])
def test_thresholds_are_within_their_stated_distance_of_the_exact_law(sigma):
    table = floating_point.rounded_gaussian_table(sigma)
    assert (np.diff(table.thresholds) >= 0).all() and table.pmf().sum() == pytest.approx(1.0, abs=1e-15)
    assert table.tv_bound < 1e-10
    mpmath.mp.dps = 40
    worst = 0.0
    for i in np.linspace(0, table.thresholds.size - 1, 41).astype(int):
        exact = mpmath.ncdf(mpmath.mpf(int(table.j_min + i) * 2 + 1) / 510 / mpmath.mpf(sigma))
        worst += float(abs(mpmath.mpf(int(table.thresholds[i])) / 2**63 - exact))
    assert worst <= table.tv_bound  # 41 of the thresholds' errors already sum below the whole bound


def test_noisy_inputs_lie_on_the_grid_and_follow_the_rounded_gaussian():
    noise = Gaussian(0.5, sound=True)
    x = on_grid((1, 1, 28, 28))
    noisy = noise.sample(x.expand(300, 1, 28, 28), torch.Generator().manual_seed(1))
    levels = noisy.double() * 255
    assert (levels - levels.round()).abs().max() < 1e-3  # (k + J) / 255 in float32
    jumps = (levels.round() - (x.double() * 255).round()).long().flatten().numpy()
    table = floating_point.rounded_gaussian_table(0.5)
    pmf = table.pmf()
    observed = np.bincount(jumps - table.j_min, minlength=pmf.size)
    central = pmf > 1e-3
    z = (observed[central] - jumps.size * pmf[central]) / np.sqrt(jumps.size * pmf[central] * (1 - pmf[central]))
    assert np.abs(z).max() < 5.5  # ~400 buckets, 235,200 draws
    assert jumps.std() == pytest.approx(0.5 * 255, rel=0.01)


def test_a_draw_of_b_plus_c_copies_is_a_draw_of_b_then_c():
    noise, x = Gaussian(0.5, sound=True), on_grid((1, 3, 4))
    together = noise.sample(x.expand(5, 3, 4), torch.Generator().manual_seed(2))
    generator = torch.Generator().manual_seed(2)
    parts = torch.cat([noise.sample(x.expand(2, 3, 4), generator), noise.sample(x.expand(3, 3, 4), generator)])
    assert torch.equal(together, parts)


def test_refuses_inputs_off_the_grid():
    with pytest.raises(ValueError, match="x must lie on the grid of 1/255"):
        Gaussian(0.5, sound=True).sample(torch.full((2, 3), 0.3001))


def test_the_slack_lowers_every_certificate():
    sound, naive = Gaussian(0.5, sound=True), Gaussian(0.5)
    slack = sound.slack((1, 28, 28))
    assert slack == pytest.approx(784 * floating_point.rounded_gaussian_table(0.5).tv_bound) and naive.slack(None) == 0
    assert sound.radius(0.99, input_shape=(1, 28, 28)) < naive.radius(0.99)
    assert sound.radius(0.99, input_shape=(1, 28, 28)) == pytest.approx(0.5 * norm.ppf(0.99 - slack), rel=1e-12)
    with pytest.raises(ValueError, match="input_shape must give one input's shape"):
        sound.radius(0.99)
    smoothed = Smoothed(Sign(), sound, 2, device="cpu")
    x = torch.tensor([200.0, 0.0]) / 255
    cert = smoothed.certify(x, 100, 5000, 0.001, seed=3)
    exact = 200 / 255 - 0.5  # the distance to the boundary, up to the grid's rounding (< 1/510)
    assert cert.label == 1 and 0.2 < cert.radius < exact + 1 / 510
    decision = smoothing.certify_at_radius(smoothed, x, 0.2, seed=3)
    assert decision.certified and decision.samples < 10_000


def test_saved_and_compared_with_its_flag():
    sound = Gaussian(0.5, sound=True)
    assert sound.params() == {"noise": "gaussian", "sigma": 0.5, "sound": True}
    assert Gaussian(0.5).params() == {"noise": "gaussian", "sigma": 0.5}
    assert smoothing.from_params(sound.params()) == sound != Gaussian(0.5)
    assert (
        len({sound, Gaussian(0.5, sound=True), Gaussian(0.5)}) == 2 and repr(sound) == "Gaussian(sigma=0.5, sound=True)"
    )
    with pytest.raises(TypeError, match="sound must be True or False"):
        Gaussian(0.5, sound=1)
    with pytest.raises(ValueError, match="sound must be true or false"):
        smoothing.from_params({"noise": "gaussian", "sigma": 0.5, "sound": "yes"})


def test_the_naive_sampler_certifies_falsely_and_the_sound_one_does_not():
    example = floating_point.counterexample()
    assert example.naive_radius > 3.8 and example.distance < example.naive_radius
    assert example.naive_votes_at_x1 == 0  # the smoothed prediction at x1, inside the ball, is not A
    assert example.sound_votes_at_x0 == 0  # A is never certified with the grid sampler
    assert example.threshold_radius > 0.3 and example.threshold_p_a_at_edge > 0.5

"""Exact-law draws from float64 uniforms (rslib.smoothing._sampling): tails far beyond float32's, and draws that
do not depend on how they are split into batches."""

import math

import pytest
import torch

from rslib import smoothing

LAST = 1.0 - 2.0**-53  # the largest float64 uniform below 1


def test_laplace_reaches_far_beyond_the_float32_cap():
    # The float32 inverse CDF stopped at 16.6 scales; the extreme uniforms now give 105 log 2 = 72.8 on each side.
    coarse = torch.tensor([0.0, 0.5, 0.25, 0.75], dtype=torch.float64)
    fine = torch.tensor([LAST, LAST, 0.0, 0.0], dtype=torch.float64)
    z = smoothing.laplace_from_uniforms(coarse, fine)
    assert z[0] == pytest.approx(105 * math.log(2)) and z[1] == pytest.approx(-105 * math.log(2))
    assert z[2] == pytest.approx(math.log(2), rel=1e-12) and z[3] == pytest.approx(-math.log(2), rel=1e-12)


def test_gaussian_reaches_far_beyond_the_float32_cap():
    # torch.randn in float32 stopped at sqrt(2 log 2^24) = 5.8 sigma on a CPU; now 12.1.
    one = torch.ones(1, dtype=torch.float64)
    z = smoothing.gaussian_from_uniforms(0 * one, LAST * one, 0 * one)
    assert z[0] > 12 and z[0] == pytest.approx(math.sqrt(2 * 106 * math.log(2))) and z[1] == 0


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("nz", [smoothing.Laplace(0.3), smoothing.Gaussian(0.3)])
def test_a_draw_split_in_two_is_the_same_draw(nz, dtype):
    # The engine draws in pieces of at most batch_size copies: the pieces must not change the samples.
    x = torch.rand(7, 1, 5, 5, dtype=dtype)
    gen = torch.Generator().manual_seed(5)
    whole = nz.sample(x, torch.Generator().manual_seed(5))
    assert torch.equal(whole, torch.cat([nz.sample(x[:3], gen), nz.sample(x[3:], gen)]))


def test_fine_uniforms_lie_in_zero_one_with_a_grid_of_2_to_the_minus_106():
    coarse = torch.tensor([0.0, 0.0, LAST, 0.5], dtype=torch.float64)
    fine = torch.tensor([LAST, 0.0, 0.0, 0.5], dtype=torch.float64)
    w = smoothing.fine_uniforms(coarse, fine)
    assert w[0] == 2.0**-106 and w[1] == 2.0**-53 and w[2] == 1.0  # never 0, never above 1
    assert w[3] == 0.5 + 0.5 * 2.0**-53
    assert w.data_ptr() == fine.data_ptr()  # computed in place, in its second argument
    u = torch.rand((2, 100_000), generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    w = smoothing.fine_uniforms(u[0].clone(), u[1].clone())
    assert (w > 0).all() and (w <= 1).all() and abs(w.mean().item() - 0.5) < 0.005

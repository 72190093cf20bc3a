"""Seeds (rslib._seeds): the range accepted everywhere, and the per-input seed of a dataset run."""

import numpy as np
import pytest
import torch

from rslib import _seeds, smoothing, zoo
from rslib.smoothing import Smoothed


def test_check_seed_takes_integers_from_0_to_2_63_minus_1():
    assert _seeds.check_seed(0) == 0 and _seeds.check_seed(np.uint64(2**63 - 1)) == _seeds.SEED_MAX == 2**63 - 1
    assert type(_seeds.check_seed(np.int32(7))) is int
    for seed in (-1, 2**63):
        with pytest.raises(ValueError, match=rf"seed must be an integer in \[0, 2\*\*63 - 1\], got {seed}"):
            _seeds.check_seed(seed)
    for seed in (True, 1.0, "1", None):
        with pytest.raises(TypeError, match=r"seed must be an integer in \[0, 2\*\*63 - 1\]"):
            _seeds.check_seed(seed)


def test_input_seeds_depend_only_on_seed_and_index():
    assert smoothing.input_seed(0, 5) == smoothing.input_seed(0, 5)
    assert len({smoothing.input_seed(0, i) for i in range(1000)}) == 1000
    assert smoothing.input_seed(1, 5) != smoothing.input_seed(0, 5)
    # numpy's SeedSequence: the same seeds on every machine and in every version of rslib
    assert smoothing.input_seed(0, 5) == int(np.random.SeedSequence([0, 5]).generate_state(1)[0])
    assert smoothing.input_seed is _seeds.input_seed


def _digits(noise_=None, **kwargs) -> Smoothed:
    return Smoothed(
        zoo.build("digits_cnn", 1, 10, seed=0), noise_ or smoothing.Gaussian(0.25), 10, device="cpu", **kwargs
    )


def _image():
    return torch.rand(1, 8, 8, generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize(
    "call",
    [
        lambda seed: _digits().certify(_image(), 10, 20, 0.01, seed=seed),
        lambda seed: _digits().certify_many([_image()], 10, 20, 0.01, seeds=[seed]),
        lambda seed: _digits().predict(_image(), 20, 0.01, seed=seed),
        lambda seed: _digits().certify_topk(_image(), 20, 0.01, seed=seed),
        lambda seed: smoothing.certify_soft(_digits(), _image(), 10, 20, 0.01, seed=seed),
        lambda seed: smoothing.certify_at_radius(_digits(), _image(), 0.1, n0=10, n_max=20, seed=seed),
        lambda seed: smoothing.certify_with_bounds(_digits(), _image(), 10, 20, 0.01, seed=seed),
        lambda seed: __import__("rslib.zoo").zoo.build("digits_cnn", 1, 10, seed=seed),
        lambda seed: __import__("rslib.figures").figures.ablated_image(_image(), 5, seed),
    ],
)
def test_seeds_are_checked_everywhere(call):
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 2\*\*63 - 1\], got 18446744073709551616"):
        call(2**64)
    call(2**63 - 1)  # the largest accepted

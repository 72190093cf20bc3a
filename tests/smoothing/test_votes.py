"""From votes to certificates (rslib.smoothing._votes): Cohen et al.'s CERTIFY and Jia et al.'s top-k
certificates on counts alone, and certificates that compare by value."""

import torch

from rslib import smoothing, zoo
from rslib.smoothing import Smoothed


def _digits(noise_=None, **kwargs) -> Smoothed:

    return Smoothed(
        zoo.build("digits_cnn", 1, 10, seed=0), noise_ or smoothing.Gaussian(0.25), 10, device="cpu", **kwargs
    )


def _image():
    return torch.rand(1, 8, 8, generator=torch.Generator().manual_seed(0))


def test_certificates_compare_by_value():
    smoothed, x = _digits(), _image()
    first, again, other = (smoothed.certify(x, 10, 50, 0.01, seed=s) for s in (0, 0, 1))
    assert first == again and not first != again
    assert first != other
    top, top_again = (smoothed.certify_topk(x, 50, 0.01, seed=0) for _ in range(2))
    assert top == top_again and top != smoothed.certify_topk(x, 50, 0.01, seed=1)

"""Reduced precision: how many votes change against fp32 on a shipped model (issue: floating-point soundness)."""

import pytest
import torch

from rslib import zoo
from rslib.smoothing import Smoothed


def test_bf16_votes_mostly_agree_with_fp32_and_bad_precision_is_named():
    pre = zoo.load_pretrained("fmnist-gaussian-0.25", device="cpu")
    test_set = zoo.fashion_mnist("test")
    fp32 = Smoothed(pre.model, pre.noise, 10, device="cpu")
    bf16 = Smoothed(pre.model, pre.noise, 10, device="cpu", precision="bf16")
    changed = total = 0
    for i in range(0, 2000, 200):
        x = test_set[i][0]
        a = fp32.sample_votes(x, 1000, batch_size=500, generator=torch.Generator().manual_seed(i))
        b = bf16.sample_votes(x, 1000, batch_size=500, generator=torch.Generator().manual_seed(i))
        changed += int((a != b).sum())
        total += a.numel()
    assert changed / total < 0.02  # measured: a fraction of a percent of the votes
    with pytest.raises(ValueError, match="precision must be one of fp32, bf16, fp16"):
        Smoothed(pre.model, pre.noise, 10, device="cpu", precision="int8")


def test_compiled_model_votes_like_the_eager_one_with_padded_last_batch():
    """torch.compile (one graph for batch_size; the last partial batch padded): the votes of the shipped model
    agree with eager ones. Needs a C++ compiler for inductor on the CPU (Debian's build-essential)."""
    pre = zoo.load_pretrained("fmnist-gaussian-0.25", device="cpu")
    x = zoo.fashion_mnist("test")[0][0]
    eager = Smoothed(pre.model, pre.noise, 10, device="cpu")
    compiled = Smoothed(pre.model, pre.noise, 10, device="cpu", compile="default")
    a = eager.sample_votes(
        x, 700, batch_size=256, generator=torch.Generator().manual_seed(0)
    )  # batches 256, 256, 188 (padded)
    b = compiled.sample_votes(x, 700, batch_size=256, generator=torch.Generator().manual_seed(0))
    assert b.shape == (700,)
    assert (a != b).float().mean() < 0.01
    with pytest.raises(ValueError, match="compile must be one of"):
        Smoothed(pre.model, pre.noise, 10, device="cpu", compile="fast")

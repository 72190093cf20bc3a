"""Reduced precision: how many votes change against fp32 on a shipped model (issue: floating-point soundness)."""
import pytest
import torch

from rslib import data, models
from rslib.smooth import Smoothed


def test_bf16_votes_mostly_agree_with_fp32_and_bad_precision_is_named():
    pre = models.load_pretrained("fmnist-gaussian-0.25", device="cpu")
    test_set = data.fashion_mnist("test")
    fp32 = Smoothed(pre.model, pre.noise, 10, device="cpu")
    bf16 = Smoothed(pre.model, pre.noise, 10, device="cpu", precision="bf16")
    changed = total = 0
    for i in range(0, 2000, 200):
        x = test_set[i][0]
        a = fp32.sample_votes(x, 1000, 500, torch.Generator().manual_seed(i))
        b = bf16.sample_votes(x, 1000, 500, torch.Generator().manual_seed(i))
        changed += int((a != b).sum())
        total += a.numel()
    assert changed / total < 0.02  # measured: a fraction of a percent of the votes
    with pytest.raises(ValueError, match="precision must be one of fp32, bf16, fp16"):
        Smoothed(pre.model, pre.noise, 10, device="cpu", precision="int8")

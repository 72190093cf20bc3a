"""Smoothing distributions: each draws batched perturbed copies of an input on the input's device.

One class per distribution (after rs4a's `noises.py`). A noise knows how to `sample` perturbed copies,
which norm its certificate is stated in (`norm`), and how to turn a lower bound on p_A into a radius
(`radius`). Random numbers come from an optional `torch.Generator` so certificates are reproducible.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from rslib import _checks, radii


class Gaussian:
    """Isotropic Gaussian noise N(0, sigma^2 I) (Cohen et al. 2019); certifies the l2 norm."""

    norm = "l2"

    def __init__(self, sigma: float):
        self.sigma = _checks.positive("sigma", sigma)

    def sample(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """x + eps with eps ~ N(0, sigma^2 I), elementwise over the batch `x`."""
        eps = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        return eps.mul_(self.sigma).add_(x)  # in place: one buffer per batch

    def radius(self, p_a, p_b=None) -> np.ndarray:
        """Certified l2 radius for a lower bound p_a (and optionally an upper bound p_b): `radii.gaussian_l2`."""
        return radii.gaussian_l2(p_a, self.sigma, p_b)

    def radius_topk(self, p_l, p_others, k: int, input_shape) -> np.ndarray:
        """l2 radius keeping a label in the top k: `radii.gaussian_topk_l2` (Jia et al. 2020)."""
        return radii.gaussian_topk_l2(p_l, p_others, self.sigma, k)

    def in_channels(self, channels: int) -> int:
        return channels

    def params(self) -> dict:
        return {"noise": "gaussian", "sigma": self.sigma}

    def __repr__(self) -> str:
        return f"Gaussian(sigma={self.sigma:g})"


class Laplace:
    """I.i.d. Laplace noise with density exp(-|z|/scale) / (2 scale) per coordinate; certifies the l1 norm.

    Its variance is 2 scale^2, so equal variance to Gaussian sigma means scale = sigma / sqrt(2).
    """

    norm = "l1"

    def __init__(self, scale: float):
        self.scale = _checks.positive("scale", scale)

    @classmethod
    def matching_variance(cls, sigma: float) -> "Laplace":
        """The Laplace noise with the variance of N(0, sigma^2): scale = sigma / sqrt(2)."""
        return cls(_checks.positive("sigma", sigma) / math.sqrt(2.0))

    def sample(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """x + scale * sign(c) * (-log(1 - 2|c|)) with c = U - 1/2, U ~ Uniform[0, 1): the inverse CDF of the
        standard Laplace, from one uniform per coordinate (a third of the cost of two exponentials).

        U = 0 would give an infinite draw; it is mapped to the largest magnitude the uniform grid reaches,
        -log(eps / 2) (16.6 in float32: a tail event of probability ~6e-8 per coordinate). Computed in place
        in two buffers: without a tuned allocator, fresh temporaries made this step 10x slower on a CPU."""
        c = torch.empty_like(x).uniform_(generator=generator).sub_(0.5)
        largest = -float(np.log(torch.finfo(x.dtype).eps / 2))
        signed_scale = torch.sign(c).mul_(-self.scale)  # -scale sign(c), times log1p(-2|c|) <= 0 below
        return c.abs_().mul_(-2.0).log1p_().clamp_min_(-largest).mul_(signed_scale).add_(x)

    def radius(self, p_a, p_b=None) -> np.ndarray:
        """Certified l1 radius: `radii.laplace_l1`."""
        return radii.laplace_l1(p_a, self.scale, p_b)

    def in_channels(self, channels: int) -> int:
        return channels

    def params(self) -> dict:
        return {"noise": "laplace", "scale": self.scale}

    def __repr__(self) -> str:
        return f"Laplace(scale={self.scale:g})"


class Ablation:
    """Randomized ablation (Levine & Feizi 2020; Jia et al. 2022): keep `keep` random pixels, ablate the rest.

    A pixel is kept or ablated with all its channels. So that "ablated" is distinguishable from every
    pixel value, an input with C channels in [0, 1] becomes 2C channels: (x, 1 - x) where kept, (0, 0)
    where ablated. Certifies the l0 norm (number of changed pixels).
    """

    norm = "l0"

    def __init__(self, keep: int):
        self.keep = _checks.count("keep", keep, minimum=1)

    def sample(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Ablated, encoded copies of the batch `x` of shape (B, C, H, W): output shape (B, 2C, H, W)."""
        if x.dim() != 4:
            raise ValueError(f"x must have shape (batch, channels, height, width), got {tuple(x.shape)}")
        b, _, h, w = x.shape
        d = h * w
        if self.keep > d:
            raise ValueError(f"keep must be at most the number of pixels d={d}, got keep={self.keep}")
        kept = torch.zeros((b, d), device=x.device, dtype=x.dtype)
        kept.scatter_(1, self.kept_pixels(b, d, generator, x.device), 1.0)
        single = x[:1] if x.stride(0) == 0 else x  # one input repeated (an expanded view): encode it once
        return torch.cat([single, 1.0 - single], dim=1) * kept.view(b, 1, h, w)

    def kept_pixels(self, b: int, d: int, generator=None, device="cpu") -> torch.Tensor:
        """Indices (b, keep) of b independent uniformly random keep-subsets of range(d).

        Uniforms are float64: torch's float32 uniforms lie on a grid of width w = 2^-24. Neighbouring order
        statistics of d uniforms are about 1/d apart, so the keep-th and (keep+1)-th largest share a grid
        value with probability about d w / 2: d 2^-25 of the rows (1.5e-3 for d = 224^2), and a top-k would
        settle the tie by position, biasing the subsets. float64 uniforms (w = 2^-53) tie in about d 2^-54.
        On the CPU with keep <= 64, Floyd's algorithm (keep draws per row) is faster than sorting d scores.
        """
        device = torch.device(device)
        if device.type != "cpu" or self.keep > 64:
            scores = torch.rand((b, d), generator=generator, device=device, dtype=torch.float64)
            return scores.topk(self.keep, dim=1, sorted=False).indices
        uniforms = torch.rand((b, self.keep), generator=generator, dtype=torch.float64)
        chosen = torch.empty((b, self.keep), dtype=torch.long)
        for i, j in enumerate(range(d - self.keep, d)):  # Floyd: a uniform t in [0, j], or j itself if t is taken
            t = (uniforms[:, i] * (j + 1)).long().clamp_max_(j)
            chosen[:, i] = torch.where((chosen[:, :i] == t[:, None]).any(dim=1), j, t)
        return chosen

    def in_channels(self, channels: int) -> int:
        return 2 * channels

    def radius_topk(self, p_l, p_others, k: int, input_shape) -> np.ndarray:
        """Pixels an attacker may change while the label stays in the top k: `radii.ablation_l0` with
        d = height * width of the input (a pixel is all its channels)."""
        return radii.ablation_l0(p_l, p_others, int(np.prod(input_shape[-2:])), self.keep, k)

    def params(self) -> dict:
        return {"noise": "ablation", "keep": self.keep}

    def __repr__(self) -> str:
        return f"Ablation(keep={self.keep})"


def from_params(params: dict):
    """Rebuild a noise from `params()` output (as stored in a model card or results file)."""
    kind = params.get("noise")
    if kind == "gaussian":
        return Gaussian(params["sigma"])
    if kind == "laplace":
        return Laplace(params["scale"])
    if kind == "ablation":
        return Ablation(params["keep"])
    raise ValueError(f"noise must be one of 'gaussian', 'laplace', 'ablation', got {kind!r}")

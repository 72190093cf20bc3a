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
        """x + eps with eps ~ N(0, sigma^2 I), elementwise over the batch `x`.

        Box-Muller in float64 (`gaussian_from_uniforms`) from three uniforms per pair of coordinates, cast to
        x's dtype. torch.randn in float32 takes its Box-Muller radius sqrt(-2 log u) from a 24-bit uniform
        u on a CPU (32-bit with CUDA), so |eps| never exceeds 5.8 sigma (6.7 sigma): the sampled law lacks
        a tail of mass 2^-24 = 6e-8 per pair of coordinates (~0.4% of the samples of an ImageNet-size
        input), while the certificate assumes the exact Gaussian. Here the radius reaches 12.1 sigma:
        the missing tail has mass 2^-106 per pair, so over n samples of a d-dimensional input the sampled
        law differs from the assumed one only on an event of probability <= n d 2^-106, nothing beside
        alpha; elsewhere each draw is its exact value (see `fine_uniforms`) up to float32 rounding.
        Costs about 5x torch.randn's float32 sampling on a CPU, small beside the model's forward pass.
        """
        rows, row_size = _rows(x)
        u = _row_uniforms(rows, 3, (row_size + 1) // 2, generator, x.device)  # a pair of coordinates per triple
        eps = gaussian_from_uniforms(u[:, 0], u[:, 1], u[:, 2])[:, :row_size]
        return eps.mul_(self.sigma).to(x.dtype).reshape(x.shape).add_(x)

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
        """x + scale * z with z standard Laplace (`laplace_from_uniforms`), computed in float64 from two
        uniforms per coordinate and cast to x's dtype.

        The inverse CDF of one float32 uniform u (on a grid of 2^-24) reached only -log(2^-23) = 15.9
        scales (16.6 for u = 0, which had to be clamped), and was coarse near there: the sampled law
        lacked a tail of mass ~6e-8 per coordinate (~0.9% of the samples of an ImageNet-size input), while
        the certificate assumes the exact Laplace law. Here |z| reaches 105 log 2 = 72.8: the missing tail
        has mass 2^-105 per coordinate, so over n samples of a d-dimensional input the sampled law differs
        from the assumed one only on an event of probability <= n d 2^-105, nothing beside alpha; elsewhere
        each draw is its exact value (see `fine_uniforms`) up to float32 rounding. Costs about twice the
        float32 sampler on a CPU, small beside the model's forward pass.
        """
        rows, row_size = _rows(x)
        u = _row_uniforms(rows, 2, row_size, generator, x.device)
        return laplace_from_uniforms(u[:, 0], u[:, 1]).mul_(self.scale).to(x.dtype).reshape(x.shape).add_(x)

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
        On the CPU with keep <= 64, Floyd's algorithm (keep draws per row) is faster than sorting d scores;
        its index floor(u (j + 1)) from a float64 u gives each of the j + 1 values a probability within
        2^-53 of 1 / (j + 1), a total variation of at most keep d 2^-54 per row (1.4e-10 for d = 224^2,
        keep = 50). Either way the subsets' law differs from the uniform law the certificate assumes only
        on an event of probability <= n d 2^-54 over n samples (keep d 2^-54 per sample with Floyd), which
        adds at most that to the certificate's error probability alpha: 3e-7 for n = 10^5, d = 224^2 (Floyd:
        1.4e-5, still small beside alpha = 10^-3). There is no tail: every pixel is kept or ablated exactly.
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


def _rows(x: torch.Tensor) -> tuple[int, int]:
    """(copies, coordinates per copy) of a batch x of shape (B, ...); a 0-d or 1-d x is one copy."""
    rows = x.shape[0] if x.dim() > 1 else 1
    return rows, (x.numel() // rows if rows else 0)


def _row_uniforms(rows: int, k: int, size: int, generator, device) -> torch.Tensor:
    """float64 uniforms on [0, 1) of shape (rows, k, size), each row's k * size consecutive in the stream:
    a draw of b + c rows is then a draw of b rows followed by one of c, so the engine's batch size (it
    draws at most batch_size copies at a time) changes no sample."""
    return torch.rand((rows, k, size), generator=generator, device=device, dtype=torch.float64)


def fine_uniforms(coarse: torch.Tensor, fine: torch.Tensor, cell: float = 2.0 ** -53) -> torch.Tensor:
    """Uniforms on (0, 1] on a grid of 2^-106 near 0, from two float64 uniforms on [0, 1): coarse on a grid
    of width `cell` (2^-53 for torch.rand's float64), fine on 2^-53.

    w = coarse + (1 - fine) cell: coarse picks the cell, fine the point in it; w never rounds to 0 or
    above 1. Take w* a continuous uniform in w's grid cell (width g = 2^-53 cell): then E = -log(w) is an
    exact Exp(1) draw E* = -log(w*) to within g / w + 2^-53, that is to a relative 2^-24 (float32
    resolution) wherever 2^-29 < E* < 56, to an absolute 2^-52 below, and coarser only where w < 2^-82
    (mass 2^-82); it reaches -log(cell 2^-53) (73.5 for cell = 2^-53). A single float64 uniform would stop
    at 36.7 and be coarse above ~20 (cells log(1 + 1/k) wide near its k-th grid point). Overwrites its
    arguments.
    """
    return fine.neg_().add_(1.0).mul_(cell).add_(coarse)


def laplace_from_uniforms(coarse: torch.Tensor, fine: torch.Tensor) -> torch.Tensor:
    """Standard Laplace draws (density exp(-|z|) / 2) from two float64 uniforms on [0, 1) each.

    The sign is coarse >= 1/2; the magnitude is -log(w), an exact Exp(1) draw by inversion, with w =
    `fine_uniforms` of (2 coarse mod 1, fine): 2 coarse mod 1 is exact and uniform on a grid of 2^-52,
    independent of the sign, so w has a grid of 2^-105 near 0 and |z| reaches 105 log 2 = 72.8.
    Overwrites its arguments.
    """
    negative = coarse >= 0.5
    magnitude = fine_uniforms(coarse.mul_(2.0).sub_(negative.double()), fine, cell=2.0 ** -52).log_().neg_()
    return torch.where(negative, -magnitude, magnitude)


def gaussian_from_uniforms(coarse: torch.Tensor, fine: torch.Tensor, angle: torch.Tensor) -> torch.Tensor:
    """Pairs of independent standard normal draws from triples of float64 uniforms on [0, 1) (Box-Muller).

    The radius is sqrt(2 E) with E = -log(w) ~ Exp(1), w = `fine_uniforms`(coarse, fine), so it reaches
    sqrt(2 * 106 log 2) = 12.1; the angle is 2 pi * angle. Returns the r cos values, then the r sin
    values, along the last axis (twice its length). Overwrites its arguments.
    """
    radius = fine_uniforms(coarse, fine).log_().mul_(-2.0).sqrt_()
    theta = angle.mul_(2.0 * math.pi)
    return torch.cat([radius * torch.cos(theta), radius.mul_(theta.sin_())], dim=-1)


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

"""Exact-law noise draws from float64 uniforms: the Gaussian and Laplace samplers' building blocks.

The samplers draw float64 uniforms in rows (one row per perturbed copy), so that a draw of b + c copies
is a draw of b followed by one of c: the engine's batch size changes no sample.
"""

from __future__ import annotations

import math

import torch

__all__ = ["fine_uniforms", "laplace_from_uniforms", "gaussian_from_uniforms", "grid_uniforms", "grid_indices"]


def rows(x: torch.Tensor) -> tuple[int, int]:
    """(copies, coordinates per copy) of a batch x of shape (B, ...); a 0-d or 1-d x is one copy."""
    copies = x.shape[0] if x.dim() > 1 else 1
    return copies, (x.numel() // copies if copies else 0)


def row_uniforms(
    copies: int, k: int, size: int, generator: torch.Generator | None, device: torch.device
) -> torch.Tensor:
    """float64 uniforms on [0, 1) of shape (copies, k, size), each copy's k * size consecutive in the stream:
    a draw of b + c copies is then a draw of b copies followed by one of c, so the engine's batch size (it
    draws at most batch_size copies at a time) changes no sample."""
    return torch.rand((copies, k, size), generator=generator, device=device, dtype=torch.float64)


def fine_uniforms(coarse: torch.Tensor, fine: torch.Tensor, cell: float = 2.0**-53) -> torch.Tensor:
    """Uniforms on (0, 1] on a grid of 2^-106 near 0, from two float64 uniforms on [0, 1): coarse on a grid
    of width `cell` (2^-53 for torch.rand's float64), fine on 2^-53.

    w = coarse + (1 - fine) cell: coarse picks the cell, fine the point in it; w never rounds to 0 or
    above 1. Take w* a continuous uniform in w's grid cell (width g = 2^-53 cell): then E = -log(w) is an
    exact Exp(1) draw E* = -log(w*) to within g / w + 2^-53, that is to a relative 2^-24 (float32
    resolution) wherever 2^-29 < E* < 56, to an absolute 2^-52 below, and coarser only where w < 2^-82
    (mass 2^-82); it reaches -log(cell 2^-53) (73.5 for cell = 2^-53). A single float64 uniform would stop
    at 36.7 and be coarse above ~20 (cells log(1 + 1/k) wide near its k-th grid point). Overwrites its
    arguments.

    Parameters
    ----------
    coarse, fine : torch.Tensor
        float64 uniforms on [0, 1), of one shape (coarse on a grid of width `cell`).
    cell : float, default 2**-53
        The width of coarse's grid.

    Returns
    -------
    torch.Tensor
        w = coarse + (1 - fine) cell, in (0, 1] (fine's storage).
    """
    return fine.neg_().add_(1.0).mul_(cell).add_(coarse)


def laplace_from_uniforms(coarse: torch.Tensor, fine: torch.Tensor) -> torch.Tensor:
    """Standard Laplace draws (density ``exp(-|z|)`` / 2) from two float64 uniforms on [0, 1) each.

    The sign is coarse >= 1/2; the magnitude is -log(w), an exact Exp(1) draw by inversion, with w =
    `fine_uniforms` of (2 coarse mod 1, fine): 2 coarse mod 1 is exact and uniform on a grid of 2^-52,
    independent of the sign, so w has a grid of 2^-105 near 0 and ``|z|`` reaches 105 log 2 = 72.8.
    Overwrites its arguments.

    Parameters
    ----------
    coarse, fine : torch.Tensor
        float64 uniforms on [0, 1), of one shape.

    Returns
    -------
    torch.Tensor
        One standard Laplace draw per element, float64.
    """
    negative = coarse >= 0.5
    magnitude = fine_uniforms(coarse.mul_(2.0).sub_(negative.double()), fine, cell=2.0**-52).log_().neg_()
    return torch.where(negative, -magnitude, magnitude)


def gaussian_from_uniforms(coarse: torch.Tensor, fine: torch.Tensor, angle: torch.Tensor) -> torch.Tensor:
    """Pairs of independent standard normal draws from triples of float64 uniforms on [0, 1) (Box-Muller).

    The radius is sqrt(2 E) with E = -log(w) ~ Exp(1), w = fine_uniforms(coarse, fine), so it reaches
    sqrt(2 * 106 log 2) = 12.1; the angle is 2 pi * angle. Returns the r cos values, then the r sin
    values, along the last axis (twice its length). Overwrites its arguments.

    Parameters
    ----------
    coarse, fine, angle : torch.Tensor
        float64 uniforms on [0, 1), of one shape.

    Returns
    -------
    torch.Tensor
        Two standard normal draws per triple: the last axis twice as long, float64.

    References
    ----------
    G. E. P. Box, M. E. Muller. A note on the generation of random normal deviates. The Annals of Mathematical
    Statistics 29(2), 1958.
    """
    radius = fine_uniforms(coarse, fine).log_().mul_(-2.0).sqrt_()
    theta = angle.mul_(2.0 * math.pi)
    return torch.cat([radius * torch.cos(theta), radius.mul_(theta.sin_())], dim=-1)


def grid_uniforms(copies: int, size: int, generator: torch.Generator | None, device: torch.device) -> torch.Tensor:
    """Uniform integers in [0, 2^63) of shape (copies, size), from fair bits only: two draws in [0, 2^32) per
    coordinate (exact: torch reduces its 64-bit draws modulo a power of two), the first shifted right by one.
    Drawn row by row in one call, so a draw of b + c copies is a draw of b copies followed by one of c."""
    halves = torch.randint(0, 2**32, (copies, 2, size), generator=generator, device=device, dtype=torch.int64)
    return (halves[:, 0] >> 1) * 2**32 + halves[:, 1]


def grid_indices(uniforms: torch.Tensor, thresholds: torch.Tensor, j_min: int) -> torch.Tensor:
    """J = j_min + #{thresholds <= u} for each uniform integer u (`rslib.theory.floating_point`): an integer
    draw from the rounded Gaussian whose thresholds are given, with no floating-point arithmetic."""
    return torch.searchsorted(thresholds, uniforms, right=True).add_(j_min)

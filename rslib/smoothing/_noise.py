"""Smoothing distributions: one class per noise (after rs4a's noises), all sharing the `Noise` interface.

A noise draws batched perturbed copies of an input on the input's device (`sample`), knows the norm its
certificates are stated in, and turns probability bounds into a radius with the certificates of
`rslib.certificates` that it supports (`radius`, and `radius_topk` for the top-k certificates).
"""

from __future__ import annotations

import abc
import math
from typing import ClassVar

import numpy as np
import torch
from numpy.typing import ArrayLike

from rslib import _checks
from rslib import certificates as certs
from rslib.certificates import FAMILIES, NoiseFamily
from rslib.smoothing._sampling import (
    gaussian_from_uniforms,
    grid_indices,
    grid_uniforms,
    laplace_from_uniforms,
    row_uniforms,
    rows,
)
from rslib.theory import floating_point

__all__ = ["Noise", "Gaussian", "Laplace", "Ablation", "NOISES", "from_params"]


class Noise(abc.ABC):
    """The interface of a smoothing distribution.

    Subclasses set `family` (its name, norm and parameter in `rslib.certificates.FAMILIES`), `certificates`
    (the names in `rslib.certificates.REGISTRY` it supports for the top class, the first one the default)
    and `topk_certificate` (None when it has none), and implement `sample`.

    Parameters
    ----------
    level : float or int
        The noise's parameter (sigma, scale or keep), checked by the subclass.
    """

    family: ClassVar[NoiseFamily]
    certificates: ClassVar[tuple[str, ...]]
    topk_certificate: ClassVar[str | None] = None

    @abc.abstractmethod
    def __init__(self, level: float) -> None:
        """Build the noise from its parameter (sigma, scale or keep), checked."""

    @property
    def norm(self) -> str:
        """The norm of its certificates: "l2", "l1" or "l0"."""
        return self.family.norm

    @property
    def level(self) -> float | int:
        """The noise's parameter (sigma, scale or keep)."""
        return getattr(self, self.family.parameter)

    @abc.abstractmethod
    def sample(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Perturbed copies of the batch `x`, drawn on x's device from `generator`.

        Parameters
        ----------
        x : torch.Tensor, shape (B, ...)
            The copies to perturb (often one input expanded).
        generator : torch.Generator, optional
            The source of randomness (torch's default generator when None).

        Returns
        -------
        torch.Tensor
            One perturbed copy per row of x, what the base model takes.
        """

    def _levels(self, input_shape) -> dict:
        return {self.family.parameter: self.level}

    def radius(
        self,
        p_a: ArrayLike,
        p_b: ArrayLike | None = None,
        *,
        certificate: str | None = None,
        input_shape: tuple[int, ...] | None = None,
    ) -> np.number | np.ndarray:
        """The certified radius of the top class from its probability bounds, by one of the noise's certificates.

        Parameters
        ----------
        p_a : float or array_like
            Lower bound on the top class's probability.
        p_b : float or array_like, optional
            Upper bound on every other class's probability; None: 1 - p_a.
        certificate : str, optional
            A name of `certificates` (keyword-only; default: the first).
        input_shape : tuple of int, optional
            One input's shape (keyword-only): ablation counts its pixels, the sound Gaussian its coordinates.

        Returns
        -------
        numpy scalar or numpy.ndarray
            The radius in the noise's norm, ``NOT_CERTIFIED`` (-1) where nothing is certified.

        Raises
        ------
        NotImplementedError
            For a certificate this noise does not support, naming those it does.
        """
        name = self.certificates[0] if certificate is None else certificate
        if name not in self.certificates:
            raise NotImplementedError(
                f"{type(self).__name__} noise supports the certificates "
                f"{', '.join(self.certificates)}; got certificate={name!r}"
            )
        return certs.REGISTRY[name].radius(p_a, p_b, **self._levels(input_shape))

    def radius_topk(
        self, p_a: ArrayLike, p_b: ArrayLike, *, k: int, input_shape: tuple[int, ...] | None = None
    ) -> np.number | np.ndarray:
        """The certified radius keeping a label among the top k (Jia et al. 2020).

        Parameters
        ----------
        p_a : float or array_like
            Lower bound on the label's probability.
        p_b : array_like
            Upper bounds on every other class's probability, along the last axis.
        k : int
            The label stays among the k most likely classes (keyword-only).
        input_shape : tuple of int, optional
            One input's shape (keyword-only), as in `radius`.

        Returns
        -------
        numpy scalar or numpy.ndarray
            The radius in the noise's norm, ``NOT_CERTIFIED`` (-1) where nothing is certified.

        Raises
        ------
        NotImplementedError
            For a noise without a top-k certificate.
        """
        if self.topk_certificate is None:
            having = [cls.__name__ for cls in NOISES.values() if cls.topk_certificate is not None]
            raise NotImplementedError(
                f"{type(self).__name__} noise has no top-k certificate; {' and '.join(having)} noise have one"
            )
        return certs.REGISTRY[self.topk_certificate].function(p_a, p_b, k=k, **self._levels(input_shape))

    def in_channels(self, channels: int) -> int:
        """Channels of a perturbed copy of an input, what the base model takes.

        Parameters
        ----------
        channels : int
            The input's channels.

        Returns
        -------
        int
            The same number, except for ablation (twice as many).
        """
        return channels

    def params(self) -> dict:
        """The noise as saved in model cards and results files.

        Returns
        -------
        dict
            ``{"noise": name, parameter: level}`` (the sound Gaussian adds ``"sound": True``).
        """
        return {"noise": self.family.name, self.family.parameter: self.level}

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self.level == other.level

    def __hash__(self) -> int:
        return hash((type(self), self.level))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.family.parameter}={self.level:g})"


class Gaussian(Noise):
    """Isotropic Gaussian noise N(0, sigma^2 I) (Cohen et al. 2019); certifies the l2 norm.

    Parameters
    ----------
    sigma : float
        Standard deviation, in (0, 1e100].
    sound : bool, default False
        Sample on the input grid (Voracek & Hein 2023): inputs must be 8-bit images (every value k / 255),
        the noise of each coordinate is an integer J drawn from the Gaussian rounded to the grid by comparing
        fair random bits with integer thresholds (`rslib.theory.floating_point.rounded_gaussian_table`), and
        the network sees (k + J) / 255, formed from the integer sum. The votes are then exactly those of the
        base classifier f o (round to the grid) under the continuous Gaussian, whatever f does with the bits
        of its input, so Cohen et al.'s theorem holds for every real perturbation; the floating-point
        sampler's own law is not the theorem's, and a classifier can exploit that (see
        `rslib.theory.floating_point.counterexample`). What remains, the thresholds' total variation
        distance to the exact law (about 1e-11 per coordinate), is `slack`: it is subtracted from p_A (and
        added to p_B) before any radius, and to the threshold of `certify_at_radius`. Covers the vote-based
        certificates (`Smoothed.certify`, `certify_topk`, `certify_at_radius`, `certify_adaptive`).
    """

    family = FAMILIES["gaussian"]
    certificates = ("gaussian_l2", "renyi_l2", "pixeldp_l2", "gaussian_l2_margin", "soft_margin_l2", "gaussian_l1")
    topk_certificate = "gaussian_topk_l2"
    GRID = 255
    """The sound sampler works on the grid of inputs k / GRID, k = 0, 1, ..., GRID (8-bit images)."""

    def __init__(self, sigma: float, *, sound: bool = False) -> None:
        self.sigma = _checks.positive("sigma", sigma)
        if not isinstance(sound, bool):
            raise TypeError(f"sound must be True or False, got {sound!r}")
        self.sound = sound
        self._table = floating_point.rounded_gaussian_table(self.sigma, step=1.0 / self.GRID) if sound else None
        self._thresholds: dict[torch.device, torch.Tensor] = {}

    def sample(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """x + eps with eps ~ N(0, sigma^2 I), elementwise over the batch `x` (sound: see the class).

        Box-Muller in float64 (`gaussian_from_uniforms`) from three uniforms per pair of coordinates, cast to
        x's dtype. torch.randn in float32 takes its Box-Muller radius sqrt(-2 log u) from a 24-bit uniform
        u on a CPU (32-bit with CUDA), so ``|eps|`` never exceeds 5.8 sigma (6.7 sigma): the sampled law lacks
        a tail of mass 2^-24 = 6e-8 per pair of coordinates (~0.4% of the samples of an ImageNet-size
        input), while the certificate assumes the exact Gaussian. Here the radius reaches 12.1 sigma:
        the missing tail has mass 2^-106 per pair, so over n samples of a d-dimensional input the sampled
        law differs from the assumed one only on an event of probability <= n d 2^-106, nothing beside
        alpha; elsewhere each draw is its exact value (see `fine_uniforms`) up to float32 rounding.
        Costs about 5x torch.randn's float32 sampling on a CPU, small beside the model's forward pass.

        Parameters
        ----------
        x : torch.Tensor, shape (B, ...)
            The copies to perturb; for sound=True on the grid k / 255.
        generator : torch.Generator, optional
            The source of randomness.

        Returns
        -------
        torch.Tensor
            x's shape and dtype.

        Raises
        ------
        ValueError
            For sound=True, if a value of x lies off the grid.

        References
        ----------
        G. E. P. Box, M. E. Muller. A note on the generation of random normal deviates. The Annals of
        Mathematical Statistics 29(2), 1958.
        V. Voracek, M. Hein. Sound randomized smoothing in floating-point arithmetic. ICLR 2023 (sound=True).
        """
        if self.sound:
            return self._sample_on_grid(x, generator)
        copies, size = rows(x)
        u = row_uniforms(copies, 3, (size + 1) // 2, generator, x.device)  # a pair of coordinates per triple
        eps = gaussian_from_uniforms(u[:, 0], u[:, 1], u[:, 2])[:, :size]
        return eps.mul_(self.sigma).to(x.dtype).reshape(x.shape).add_(x)

    def _sample_on_grid(self, x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        scaled = x.double() * self.GRID
        levels = scaled.round()
        if (scaled - levels).abs().max() > 1e-3:
            raise ValueError(
                f"x must lie on the grid of 1/{self.GRID} (8-bit images) for Gaussian(sound=True), got a value "
                f"{float(x.flatten()[int((scaled - levels).abs().argmax())]):.6g} off it"
            )
        assert self._table is not None
        if x.device not in self._thresholds:
            self._thresholds[x.device] = torch.as_tensor(self._table.thresholds, device=x.device)
        copies, size = rows(x)
        uniforms = grid_uniforms(copies, size, generator, x.device)
        jumps = grid_indices(uniforms, self._thresholds[x.device], self._table.j_min).reshape(x.shape)
        return (levels.long() + jumps).double().div_(self.GRID).to(x.dtype)  # from the integer sum only

    def slack(self, input_shape: tuple[int, ...] | None) -> float:
        """The sampler's total variation distance to the law the certificates assume, for one input.

        Parameters
        ----------
        input_shape : tuple of int or None
            One input's shape, d coordinates (needed for sound=True only).

        Returns
        -------
        float
            0 for the float64 sampler (its tail gap is counted in `sample`'s docstring); for sound=True, d times
            the per-coordinate bound of the thresholds (`rslib.theory.floating_point.rounded_gaussian_table`).

        Raises
        ------
        ValueError
            For sound=True without input_shape.
        """
        if not self.sound:
            return 0.0
        if input_shape is None:
            raise ValueError(
                "input_shape must give one input's shape for Gaussian(sound=True): its slack grows with the"
                " number of coordinates"
            )
        assert self._table is not None
        return int(np.prod(tuple(input_shape))) * self._table.tv_bound

    def _widened(self, p_a, p_b, input_shape):
        slack = self.slack(input_shape)
        p_a = np.maximum(_checks.round_down(np.asarray(p_a, dtype=float) - slack), 0.0)
        return p_a, None if p_b is None else np.minimum(_checks.round_up(np.asarray(p_b, dtype=float) + slack), 1.0)

    def radius(
        self,
        p_a: ArrayLike,
        p_b: ArrayLike | None = None,
        *,
        certificate: str | None = None,
        input_shape: tuple[int, ...] | None = None,
    ) -> np.number | np.ndarray:
        if self.sound:  # the bounds hold for the sampler's law: widen them by its distance to the Gaussian
            p_a, p_b = self._widened(p_a, p_b, input_shape)
        return super().radius(p_a, p_b, certificate=certificate, input_shape=input_shape)

    radius.__doc__ = Noise.radius.__doc__

    def radius_topk(
        self, p_a: ArrayLike, p_b: ArrayLike, *, k: int, input_shape: tuple[int, ...] | None = None
    ) -> np.number | np.ndarray:
        if self.sound:
            p_a, p_b = self._widened(p_a, p_b, input_shape)
        return super().radius_topk(p_a, p_b, k=k, input_shape=input_shape)

    radius_topk.__doc__ = Noise.radius_topk.__doc__

    def params(self) -> dict:
        return {**super().params(), "sound": True} if self.sound else super().params()

    params.__doc__ = Noise.params.__doc__

    def __eq__(self, other) -> bool:
        return super().__eq__(other) and self.sound == other.sound

    def __hash__(self) -> int:
        return hash((type(self), self.level, self.sound))

    def __repr__(self) -> str:
        return f"Gaussian(sigma={self.sigma:g}, sound=True)" if self.sound else super().__repr__()


class Laplace(Noise):
    """I.i.d. Laplace noise with density ``exp(-|z|/scale)`` / (2 scale) per coordinate; certifies the l1 norm.

    Its variance is 2 scale^2, so equal variance to Gaussian sigma means scale = sigma / sqrt(2)
    (`matching_variance`).

    Parameters
    ----------
    scale : float
        Scale, in (0, 1e100].
    """

    family = FAMILIES["laplace"]
    certificates = ("laplace_l1", "lecuyer_l1", "renyi_l1")

    def __init__(self, scale: float) -> None:
        self.scale = _checks.positive("scale", scale)

    @classmethod
    def matching_variance(cls, sigma: float) -> Laplace:
        """The Laplace noise with the variance of N(0, sigma^2): scale = sigma / sqrt(2).

        Parameters
        ----------
        sigma : float
            The Gaussian's standard deviation, in (0, 1e100].

        Returns
        -------
        Laplace
        """
        return cls(_checks.positive("sigma", sigma) / math.sqrt(2.0))

    def sample(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """x + scale * z with z standard Laplace (`laplace_from_uniforms`), computed in float64 from two
        uniforms per coordinate and cast to x's dtype.

        The inverse CDF of one float32 uniform u (on a grid of 2^-24) reached only -log(2^-23) = 15.9
        scales (16.6 for u = 0, which had to be clamped), and was coarse near there: the sampled law
        lacked a tail of mass ~6e-8 per coordinate (~0.9% of the samples of an ImageNet-size input), while
        the certificate assumes the exact Laplace law. Here ``|z|`` reaches 105 log 2 = 72.8: the missing tail
        has mass 2^-105 per coordinate, so over n samples of a d-dimensional input the sampled law differs
        from the assumed one only on an event of probability <= n d 2^-105, nothing beside alpha; elsewhere
        each draw is its exact value (see `fine_uniforms`) up to float32 rounding. Costs about twice the
        float32 sampler on a CPU, small beside the model's forward pass.

        Parameters
        ----------
        x : torch.Tensor, shape (B, ...)
            The copies to perturb.
        generator : torch.Generator, optional
            The source of randomness.

        Returns
        -------
        torch.Tensor
            x's shape and dtype.
        """
        copies, size = rows(x)
        u = row_uniforms(copies, 2, size, generator, x.device)
        return laplace_from_uniforms(u[:, 0], u[:, 1]).mul_(self.scale).to(x.dtype).reshape(x.shape).add_(x)


class Ablation(Noise):
    """Randomized ablation (Levine & Feizi 2020; Jia et al. 2022): keep `keep` random pixels, ablate the rest.

    A pixel is kept or ablated with all its channels. So that "ablated" is distinguishable from every
    pixel value, an input with C channels in [0, 1] becomes 2C channels: (x, 1 - x) where kept, (0, 0)
    where ablated. Certifies the l0 norm (number of changed pixels); its certificates need the number
    of pixels d, read from `input_shape` (the last two axes).

    Parameters
    ----------
    keep : int
        Pixels kept, >= 1.
    """

    family = FAMILIES["ablation"]
    certificates = ("ablation_l0", "levine_feizi_l0")
    topk_certificate = "ablation_l0"

    def __init__(self, keep: int) -> None:
        self.keep = _checks.count("keep", keep, minimum=1)

    def _levels(self, input_shape) -> dict:
        if input_shape is None or len(input_shape) < 2:
            raise ValueError(
                f"input_shape must give one input's shape (channels, height, width) for an ablation "
                f"certificate (d = height * width pixels), got {input_shape!r}"
            )
        return {"d": int(np.prod(tuple(input_shape)[-2:])), "keep": self.keep}

    def sample(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Ablated, encoded copies of the batch `x`.

        Parameters
        ----------
        x : torch.Tensor, shape (B, C, H, W)
            The copies to ablate.
        generator : torch.Generator, optional
            The source of randomness.

        Returns
        -------
        torch.Tensor, shape (B, 2C, H, W)
            (x, 1 - x) on the kept pixels, (0, 0) elsewhere.

        Raises
        ------
        ValueError
            If x is not 4-dimensional or keep exceeds its pixels.
        """
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

    def kept_pixels(
        self, b: int, d: int, generator: torch.Generator | None = None, device: str | torch.device = "cpu"
    ) -> torch.Tensor:
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

        Parameters
        ----------
        b : int
            Subsets to draw.
        d : int
            Pixels to choose from.
        generator : torch.Generator, optional
            The source of randomness.
        device : str or torch.device, default "cpu"
            Where the indices are drawn.

        Returns
        -------
        torch.Tensor, shape (b, keep)
            Pixel indices, each row distinct.

        References
        ----------
        J. Bentley, B. Floyd. Programming pearls: a sample of brilliance. Communications of the ACM 30(9), 1987.
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

    in_channels.__doc__ = Noise.in_channels.__doc__


NOISES: dict[str, type[Noise]] = {"gaussian": Gaussian, "laplace": Laplace, "ablation": Ablation}
"""The noises by the name their saved parameters carry."""


def from_params(params: dict) -> Noise:
    """Rebuild a noise from `Noise.params()` output (as stored in a model card or results file).

    Parameters
    ----------
    params : dict
        ``{"noise": name, parameter: level}``, and ``"sound": true`` for the sound Gaussian.

    Returns
    -------
    Noise

    Raises
    ------
    ValueError
        Naming the problem (see `rslib.certificates.family_from_params`), or a "sound" that is not a boolean.
    """
    family, level = certs.family_from_params(params)
    if family.name == "gaussian" and params.get("sound", False) is not False:
        if params["sound"] is not True:
            raise ValueError(f"sound must be true or false, got {params['sound']!r}")
        return Gaussian(level, sound=True)
    return NOISES[family.name](level)

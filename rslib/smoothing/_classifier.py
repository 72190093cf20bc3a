"""The smoothed classifier g(x) = argmax_c P(f(x + eps) = c) (Cohen et al. 2019: PREDICT and CERTIFY)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import torch
from scipy.stats import binomtest

from rslib import _checks
from rslib.smoothing._device import generator as seeded_generator
from rslib.smoothing._noise import Noise
from rslib.smoothing._runner import Runner
from rslib.smoothing._votes import (
    ABSTAIN,
    BOUND_KINDS,
    Certificate,
    TopKCertificate,
    certificate_from_counts,
    randomization_seed,
    topk_from_counts,
)

__all__ = ["Smoothed"]


class Smoothed:
    """A base classifier smoothed by a noise: predict with a test, certify with confidence bounds.

    Parameters
    ----------
    model : torch.nn.Module
        The base classifier f: a batch of perturbed inputs (B, ...) to logits (B, num_classes). Logits must be
        finite: a NaN or infinite one raises `NonFiniteLogitsError` (a ValueError) on every route.
    noise : rslib.smoothing.Noise
        `Gaussian`, `Laplace` or `Ablation`.
    num_classes : int
        >= 2.
    device : torch.device or str, optional
        Where the model runs and the noise is drawn (default: the GPU if there is one, else the CPU).
    input_shape : tuple, optional
        When given, every input must have exactly this shape (no batch dimension); without it, an input
        the model cannot take is refused at its first batch. Inputs are cast to the model's floating dtype.
    channels_last : bool, default True
        NHWC layout for 4-D inputs (faster convolutions; changes no vote).
    precision : {"fp32", "bf16", "fp16"}, default "fp32"
        Reduced precision can change some votes; the certificate is then exact for the smoothed version of
        the classifier actually evaluated, not of the fp32 one.
    compile : {None, "default", "reduce-overhead", "max-autotune"}
        `torch.compile` mode; as with reduced precision, fused kernels may change a vote near a tie, and
        the certificate is then for the compiled model.

    References
    ----------
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """

    def __init__(
        self,
        model: torch.nn.Module,
        noise: Noise,
        num_classes: int,
        *,
        device: torch.device | str | None = None,
        input_shape: tuple | None = None,
        channels_last: bool = True,
        precision: str = "fp32",
        compile: str | None = None,
    ) -> None:
        self.num_classes = _checks.count("num_classes", num_classes, minimum=2)
        if not isinstance(noise, Noise):
            raise TypeError(f"noise must be an rslib.smoothing.Noise (Gaussian, Laplace or Ablation), got {noise!r}")
        self.noise = noise
        self.runner = Runner(model, noise, self.num_classes, device, input_shape, channels_last, precision, compile)

    @property
    def model(self) -> torch.nn.Module:
        """The base classifier, in eval mode on `device` (in channels-last layout when chosen)."""
        return self.runner.model

    @property
    def device(self) -> torch.device:
        """Where the model runs and the noise is drawn."""
        return self.runner.device

    def generator(self, seed: int) -> torch.Generator:
        """A generator on this classifier's device, seeded: every sampling method draws its noise from one.

        Parameters
        ----------
        seed : int
            In [0, 2**63 - 1].

        Returns
        -------
        torch.Generator
        """
        return seeded_generator(seed, self.device)

    def predict(self, x: torch.Tensor, n: int, alpha: float, *, batch_size: int = 1000, seed: int = 0) -> int:
        """The smoothed prediction at x, or ``ABSTAIN`` (Cohen et al.'s PREDICT).

        Draws n samples and returns the top class when a two-sided binomial test rejects "the top two classes
        are equally likely" at level alpha, so that a returned class differs from g(x) with probability at
        most alpha.

        Parameters
        ----------
        x : torch.Tensor
            One input, without a batch dimension (e.g. (C, H, W)), floating point.
        n : int
            Number of samples, >= 1.
        alpha : float
            Error level, in (0, 1).
        batch_size : int, default 1000
            Perturbed copies per forward pass (keyword-only); changes no sample.
        seed : int, default 0
            Seed of the noise (keyword-only), in [0, 2**63 - 1].

        Returns
        -------
        int
            The predicted class, or ``ABSTAIN`` (-1).

        Raises
        ------
        NonFiniteLogitsError
            If the model returns a NaN or infinite logit.
        ValueError
            If x is not finite, does not have `input_shape`, or the model cannot take it.

        References
        ----------
        J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
        """
        n = _checks.count("n", n)
        alpha = _checks.level("alpha", alpha)
        counts = self.sample_counts(x, n, batch_size=batch_size, generator=self.generator(seed)).cpu().numpy()
        top2 = np.argsort(counts)[::-1][:2]
        count_a, count_b = int(counts[top2[0]]), int(counts[top2[1]])
        if binomtest(count_a, count_a + count_b, 0.5).pvalue > alpha:
            return ABSTAIN
        return int(top2[0])

    def certify(
        self,
        x: torch.Tensor,
        n0: int,
        n: int,
        alpha: float,
        *,
        batch_size: int = 1000,
        seed: int = 0,
        bound: str = "binary",
    ) -> Certificate:
        """Certify x (Cohen et al.'s CERTIFY): the top class of n0 samples, its probability bounded from n fresh
        samples, turned into a radius by the noise's certificate (`certificate_from_counts`).

        With probability >= 1 - alpha over the sampling, a returned label equals g(x) and g is constant on
        the ball of the returned radius around x. Abstains when p_A <= p_B. For ablation the radius is the
        top-1 l0 certificate (pixels). With ``bound="randomized"`` the uniform U of randomized Clopper-Pearson is
        drawn from the seed ``randomization_seed(seed)``, which the certificate records with U.

        Parameters
        ----------
        x : torch.Tensor
            One input, without a batch dimension, floating point.
        n0 : int
            Samples that select the top class, >= 1.
        n : int
            Samples that bound its probability, >= 1.
        alpha : float
            Error level, in (0, 1).
        batch_size : int, default 1000
            Perturbed copies per forward pass (keyword-only); changes no sample.
        seed : int, default 0
            Seed of the noise (keyword-only), in [0, 2**63 - 1].
        bound : {"binary", "simultaneous", "randomized"}, default "binary"
            How the class probabilities are bounded (keyword-only; see `certificate_from_counts`).

        Returns
        -------
        Certificate
            The label (or ``ABSTAIN``), the radius in the noise's norm (``NOT_CERTIFIED`` when abstaining), the
            bounds and the votes.

        Raises
        ------
        NonFiniteLogitsError
            If the model returns a NaN or infinite logit.
        ValueError
            If x is not finite, does not have `input_shape`, or the model cannot take it; or an argument is
            out of its range.

        References
        ----------
        J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
        """
        return self.certify_many([x], n0, n, alpha, batch_size=batch_size, seeds=[seed], bound=bound)[0]

    def certify_many(
        self,
        xs: Iterable[torch.Tensor],
        n0: int,
        n: int,
        alpha: float,
        *,
        batch_size: int = 1000,
        seeds: Sequence[int] | None = None,
        bound: str = "binary",
    ) -> list[Certificate]:
        """`certify` each input of xs, their samples packed into shared batches so that every batch is full.

        Input i's noise comes from its own generator, seeded by seeds[i], in the same draws as
        ``certify(xs[i], seed=seeds[i])`` makes: packing changes which inputs share a forward pass, not any
        input's samples (so no vote, except through floating-point effects of the batch size).

        Parameters
        ----------
        xs : iterable of torch.Tensor
            Inputs of one shape, without a batch dimension.
        n0, n, alpha
            As in `certify`.
        batch_size : int, default 1000
            Perturbed copies per forward pass (keyword-only).
        seeds : sequence of int, optional
            One seed per input (keyword-only); default: 0, 1, 2, ...
        bound : {"binary", "simultaneous", "randomized"}, default "binary"
            As in `certify` (keyword-only).

        Returns
        -------
        list of Certificate
            One per input, in order.

        Raises
        ------
        ValueError
            If bound is unknown, the number of seeds differs from that of inputs, or the inputs differ in
            shape; and as `certify`.
        """
        if bound not in BOUND_KINDS:
            raise ValueError(f"bound must be 'binary', 'simultaneous' or 'randomized', got {bound!r}")
        n0, n = _checks.count("n0", n0), _checks.count("n", n)
        alpha = _checks.level("alpha", alpha)
        xs = list(xs)  # a generator is read once
        seeds = list(range(len(xs))) if seeds is None else list(seeds)
        if len(seeds) != len(xs):
            raise ValueError(f"seeds must have one seed per input ({len(xs)}), got {len(seeds)}")
        generators = [self.generator(s) for s in seeds]
        segments = [(i, n0) for i in range(len(xs))] + [(i, n) for i in range(len(xs))]
        counts = self.runner.segment_counts(xs, segments, batch_size, generators).cpu().numpy()  # one host sync
        shape = tuple(xs[0].shape) if len(xs) else ()
        return [
            certificate_from_counts(
                counts[i],
                counts[len(xs) + i],
                alpha=alpha,
                noise=self.noise,
                bound=bound,
                input_shape=shape,
                u_seed=randomization_seed(seeds[i]) if bound == "randomized" else None,
            )
            for i in range(len(xs))
        ]

    def certify_topk(
        self, x: torch.Tensor, n: int, alpha: float, *, k: int = 1, batch_size: int = 1000, seed: int = 0
    ) -> TopKCertificate:
        """Top-k certificates of every label from n samples (Jia et al. 2020; 2022): see `topk_from_counts`.

        Parameters
        ----------
        x : torch.Tensor
            One input, without a batch dimension.
        n : int
            Number of samples, >= 1.
        alpha : float
            Error level, in (0, 1): each label's radius holds with probability >= 1 - alpha.
        k : int, default 1
            A label is certified to stay among the k most likely classes, 1 <= k < num_classes (keyword-only).
        batch_size : int, default 1000
            Perturbed copies per forward pass (keyword-only).
        seed : int, default 0
            Seed of the noise (keyword-only).

        Returns
        -------
        TopKCertificate

        Raises
        ------
        NotImplementedError
            For a noise without a top-k certificate (Laplace).

        References
        ----------
        J. Jia, X. Cao, B. Wang, N. Z. Gong. Certified robustness for top-k predictions against adversarial
        perturbations via randomized smoothing. ICLR 2020.
        J. Jia, B. Wang, X. Cao, H. Liu, N. Z. Gong. Almost tight L0-norm certified robustness of top-k
        predictions against adversarial perturbations. ICLR 2022.
        """
        n = _checks.count("n", n)
        if self.noise.topk_certificate is None:
            self.noise.radius_topk(0.5, 0.5, k=1)  # raises NotImplementedError, naming the noises that have one
        counts = self.sample_counts(x, n, batch_size=batch_size, generator=self.generator(seed)).cpu().numpy()
        return topk_from_counts(counts, alpha=alpha, k=k, noise=self.noise, input_shape=tuple(x.shape))

    def sample_counts(
        self, x: torch.Tensor, n: int, *, batch_size: int = 1000, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Votes per class of the base classifier on n perturbed copies of x.

        Parameters
        ----------
        x : torch.Tensor
            One input, without a batch dimension.
        n : int
            Number of copies, >= 1.
        batch_size : int, default 1000
            Copies per forward pass (keyword-only).
        generator : torch.Generator, optional
            Source of the noise, on the device (keyword-only); None: torch's global generator.

        Returns
        -------
        torch.Tensor of int64, shape (num_classes,)
            On the device.
        """
        return self.runner.segment_counts([x], [(0, n)], batch_size, [generator])[0]

    def sample_votes(
        self, x: torch.Tensor, n: int, *, batch_size: int = 1000, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """The base classifier's label on each of n perturbed copies of x, in sampling order.

        Parameters
        ----------
        x, n, batch_size, generator
            As in `sample_counts`.

        Returns
        -------
        torch.Tensor of int64, shape (n,)
            On the device.
        """
        return torch.cat(
            [logits.argmax(dim=1) for logits, _ in self.runner.batches([x], [(0, n)], batch_size, [generator])]
        )

    def sample_scores(
        self, x: torch.Tensor, n: int, *, batch_size: int = 1000, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Softmax scores of the base classifier on n perturbed copies of x (for soft smoothing).

        Parameters
        ----------
        x, n, batch_size, generator
            As in `sample_counts`.

        Returns
        -------
        torch.Tensor of float32, shape (n, num_classes)
            On the device.
        """
        return torch.cat(
            [logits.float().softmax(dim=1) for logits, _ in self.runner.batches([x], [(0, n)], batch_size, [generator])]
        )

    def __repr__(self) -> str:
        return f"Smoothed({type(self.model).__name__}, {self.noise!r}, num_classes={self.num_classes}, device={self.device})"

"""The smoothed classifier g(x) = argmax_c P(f(x + eps) = c) and its Monte Carlo engine.

Follows Cohen et al. (2019), Algorithm "PREDICT" and "CERTIFY": a first, small sample selects the top
class, an independent second sample bounds its probability from below (Clopper-Pearson), and the noise
turns that bound into a radius. Sampling and counting stay on the model's device: noise is drawn there,
votes are counted with `torch.bincount`, and the host reads the counts once per input.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import binomtest

from rslib import _checks, bounds
from rslib.device import default_device

ABSTAIN = -1
SEED_MAX = 2**63 - 1  # torch takes seeds below 2**64; results files keep them as signed 64-bit integers


def check_seed(seed) -> int:
    """A seed for `torch.Generator.manual_seed`: an integer in [0, 2**63 - 1] (a bool is not a seed)."""
    message = f"seed must be an integer in [0, 2**63 - 1], got {seed!r}"
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(message)
    if not 0 <= seed <= SEED_MAX:
        raise ValueError(message)
    return int(seed)


def _fields_equal(a, b) -> bool:
    """Whether two dataclass instances of one type hold equal fields, arrays compared elementwise (the
    generated __eq__ compares an ndarray field with ==, whose truth value is ambiguous)."""
    if type(a) is not type(b):
        return NotImplemented
    return all(np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y
               for x, y in zip(vars(a).values(), vars(b).values()))


@dataclass(frozen=True, eq=False)
class Certificate:
    """The outcome of `Smoothed.certify` for one input. Certificates compare equal when every field is
    equal (the vote counts elementwise)."""

    label: int  # the certified class, or ABSTAIN
    radius: float  # certified radius in the noise's norm (0.0 when abstaining)
    p_a: float  # lower confidence bound on the selected class's probability
    p_b: float  # upper confidence bound on every other class's probability (1 - p_a for bound="binary")
    count_a: int  # votes for the selected class in the estimation sample
    counts: np.ndarray  # votes per class in the estimation sample
    norm: str

    @property
    def abstained(self) -> bool:
        return self.label == ABSTAIN

    __eq__ = _fields_equal


@dataclass(frozen=True, eq=False)
class TopKCertificate:
    """The outcome of `Smoothed.certify_topk`: a certified radius for every label (-1: not certified).

    Each label's radius holds with probability >= 1 - alpha; all of them at once with >= 1 - 2 alpha.
    """

    radii: np.ndarray  # (num_classes,), in the noise's norm; -1 (l0) or 0 (l2) where not certified
    counts: np.ndarray
    k: int
    norm: str

    def labels(self, radius=0) -> list[int]:
        """Labels certified to stay in the top k against every perturbation of size <= radius."""
        return [int(c) for c in np.nonzero(self.radii >= max(radius, 0) if self.norm == "l0" else self.radii > radius)[0]]

    __eq__ = _fields_equal


class Smoothed:
    """A base classifier `model` smoothed by `noise` (e.g. `rslib.noise.Gaussian(0.5)`).

    model: maps a batch of perturbed inputs (B, ...) to logits (B, num_classes). Logits must be finite: a NaN
    or infinite one raises `rslib._checks.NonFiniteLogitsError` (a ValueError) in every route that votes or
    averages scores (predict, certify, certify_many, certify_topk, soft, sequential and fixed-n runs).
    input_shape: when given, every input must have exactly this shape (no batch dimension); without it, an
    input the model cannot take is refused at its first batch. Inputs are cast to the model's floating dtype.
    channels_last: NHWC layout for 4-D inputs (faster convolutions; changes no vote).
    precision: "fp32", or "bf16" / "fp16" to run the model under autocast. Reduced precision can change
    some votes; the certificate is then exact for the smoothed version of the reduced-precision classifier
    (the base classifier actually evaluated), not of the fp32 one.
    compile: None (eager), or a `torch.compile` mode: "default", "reduce-overhead" (CUDA graphs on a GPU),
    "max-autotune". The graph is compiled once for `batch_size` (the last, partial batch of an input is
    padded to it and the padding's logits dropped). Fused kernels round differently from eager ones, so,
    as with reduced precision, a vote near a tie can change; the certificate is then for the compiled model.
    """

    def __init__(self, model: torch.nn.Module, noise, num_classes: int, device=None,
                 input_shape: tuple | None = None, channels_last: bool = True, precision: str = "fp32",
                 compile: str | None = None):
        self.num_classes = _checks.count("num_classes", num_classes, minimum=2)
        if not (hasattr(noise, "sample") and hasattr(noise, "norm")
                and (hasattr(noise, "radius") or hasattr(noise, "radius_topk"))):
            raise TypeError("noise must be one of rslib.noise (Gaussian, Laplace, Ablation) or an object with "
                            f"sample, norm and radius or radius_topk, got {noise!r}")
        self.noise = noise
        self.device = torch.device(device) if device is not None else default_device()
        self.channels_last = channels_last
        dtypes = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}
        if precision not in dtypes:
            raise ValueError(f"precision must be one of {', '.join(dtypes)}, got {precision!r}")
        self.autocast_dtype = dtypes[precision]
        self.input_shape = tuple(input_shape) if input_shape is not None else None
        memory_format = torch.channels_last if channels_last else torch.preserve_format
        self.model = model.to(self.device, memory_format=memory_format).eval()
        # Inputs are cast to the model's floating dtype (float64 or half input to a float32 model would fail
        # in its first layer); a model without floating parameters or buffers gets torch's default dtype.
        floating = [t.dtype for t in (*self.model.parameters(), *self.model.buffers()) if t.is_floating_point()]
        self.input_dtype = floating[0] if floating else torch.get_default_dtype()
        modes = (None, "default", "reduce-overhead", "max-autotune")
        if compile not in modes:
            raise ValueError(f"compile must be one of {modes}, got {compile!r}")
        self.compiled = None if compile is None else torch.compile(self.model, mode=compile, dynamic=False)

    def predict(self, x: torch.Tensor, n: int, alpha: float, batch_size: int = 1000, seed: int = 0) -> int:
        """The smoothed prediction at x, or ABSTAIN.

        Draws n samples; returns the top class when a two-sided binomial test rejects "top two classes
        equally likely" at level alpha, so a returned class differs from g(x) with probability <= alpha.
        """
        n = _checks.count("n", n)
        alpha = _checks.level("alpha", alpha)
        counts = self.sample_counts(x, n, batch_size, self._generator(seed)).cpu().numpy()
        top2 = np.argsort(counts)[::-1][:2]
        count_a, count_b = int(counts[top2[0]]), int(counts[top2[1]])
        if binomtest(count_a, count_a + count_b, 0.5).pvalue > alpha:
            return ABSTAIN
        return int(top2[0])

    def certify(self, x: torch.Tensor, n0: int, n: int, alpha: float, batch_size: int = 1000,
                seed: int = 0, bound: str = "binary") -> Certificate:
        """Certify x: the top class of n0 samples, its probability bounded below from n fresh samples.

        bound="binary": a one-sided Clopper-Pearson lower bound p_A at level alpha, and p_B = 1 - p_A
        (Cohen et al.); bound="simultaneous": Clopper-Pearson bounds at level alpha / num_classes for
        every class, p_A the selected class's lower bound and p_B the largest upper bound of the others
        (needed by certificates that use p_B, e.g. the Laplace Theorem 1 or the Renyi bound).
        With probability >= 1 - alpha over the sampling, a returned label equals g(x) and g is constant
        on the ball of the returned radius around x. Abstains when p_A < p_B.
        For ablation (a top-k noise) it is the top-1 certificate of `certify_topk` for the selected class,
        with p_B as the runner-up's bound: an l0 radius in pixels, abstaining where even 0 pixels fail.
        """
        return self.certify_many([x], n0, n, alpha, batch_size, seeds=[seed], bound=bound)[0]

    def certify_many(self, xs, n0: int, n: int, alpha: float, batch_size: int = 1000, seeds=None,
                     bound: str = "binary") -> list[Certificate]:
        """`certify` each input of xs (an iterable of tensors of one shape), their samples packed into shared
        batches so that every batch is full (the n0 selection samples of one input are a tenth of a batch or
        less). Input i's noise comes from its own generator, seeded by seeds[i] (default: i), in the same
        draws as `certify(xs[i], seed=seeds[i])` makes: packing changes which inputs share a forward pass,
        not any input's samples, and so no vote except through floating-point effects of the batch size
        (the same as changing `batch_size`).
        """
        if bound not in ("binary", "simultaneous"):
            raise ValueError(f"bound must be 'binary' or 'simultaneous', got {bound!r}")
        n0 = _checks.count("n0", n0)
        n = _checks.count("n", n)
        alpha = _checks.level("alpha", alpha)
        xs = list(xs)  # a generator is read once
        seeds = list(range(len(xs))) if seeds is None else list(seeds)
        if len(seeds) != len(xs):
            raise ValueError(f"seeds must have one seed per input ({len(xs)}), got {len(seeds)}")
        generators = [self._generator(s) for s in seeds]
        segments = [(i, n0) for i in range(len(xs))] + [(i, n) for i in range(len(xs))]
        counts = self._segment_counts(xs, segments, batch_size, generators).cpu().numpy()  # the one host sync
        shape = tuple(xs[0].shape) if len(xs) else ()
        return [self._certificate(counts[i], counts[len(xs) + i], alpha, bound, shape) for i in range(len(xs))]

    def _certificate(self, selection: np.ndarray, estimation: np.ndarray, alpha: float, bound: str,
                     input_shape: tuple) -> Certificate:
        """The certificate of the class selected by `selection`, bounded with the votes `estimation`."""
        n = int(estimation.sum())
        label = int(selection.argmax())
        count_a = int(estimation[label])
        if bound == "binary":
            p_a = float(bounds.clopper_pearson(count_a, n, alpha, side="lower"))
            p_b = 1.0 - p_a
        else:
            lower, upper = bounds.simultaneous_clopper_pearson(estimation, alpha)
            p_a, p_b = float(lower[label]), float(np.delete(upper, label).max())
        abstain = Certificate(ABSTAIN, 0.0, p_a, p_b, count_a, estimation, self.noise.norm)
        if p_a <= p_b:  # the theorems need p_A > p_B strictly: a tie certifies nothing, not even x itself
            return abstain
        if not hasattr(self.noise, "radius"):  # a top-k noise: its top-1 radius, -1 where nothing is certified
            radius = float(self.noise.radius_topk(p_a, [[p_b]], 1, input_shape)[0])
            return abstain if radius < 0 else Certificate(label, radius, p_a, p_b, count_a, estimation, self.noise.norm)
        radius = float(self.noise.radius(p_a) if bound == "binary" else self.noise.radius(p_a, p_b))
        if not radius > 0:  # an l1/l2 ball of radius 0 is empty: abstain rather than return it
            return abstain
        return Certificate(label, radius, p_a, p_b, count_a, estimation, self.noise.norm)

    def certify_topk(self, x: torch.Tensor, n: int, alpha: float, k: int = 1, batch_size: int = 1000,
                     seed: int = 0) -> TopKCertificate:
        """Top-k certification (Jia et al. 2020; 2022): n samples, SimuEM bounds (Clopper-Pearson at level
        alpha / num_classes for every class), and for each label l the radius of the noise's top-k
        certificate with l's lower bound against the others' upper bounds.
        """
        n = _checks.count("n", n)
        if not hasattr(self.noise, "radius_topk"):
            raise TypeError(f"certify_topk needs a noise with a top-k certificate (Gaussian or Ablation), "
                            f"got {self.noise!r}")
        counts = self.sample_counts(x, n, batch_size, self._generator(seed)).cpu().numpy()
        return self.topk_from_counts(counts, alpha, k, tuple(x.shape))

    def topk_from_counts(self, counts: np.ndarray, alpha: float, k: int, input_shape: tuple) -> TopKCertificate:
        """The top-k certificate of `certify_topk` from votes already drawn (several k share one sample)."""
        alpha = _checks.level("alpha", alpha)
        k = _checks.count("k", k)
        if k >= self.num_classes:
            raise ValueError(f"k must be smaller than num_classes={self.num_classes}, got k={k}")
        lower, upper = bounds.simultaneous_clopper_pearson(counts, alpha)
        others = np.stack([np.delete(upper, c) for c in range(self.num_classes)])
        radii = np.asarray(self.noise.radius_topk(lower, others, k, input_shape))
        return TopKCertificate(radii, counts, k, self.noise.norm)

    def sample_counts(self, x: torch.Tensor, n: int, batch_size: int,
                      generator: torch.Generator | None = None) -> torch.Tensor:
        """Votes per class of the base classifier on n perturbed copies of x (a tensor on the device)."""
        return self._segment_counts([x], [(0, n)], batch_size, [generator])[0]

    def sample_votes(self, x: torch.Tensor, n: int, batch_size: int,
                     generator: torch.Generator | None = None) -> torch.Tensor:
        """The base classifier's label on each of n perturbed copies of x, in sampling order (on the device)."""
        return torch.cat([logits.argmax(dim=1) for logits, _ in self._batches([x], [(0, n)], batch_size, [generator])])

    def sample_scores(self, x: torch.Tensor, n: int, batch_size: int,
                      generator: torch.Generator | None = None) -> torch.Tensor:
        """Softmax scores (n, num_classes) of the base classifier on n perturbed copies (soft smoothing)."""
        return torch.cat([logits.float().softmax(dim=1)
                          for logits, _ in self._batches([x], [(0, n)], batch_size, [generator])])

    def _segment_counts(self, xs, segments, batch_size, generators) -> torch.Tensor:
        """Votes per class of each segment (i, size): size perturbed copies of xs[i] (see `_batches`), as a
        (len(segments), num_classes) tensor on the device."""
        counts = torch.zeros(len(segments) * self.num_classes, dtype=torch.long, device=self.device)
        for logits, segment in self._batches(xs, segments, batch_size, generators):
            votes = segment * self.num_classes + logits.argmax(dim=1)
            counts.index_add_(0, votes, torch.ones_like(votes))  # unlike CUDA bincount, no host sync
        return counts.view(len(segments), self.num_classes)

    def _batches(self, xs, segments, batch_size, generators):
        """Logits of the perturbed copies of `segments`, in order, in batches of batch_size (the last may be
        smaller), each with the segment index of its rows (see `_unchecked_batches`).

        Raises `rslib._checks.NonFiniteLogitsError` after the last batch if any logit was NaN or infinite:
        an all-NaN row has argmax 0, so a broken model, or an input such as 3e38 that is finite but
        overflows a layer, would otherwise vote for class 0 on every copy and be certified. The count of
        bad logits stays on the device and is read once per call, as the votes are: a check per batch
        would stall the device once per batch. Every caller consumes all batches before it returns.
        """
        nonfinite, total = torch.zeros((), dtype=torch.long, device=self.device), 0
        for logits, segment in self._unchecked_batches(xs, segments, batch_size, generators):
            nonfinite += logits.numel() - torch.isfinite(logits).sum()
            total += logits.numel()
            yield logits, segment
        bad = int(nonfinite)
        if bad:
            raise _checks.NonFiniteLogitsError(
                f"the model's logits must be finite, got {bad} NaN or infinite value(s) of {total}"
                " (check the model and that the input lies in the range it was trained on)")

    def _unchecked_batches(self, xs, segments, batch_size, generators):
        """The batches of `_batches`, without the check of their logits.

        Segment (i, size) is size copies of xs[i], its noise drawn from generators[i] in draws of at most
        batch_size copies: an input's noise depends on its generator and segments only, never on the inputs
        that share its batches. Draws are queued and cut into full batches; the noise never leaves the device.
        """
        xs = [self._check_input(x) for x in xs]
        if len({tuple(x.shape) for x in xs}) > 1:
            raise ValueError(f"inputs certified together must have one shape, got {sorted({tuple(x.shape) for x in xs})}")
        batch_size = _checks.count("batch_size", batch_size)
        queue, queued = [], 0  # [noisy copies, segment index] not yet forwarded
        with torch.inference_mode():
            for s, (i, size) in enumerate(segments):
                remaining = _checks.count("n", size)
                while remaining > 0:
                    draw = min(batch_size, remaining)
                    queue.append([self.noise.sample(xs[i].unsqueeze(0).expand(draw, *xs[i].shape), generators[i]), s])
                    queued, remaining = queued + draw, remaining - draw
                    while queued >= batch_size:
                        yield self._forward_queue(queue, batch_size)
                        queued -= batch_size
            if queued:
                yield self._forward_queue(queue, queued, batch_size)

    def _forward_queue(self, queue: list, size: int, batch_size: int | None = None):
        """Forward the first `size` queued copies (removing them from `queue`): (logits, segment per row)."""
        parts, segments = [], []
        while size > 0:
            noisy, s = queue[0]
            take = min(size, noisy.shape[0])
            parts.append(noisy[:take])
            segments.append((s, take))
            if take == noisy.shape[0]:
                queue.pop(0)
            else:
                queue[0][0] = noisy[take:]
            size -= take
        batch = parts[0] if len(parts) == 1 else torch.cat(parts)
        if self.channels_last and batch.dim() == 4:
            batch = batch.contiguous(memory_format=torch.channels_last)
        logits = self._forward(batch, batch_size or batch.shape[0])
        if logits.shape != (batch.shape[0], self.num_classes):
            raise ValueError(f"the model returned logits of shape {tuple(logits.shape)}; expected "
                             f"({batch.shape[0]}, num_classes={self.num_classes})")
        segment = torch.cat([torch.full((t,), s, dtype=torch.long, device=self.device) for s, t in segments])
        return logits, segment

    def _forward(self, batch: torch.Tensor, batch_size: int) -> torch.Tensor:
        """The base classifier's logits on a batch, under the chosen precision and compilation."""
        size, model = batch.shape[0], self.model if self.compiled is None else self.compiled
        if self.compiled is not None and size < batch_size:  # one compiled shape: pad, then drop the padding
            batch = torch.cat([batch, batch[:1].expand(batch_size - size, *batch.shape[1:])])
        try:
            if self.autocast_dtype is None:
                return model(batch)[:size]
            with torch.autocast(self.device.type, dtype=self.autocast_dtype):
                return model(batch)[:size]
        except torch.OutOfMemoryError:
            raise
        except RuntimeError as exc:  # without input_shape, a wrong shape shows first as the model's own error
            raise ValueError(f"the model cannot take inputs of shape {tuple(batch.shape[1:])} (a batch of shape "
                             f"{tuple(batch.shape)}): {type(exc).__name__}: {exc}; give x the shape of one input, "
                             "without the batch dimension (input_shape= checks it before sampling)") from exc

    def _generator(self, seed: int) -> torch.Generator:
        return torch.Generator(device=self.device).manual_seed(check_seed(seed))

    def _check_input(self, x) -> torch.Tensor:
        if not isinstance(x, torch.Tensor) or not x.is_floating_point():
            raise TypeError(f"x must be a floating-point torch.Tensor, got {type(x).__name__}")
        if self.input_shape is not None and tuple(x.shape) != self.input_shape:
            raise ValueError(f"x must have shape {self.input_shape} (one input, no batch dimension), "
                             f"got {tuple(x.shape)}")
        if x.dim() == 0:
            raise ValueError("x must have at least one dimension (one input, no batch dimension), got a 0-d tensor")
        if x.numel() == 0:
            raise ValueError(f"x must not be empty, got shape {tuple(x.shape)}")
        if not torch.isfinite(x).all():
            raise ValueError("x must be finite (it contains NaN or inf)")
        return x.to(self.device, self.input_dtype)

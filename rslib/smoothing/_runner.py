"""Running the base classifier on perturbed copies: batching, precision, compilation, and the checks of its
inputs and logits. `rslib.smoothing.Smoothed` decides what to sample; this module only runs it fast.

Sampling and counting stay on the model's device: noise is drawn there, votes are counted with
`index_add_`, and the host reads the counts once per call.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import torch

from rslib import _checks
from rslib.smoothing._device import default_device

if TYPE_CHECKING:
    from rslib.smoothing._noise import Noise

__all__ = ["Runner", "PRECISIONS", "COMPILE_MODES"]

PRECISIONS = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}
COMPILE_MODES = (None, "default", "reduce-overhead", "max-autotune")


class Runner:
    """The base classifier `model` on `device`, run in batches on the perturbed copies a noise draws.

    Parameters
    ----------
    model : torch.nn.Module
        Maps a batch (B, ...) to logits (B, num_classes); put in eval mode on `device`.
    noise : rslib.smoothing.Noise
        Draws the perturbed copies.
    num_classes : int
        Number of classes, the model's logits per input.
    device : torch.device or str, optional
        Default: `default_device()`.
    input_shape : tuple, optional
        When given, every input must have exactly this shape (no batch dimension).
    channels_last : bool, default True
        NHWC layout for 4-D batches (faster convolutions; changes no vote).
    precision : {"fp32", "bf16", "fp16"}, default "fp32"
        Autocast precision of the model.
    compile : {None, "default", "reduce-overhead", "max-autotune"}
        `torch.compile` mode; the graph is compiled for one batch size and the last, partial batch of an
        input is padded to it (the padding's logits dropped).
    """

    def __init__(
        self,
        model: torch.nn.Module,
        noise: Noise,
        num_classes: int,
        device: torch.device | str | None = None,
        input_shape: tuple | None = None,
        channels_last: bool = True,
        precision: str = "fp32",
        compile: str | None = None,
    ) -> None:
        self.noise = noise
        self.num_classes = num_classes
        self.device = torch.device(device) if device is not None else default_device()
        self.channels_last = channels_last
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
        self.autocast_dtype = PRECISIONS[precision]
        self.input_shape = tuple(input_shape) if input_shape is not None else None
        memory_format = torch.channels_last if channels_last else torch.preserve_format
        self.model = model.to(self.device).to(memory_format=memory_format).eval()
        # Inputs are cast to the model's floating dtype (float64 or half input to a float32 model would fail
        # in its first layer); a model without floating parameters or buffers gets torch's default dtype.
        floating = [t.dtype for t in (*self.model.parameters(), *self.model.buffers()) if t.is_floating_point()]
        self.input_dtype = floating[0] if floating else torch.get_default_dtype()
        if compile not in COMPILE_MODES:
            raise ValueError(f"compile must be one of {COMPILE_MODES}, got {compile!r}")
        self.compiled = None if compile is None else torch.compile(self.model, mode=compile, dynamic=False)

    def segment_counts(
        self,
        xs: Sequence[torch.Tensor],
        segments: Sequence[tuple[int, int]],
        batch_size: int,
        generators: Sequence[torch.Generator | None],
    ) -> torch.Tensor:
        """Votes per class of each segment: segment (i, size) is size perturbed copies of xs[i].

        Parameters
        ----------
        xs : sequence of torch.Tensor
            The inputs, of one shape, without a batch dimension.
        segments : sequence of (int, int)
            (input index, number of copies), in the order their noise is drawn.
        batch_size : int
            Copies per forward pass.
        generators : sequence of torch.Generator or None
            generators[i] draws the noise of input i.

        Returns
        -------
        torch.Tensor of int64, shape (len(segments), num_classes)
            On the device.
        """
        counts = torch.zeros(len(segments) * self.num_classes, dtype=torch.long, device=self.device)
        for logits, segment in self.batches(xs, segments, batch_size, generators):
            votes = segment * self.num_classes + logits.argmax(dim=1)
            counts.index_add_(0, votes, torch.ones_like(votes))  # unlike CUDA bincount, no host sync
        return counts.view(len(segments), self.num_classes)

    def batches(
        self,
        xs: Sequence[torch.Tensor],
        segments: Sequence[tuple[int, int]],
        batch_size: int,
        generators: Sequence[torch.Generator | None],
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Logits of the perturbed copies of `segments`, in order, in batches of batch_size (the last may be smaller).

        An input's noise depends on its generator and segments only, never on the inputs that share its
        batches: draws of at most batch_size copies are queued and cut into full batches, and the noise never
        leaves the device.

        After the last batch, raises `NonFiniteLogitsError` if any logit was NaN or infinite: an all-NaN row has
        argmax 0, so a broken model, or an input such as 3e38 that is finite but overflows a layer, would
        otherwise vote for class 0 on every copy and be certified. The count of bad logits stays on the device
        and is read once per call, as the votes are: a check per batch would stall the device once per batch.
        Every caller consumes all batches before it returns.

        Parameters
        ----------
        xs, segments, batch_size, generators
            As in `segment_counts`.

        Yields
        ------
        tuple of torch.Tensor
            (logits (B, num_classes), the segment index of each row (B,)).

        Raises
        ------
        NonFiniteLogitsError
            After the last batch, if any logit was NaN or infinite.
        ValueError
            If an input is refused (`check_input`), the inputs differ in shape, or the model cannot take them.
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
                " (check the model and that the input lies in the range it was trained on)"
            )

    def _unchecked_batches(self, xs, segments, batch_size, generators):
        """The batches of `batches`, without the check of their logits.

        Segment (i, size) is size copies of xs[i], its noise drawn from generators[i] in draws of at most
        batch_size copies: an input's noise depends on its generator and segments only, never on the inputs
        that share its batches. Draws are queued and cut into full batches; the noise never leaves the device.
        """
        xs = [self.check_input(x) for x in xs]
        if len({tuple(x.shape) for x in xs}) > 1:
            raise ValueError(
                f"inputs certified together must have one shape, got {sorted({tuple(x.shape) for x in xs})}"
            )
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
            raise ValueError(
                f"the model returned logits of shape {tuple(logits.shape)}; expected "
                f"({batch.shape[0]}, num_classes={self.num_classes})"
            )
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
            raise ValueError(
                f"the model cannot take inputs of shape {tuple(batch.shape[1:])} (a batch of shape "
                f"{tuple(batch.shape)}): {type(exc).__name__}: {exc}; give x the shape of one input, "
                "without the batch dimension (input_shape= checks it before sampling)"
            ) from exc

    def check_input(self, x: object) -> torch.Tensor:
        """One input, checked and moved to the device in the model's floating dtype.

        Parameters
        ----------
        x : torch.Tensor
            One input, without a batch dimension.

        Returns
        -------
        torch.Tensor
            x on the device, cast to the model's floating dtype.

        Raises
        ------
        TypeError
            If x is not a floating-point tensor.
        ValueError
            If x does not have `input_shape`, is 0-d or empty, or holds NaN or inf.
        """
        if not isinstance(x, torch.Tensor) or not x.is_floating_point():
            raise TypeError(f"x must be a floating-point torch.Tensor, got {type(x).__name__}")
        if self.input_shape is not None and tuple(x.shape) != self.input_shape:
            raise ValueError(
                f"x must have shape {self.input_shape} (one input, no batch dimension), got {tuple(x.shape)}"
            )
        if x.dim() == 0:
            raise ValueError("x must have at least one dimension (one input, no batch dimension), got a 0-d tensor")
        if x.numel() == 0:
            raise ValueError(f"x must not be empty, got shape {tuple(x.shape)}")
        if not torch.isfinite(x).all():
            raise ValueError("x must be finite (it contains NaN or inf)")
        return x.to(self.device, self.input_dtype)

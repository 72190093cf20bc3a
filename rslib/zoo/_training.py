"""Training base classifiers with noise augmentation (Lecuyer et al. 2019; Cohen et al. 2019).

The base classifier f of a smoothed classifier g(x) = argmax_c P(f(x + eps) = c) should be accurate on
the *noisy* inputs it will be asked about, so every training batch is perturbed by the smoothing noise
(Gaussian, Laplace, or ablation's encoded inputs) before the forward pass.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler, TensorDataset
from tqdm.auto import tqdm

from rslib import _checks

if TYPE_CHECKING:
    from rslib.smoothing import Noise

__all__ = ["OPTIMIZERS", "OBJECTIVES", "SCHEDULES", "train", "evaluate"]

OPTIMIZERS = ("sgd", "adam")
OBJECTIVES = ("noise", "type2", "stability")
SCHEDULES = ("cosine", "step")


def _batches(dataset, batch_size: int, shuffle: bool, generator: torch.Generator | None, drop_last: bool):
    """Batches of (x, y); a TensorDataset is indexed a whole batch at a time, which skips per-item collation."""
    if isinstance(dataset, TensorDataset):
        order = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        return DataLoader(dataset, sampler=BatchSampler(order, batch_size, drop_last), batch_size=None)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator, drop_last=drop_last)


def _optimizer(name: str, params, lr: float, momentum: float, weight_decay: float) -> torch.optim.Optimizer:
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=momentum > 0)
    if name == "adam":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {name!r}")


def _schedule(name: str, optimizer, epochs: int, steps_per_epoch: int):
    """Per-step learning-rate schedule: cosine annealing to 0, or x0.1 after each third of training
    (Cohen et al.'s 90 epochs with steps at 30 and 60)."""
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * steps_per_epoch)
    if name == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, epochs // 3) * steps_per_epoch, gamma=0.1)
    raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}, got {name!r}")


def train(
    model: nn.Module,
    train_set: Dataset,
    noise: Noise | None,
    epochs: int,
    lr: float = 0.05,
    batch_size: int = 128,
    seed: int = 0,
    device: torch.device | str = "cpu",
    optimizer: str = "sgd",
    schedule: str = "cosine",
    momentum: float = 0.9,
    weight_decay: float = 5e-4,
    channels_last: bool | None = None,
    progress: bool = True,
    objective: str = "noise",
    adversarial_step: float = 0.0,
    stability_weight: float = 0.0,
) -> dict:
    r"""Train a base classifier on noise-augmented batches: it sees ``noise.sample(x)`` for every batch x.

    Shuffling and noise come from generators seeded by `seed`, so with the same initial weights the same
    seed gives the same weights on the same device and thread count. The objectives:

    - "noise": cross-entropy on noisy inputs (Lecuyer et al. 2019; Cohen et al. 2019);
    - "type2": the "Type 2" training of Teng et al. (2020), after Salman et al. (2019): each noisy input is
      moved by one signed-gradient step that increases the loss, :math:`x + \varepsilon + a\,\mathrm{sign}(\nabla_x L)`;
    - "stability": stability training (Zheng et al. 2016) as Li et al. (2019) use it, the cross-entropy on
      clean inputs plus :math:`\gamma` times the cross-entropy of the noisy prediction to the clean one,
      :math:`\mathrm{CE}(s(x), y) - \gamma \sum_j \mathrm{softmax}(s(x))_j \log \mathrm{softmax}(s(x + \varepsilon))_j`
      with :math:`s` the model's logits.

    Parameters
    ----------
    model : torch.nn.Module
        The base classifier; for ablation it takes ``noise.in_channels(C)`` channels. Trained in place.
    train_set : torch.utils.data.Dataset
        (input, label) pairs; a TensorDataset is indexed a whole batch at a time.
    noise : rslib.smoothing.Noise or None
        Applied on the device to every batch; None trains on clean inputs.
    epochs : int
        >= 1.
    lr : float, default 0.05
        Initial learning rate, > 0.
    batch_size : int, default 128
        At most the training set's size; the last, partial batch of an epoch is dropped.
    seed : int, default 0
        Seeds the shuffling, and (seed + 1) the noise.
    device : torch.device or str, default "cpu"
        Where to train.
    optimizer : {"sgd", "adam"}, default "sgd"
        SGD with Nesterov momentum, or AdamW.
    schedule : {"cosine", "step"}, default "cosine"
        Cosine annealing to 0, or x0.1 after each third of training (Cohen et al.'s steps at epochs 30
        and 60 of 90), per step.
    momentum : float, default 0.9
        SGD's momentum (0: no Nesterov).
    weight_decay : float, default 5e-4
        L2 penalty (AdamW: decoupled).
    channels_last : bool, optional
        NHWC memory layout, faster for convolutions on the CPU; default: on for the CPU, off elsewhere.
    progress : bool, default True
        Show progress bars and a line per epoch.
    objective : {"noise", "type2", "stability"}, default "noise"
        See above.
    adversarial_step : float, default 0.0
        The step a of "type2".
    stability_weight : float, default 0.0
        The weight :math:`\gamma` of "stability".

    Returns
    -------
    dict
        "seconds" (wall-clock) and "history": per epoch, the mean training loss, the accuracy on the noisy
        training batches and the seconds elapsed.

    Raises
    ------
    ValueError
        If objective, optimizer or schedule is unknown, an argument is out of range, or batch_size exceeds
        the training set's size.

    References
    ----------
    M. Lecuyer, V. Atlidakis, R. Geambasu, D. Hsu, S. Jana. Certified robustness to adversarial examples
    with differential privacy. IEEE Symposium on Security and Privacy 2019.
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    H. Salman, J. Li, I. Razenshteyn, P. Zhang, H. Zhang, S. Bubeck, G. Yang. Provably robust deep learning
    via adversarially trained smoothed classifiers. NeurIPS 2019.
    J. Teng, G.-H. Lee, Y. Yuan. l1 adversarial robustness certificates: a randomized smoothing approach.
    OpenReview (ICLR 2020 submission), 2020.
    S. Zheng, Y. Song, T. Leung, I. Goodfellow. Improving the robustness of deep neural networks via
    stability training. CVPR 2016.
    B. Li, C. Chen, W. Wang, L. Carin. Certified adversarial robustness with additive noise. NeurIPS 2019.
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    epochs = _checks.count("epochs", epochs)
    batch_size = _checks.count("batch_size", batch_size)
    lr = _checks.positive("lr", lr)
    device = torch.device(device)
    channels_last = device.type == "cpu" if channels_last is None else channels_last
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    loader = _batches(train_set, batch_size, True, torch.Generator().manual_seed(seed), drop_last=True)
    if len(loader) == 0:
        raise ValueError(f"batch_size must be at most the training set size {len(train_set)}, got {batch_size}")
    noise_generator = torch.Generator(device=device).manual_seed(seed + 1)  # independent of the shuffling stream
    model = model.to(device, memory_format=memory_format).train()
    opt = _optimizer(optimizer, model.parameters(), lr, momentum, weight_decay)
    sched = _schedule(schedule, opt, epochs, len(loader))
    loss_fn = nn.CrossEntropyLoss()
    history, start = [], time.perf_counter()
    for epoch in range(epochs):
        total_loss = torch.zeros((), device=device)
        correct = torch.zeros((), device=device, dtype=torch.long)
        seen = 0
        for x, y in tqdm(loader, desc=f"epoch {epoch + 1}/{epochs}", disable=not progress, leave=False):
            x, y = x.to(device), y.to(device)
            clean = x
            if noise is not None:
                x = noise.sample(x, noise_generator)
            if objective == "type2":
                x = _signed_gradient_step(model, x, y, adversarial_step, memory_format, loss_fn)
            logits = model(x.contiguous(memory_format=memory_format))
            loss = loss_fn(logits, y)
            if objective == "stability":
                clean_logits = model(clean.contiguous(memory_format=memory_format))
                stability = -(clean_logits.softmax(dim=1) * logits.log_softmax(dim=1)).sum(dim=1).mean()
                loss = loss_fn(clean_logits, y) + stability_weight * stability
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            # Accumulate on the device: reading values back every step would synchronise a GPU.
            total_loss += loss.detach() * len(y)
            correct += (logits.argmax(dim=1) == y).sum()
            seen += len(y)
        history.append(
            {
                "epoch": epoch + 1,
                "loss": round(float(total_loss) / seen, 5),
                "train_accuracy": round(int(correct) / seen, 5),
                "seconds": round(time.perf_counter() - start, 2),
            }
        )
        if progress:
            tqdm.write(
                f"epoch {epoch + 1}/{epochs}: loss {history[-1]['loss']:.4f}, "
                f"noisy train accuracy {history[-1]['train_accuracy']:.4f}, {history[-1]['seconds']:.0f} s"
            )
    model.eval()
    return {"seconds": time.perf_counter() - start, "history": history}


def _signed_gradient_step(model, x, y, step: float, memory_format, loss_fn) -> torch.Tensor:
    """x + step * sign(grad_x loss): one FGSM-style step on the noisy input (no gradient flows through it)."""
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(loss_fn(model(x.contiguous(memory_format=memory_format)), y), x)
    return (x + step * grad.sign()).detach()


@torch.inference_mode()
def evaluate(
    model: nn.Module,
    dataset: Dataset,
    noise: Noise | None = None,
    batch_size: int = 1000,
    seed: int = 0,
    device: torch.device | str = "cpu",
    progress: bool = False,
) -> float:
    """Accuracy of the base classifier, on clean inputs or on one noisy draw per input.

    A model trained with ablation takes encoded inputs: its clean accuracy is that under
    ``Ablation(keep=height * width)``, which keeps every pixel.

    Parameters
    ----------
    model : torch.nn.Module
        The base classifier.
    dataset : torch.utils.data.Dataset
        (input, label) pairs, with a length.
    noise : rslib.smoothing.Noise, optional
        None: clean inputs.
    batch_size : int, default 1000
        Inputs per forward pass.
    seed : int, default 0
        Seed of the noise.
    device : torch.device or str, default "cpu"
        Where to compute.
    progress : bool, default False
        Show a progress bar.

    Returns
    -------
    float
        The fraction of inputs classified correctly.
    """
    batch_size = _checks.count("batch_size", batch_size)
    device = torch.device(device)
    generator = torch.Generator(device=device).manual_seed(seed)
    model = model.to(device).eval()
    correct = torch.zeros((), device=device, dtype=torch.long)
    for x, y in tqdm(
        _batches(dataset, batch_size, False, None, drop_last=False), desc="evaluate", disable=not progress
    ):
        x, y = x.to(device), y.to(device)
        if noise is not None:
            x = noise.sample(x, generator)
        correct += (model(x).argmax(dim=1) == y).sum()
    return int(correct) / len(dataset)

"""Training base classifiers with noise augmentation (Cohen et al. 2019, Section 4; Lecuyer et al. 2019).

The base classifier of a smoothed classifier should be accurate on the *noisy* inputs it will be asked
about, so every training batch is perturbed by the smoothing noise before the forward pass.
"""
from __future__ import annotations

import time

import torch
from torch import nn
from torch.utils.data import DataLoader
from tqdm.auto import tqdm

from rslib import _checks


def train(model: nn.Module, train_set, noise, epochs: int, lr: float = 0.05, batch_size: int = 128,
          seed: int = 0, device="cpu", progress: bool = True) -> dict:
    """SGD (momentum 0.9, weight decay 5e-4, cosine learning-rate schedule) on noise-augmented batches.

    noise: a `rslib.noise` object applied to each batch on the device, or None for plain training.
    The same seed on the same device gives the same weights. Returns a summary (epochs, final loss, seconds).
    """
    epochs = _checks.count("epochs", epochs)
    batch_size = _checks.count("batch_size", batch_size)
    lr = _checks.positive("lr", lr)
    device = torch.device(device)
    torch.manual_seed(seed)
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, drop_last=True,
                        generator=torch.Generator().manual_seed(seed))
    noise_generator = torch.Generator(device=device).manual_seed(seed + 1)
    model = model.to(device).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4, nesterov=True)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * len(loader))
    loss_fn = nn.CrossEntropyLoss()
    start, loss = time.perf_counter(), torch.tensor(float("nan"))
    for epoch in range(epochs):
        for x, y in tqdm(loader, desc=f"epoch {epoch + 1}/{epochs}", disable=not progress, leave=False):
            x, y = x.to(device), y.to(device)
            if noise is not None:
                x = noise.sample(x, noise_generator)
            loss = loss_fn(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
    model.eval()
    return {"epochs": epochs, "final_loss": float(loss.detach()), "seconds": time.perf_counter() - start}


@torch.inference_mode()
def evaluate(model: nn.Module, dataset, noise=None, batch_size: int = 1000, seed: int = 0, device="cpu") -> float:
    """Accuracy of the base classifier on `dataset`, on clean inputs (noise=None) or one noisy draw per input.

    For ablation noise, "clean" is not meaningful (the model expects encoded inputs): pass the noise.
    """
    device = torch.device(device)
    generator = torch.Generator(device=device).manual_seed(seed)
    model = model.to(device).eval()
    correct = 0
    for x, y in DataLoader(dataset, batch_size=batch_size):
        x, y = x.to(device), y.to(device)
        if noise is not None:
            x = noise.sample(x, generator)
        correct += int((model(x).argmax(dim=1) == y).sum())
    return correct / len(dataset)

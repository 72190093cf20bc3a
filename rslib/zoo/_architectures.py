"""Base classifiers: small CNNs that take images in [0, 1] and normalise them inside, so that the smoothing
noise is added in pixel space (like Cohen et al.'s NormalizeLayer)."""

from __future__ import annotations

import torch
from torch import nn

from rslib._seeds import check_seed

__all__ = ["Normalize", "FashionCNN", "DigitsCNN", "ARCHITECTURES", "build", "num_parameters"]


class Normalize(nn.Module):
    """(x - mean) / std per channel, inside the model so the smoothing noise is added before it."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1))

    def forward(self, x):
        return (x - self.mean) / self.std


def _to_unit_range(in_channels: int) -> Normalize:
    # Maps [0, 1] to [-1, 1]: the same for plain images and for ablation's (x, 1 - x) encoding.
    return Normalize([0.5] * in_channels, [0.5] * in_channels)


class FashionCNN(nn.Module):
    """A small CNN for 28x28 images: conv-conv-pool-conv-pool, then two linear layers (about 0.23 M parameters).

    Sized to train with noise augmentation in minutes and to certify with thousands of samples per
    image on a CPU. in_channels=2 takes ablation's encoded inputs.
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10):
        super().__init__()
        self.normalize = _to_unit_range(in_channels)
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 16, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 14x14
            nn.Conv2d(32, 64, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )  # 7x7
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(64 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, num_classes))

    def forward(self, x):
        return self.classifier(self.features(self.normalize(x)))


class DigitsCNN(nn.Module):
    """A tiny CNN for scikit-learn's 8x8 digits (about 20 k parameters), for fast tests."""

    def __init__(self, in_channels: int = 1, num_classes: int = 10):
        super().__init__()
        self.normalize = _to_unit_range(in_channels)
        self.features = nn.Sequential(nn.Conv2d(in_channels, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))  # 4x4
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, num_classes))

    def forward(self, x):
        return self.classifier(self.features(self.normalize(x)))


ARCHITECTURES = {"fashion_cnn": FashionCNN, "digits_cnn": DigitsCNN}


def build(arch: str, in_channels: int, num_classes: int, seed: int | None = None) -> nn.Module:
    """An untrained model of a registered architecture; `seed` fixes its initial weights without
    touching the global random state."""
    if arch not in ARCHITECTURES:
        raise ValueError(f"arch must be one of {', '.join(ARCHITECTURES)}, got {arch!r}")
    if seed is None:
        return ARCHITECTURES[arch](in_channels, num_classes)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(check_seed(seed))
        return ARCHITECTURES[arch](in_channels, num_classes)


def num_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())

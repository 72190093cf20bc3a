"""Base classifiers: small CNNs that take images in [0, 1] and normalise them inside, so that the smoothing
noise is added in pixel space (like Cohen et al.'s NormalizeLayer)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from rslib._seeds import check_seed

__all__ = ["Normalize", "FashionCNN", "DigitsCNN", "ARCHITECTURES", "build", "num_parameters"]


class Normalize(nn.Module):
    """(x - mean) / std per channel, inside the model so that the smoothing noise is added before it.

    Parameters
    ----------
    mean, std : sequence of float
        One value per channel.
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float]) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise a batch.

        Parameters
        ----------
        x : torch.Tensor, shape (B, C, H, W)
            Images in pixel space.

        Returns
        -------
        torch.Tensor, shape (B, C, H, W)
        """
        return (x - self.mean) / self.std


def _to_unit_range(in_channels: int) -> Normalize:
    # Maps [0, 1] to [-1, 1]: the same for plain images and for ablation's (x, 1 - x) encoding.
    return Normalize([0.5] * in_channels, [0.5] * in_channels)


class FashionCNN(nn.Module):
    """A small CNN for 28x28 images: conv-conv-pool-conv-pool, then two linear layers (about 0.23 M parameters).

    Sized to train with noise augmentation in minutes and to certify with thousands of samples per
    image on a CPU.

    Parameters
    ----------
    in_channels : int, default 1
        Channels of its input: 1 for grey images, 2 for ablation's encoded ones.
    num_classes : int, default 10
        Logits per input.
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10) -> None:
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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The logits of a batch.

        Parameters
        ----------
        x : torch.Tensor, shape (B, in_channels, 28, 28)
            Images with values in [0, 1].

        Returns
        -------
        torch.Tensor, shape (B, num_classes)
        """
        return self.classifier(self.features(self.normalize(x)))


class DigitsCNN(nn.Module):
    """A tiny CNN for scikit-learn's 8x8 digits (about 20 k parameters), for fast tests.

    Parameters
    ----------
    in_channels : int, default 1
        Channels of its input: 1 for grey images, 2 for ablation's encoded ones.
    num_classes : int, default 10
        Logits per input.
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10) -> None:
        super().__init__()
        self.normalize = _to_unit_range(in_channels)
        self.features = nn.Sequential(nn.Conv2d(in_channels, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))  # 4x4
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The logits of a batch.

        Parameters
        ----------
        x : torch.Tensor, shape (B, in_channels, 8, 8)
            Images with values in [0, 1].

        Returns
        -------
        torch.Tensor, shape (B, num_classes)
        """
        return self.classifier(self.features(self.normalize(x)))


ARCHITECTURES = {"fashion_cnn": FashionCNN, "digits_cnn": DigitsCNN}


def build(arch: str, in_channels: int, num_classes: int, seed: int | None = None) -> nn.Module:
    """An untrained model of a registered architecture.

    Parameters
    ----------
    arch : str
        A key of `ARCHITECTURES`.
    in_channels : int
        Channels of its input (`rslib.smoothing.Noise.in_channels` of the data's channels).
    num_classes : int
        Logits per input.
    seed : int, optional
        Fixes the initial weights, without touching torch's global random state; None draws them from it.

    Returns
    -------
    torch.nn.Module

    Raises
    ------
    ValueError
        If arch is unknown.
    """
    if arch not in ARCHITECTURES:
        raise ValueError(f"arch must be one of {', '.join(ARCHITECTURES)}, got {arch!r}")
    if seed is None:
        return ARCHITECTURES[arch](in_channels, num_classes)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(check_seed(seed))
        return ARCHITECTURES[arch](in_channels, num_classes)


def num_parameters(model: nn.Module) -> int:
    """The number of a model's parameters (weights and biases; buffers not counted).

    Parameters
    ----------
    model : torch.nn.Module

    Returns
    -------
    int
    """
    return sum(p.numel() for p in model.parameters())

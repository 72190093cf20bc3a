"""Base classifiers, and the shipped pretrained models with their JSON cards.

A model takes images in [0, 1] and normalises them itself (like Cohen et al.'s NormalizeLayer), so noise
is added in pixel space. Weights are saved as a state_dict (`<name>.pt`) with a card (`<name>.json`) that
records how they were made and the weights' sha256; `load_pretrained` checks the hash and loads with
`torch.load(weights_only=True)`, which never executes pickled code.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from rslib import noise as noises
from rslib.device import default_device

MODELS_DIR = Path(__file__).resolve().parent.parent / "data" / "models"


class Normalize(nn.Module):
    """(x - mean) / std per channel, inside the model so the smoothing noise is added before it."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1))

    def forward(self, x):
        return (x - self.mean) / self.std


def fashion_cnn(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """A small CNN for 28x28 images (about 0.13 M parameters, 6 M multiply-adds): three conv blocks, two linear layers.

    Pooling early keeps it cheap enough to certify with many samples on a CPU.
    """
    return nn.Sequential(
        Normalize([0.5] * in_channels, [0.5] * in_channels),
        nn.Conv2d(in_channels, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 14x14
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 7x7
        nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(3),  # 3x3
        nn.Flatten(), nn.Linear(64 * 9, 128), nn.ReLU(), nn.Linear(128, num_classes))


def digits_cnn(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """A tiny CNN for the 8x8 digits (for fast tests)."""
    return nn.Sequential(
        Normalize([0.5] * in_channels, [0.5] * in_channels),
        nn.Conv2d(in_channels, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 16, 64), nn.ReLU(), nn.Linear(64, num_classes))


ARCHITECTURES = {"fashion_cnn": fashion_cnn, "digits_cnn": digits_cnn}


def build(arch: str, in_channels: int, num_classes: int) -> nn.Module:
    """An untrained model of a registered architecture."""
    if arch not in ARCHITECTURES:
        raise ValueError(f"arch must be one of {', '.join(ARCHITECTURES)}, got {arch!r}")
    return ARCHITECTURES[arch](in_channels, num_classes)


@dataclass
class Pretrained:
    """A loaded model: the network (eval mode, on its device), the noise it was trained for, its card."""

    name: str
    model: nn.Module
    noise: object
    card: dict

    @property
    def num_classes(self) -> int:
        return int(self.card["num_classes"])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save(model: nn.Module, name: str, card: dict, out_dir=MODELS_DIR) -> Path:
    """Write `<name>.pt` (state_dict) and `<name>.json` (card plus the weights' sha256); returns the .pt path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    weights = out_dir / f"{name}.pt"
    torch.save({k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}, weights)
    card = {**card, "name": name, "sha256": _sha256(weights)}
    (out_dir / f"{name}.json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    return weights


def list_pretrained(models_dir=MODELS_DIR) -> list[str]:
    """Names of the models with both weights and a card in models_dir."""
    models_dir = Path(models_dir)
    return sorted(p.stem for p in models_dir.glob("*.pt") if p.with_suffix(".json").exists())


def load_pretrained(name_or_path, device=None, models_dir=MODELS_DIR) -> Pretrained:
    """Load a shipped model by name (e.g. 'fmnist-gaussian-0.25') or a path to its `.pt` file.

    Raises FileNotFoundError (listing the available names) when missing, ValueError naming the file when
    the weights are corrupt, truncated or do not match the card's sha256.
    """
    weights = Path(name_or_path)
    if weights.suffix != ".pt":
        weights = Path(models_dir) / f"{name_or_path}.pt"
    card_path = weights.with_suffix(".json")
    if not weights.exists() or not card_path.exists():
        raise FileNotFoundError(f"no model {str(name_or_path)!r} ({weights} and its .json card); available: "
                                f"{', '.join(list_pretrained(models_dir)) or 'none'}")
    try:
        card = json.loads(card_path.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{card_path} is not a valid JSON model card: {exc}") from exc
    if _sha256(weights) != card.get("sha256"):
        raise ValueError(f"{weights} does not match the sha256 in its card {card_path.name}: "
                         "the file is corrupt, truncated or was replaced")
    try:
        state = torch.load(weights, map_location="cpu", weights_only=True)
        model = build(card["arch"], card["in_channels"], card["num_classes"])
        model.load_state_dict(state)
    except (RuntimeError, KeyError, ValueError) as exc:
        raise ValueError(f"{weights} could not be loaded as a {card.get('arch')} model: {exc}") from exc
    device = torch.device(device) if device is not None else default_device()
    return Pretrained(card["name"], model.to(device).eval(), noises.from_params(card["noise"]), card)

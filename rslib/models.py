"""Base classifiers, and the shipped pretrained models with their JSON cards.

A model takes images in [0, 1] and normalises them itself (like Cohen et al.'s NormalizeLayer), so noise
is added in pixel space. Weights are saved as a state_dict (`<name>.pt`) beside a card (`<name>.json`)
that records how they were made and the weights' sha256; `load_pretrained` checks the hash and loads
with `torch.load(weights_only=True)`, which never executes pickled code.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from rslib import noise as noises
from rslib.device import default_device
from rslib.smooth import check_seed

MODELS_DIR = Path(__file__).resolve().parent.parent / "data" / "models"


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
            nn.Conv2d(in_channels, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 14x14
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))  # 7x7
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


@dataclass
class Pretrained:
    """A loaded model: the network (eval mode, on its device), the noise it was trained with, its card."""

    name: str
    model: nn.Module
    noise: object
    card: dict
    path: Path

    @property
    def num_classes(self) -> int:
        return int(self.card["num_classes"])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_atomically(path: Path, write) -> None:
    # Write beside the target and rename, so a reader never sees a half-written file.
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
        try:
            write(tmp)
        except BaseException:
            os.unlink(tmp.name)
            raise
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, path)


def save(model: nn.Module, name: str, card: dict, out_dir=MODELS_DIR) -> Path:
    """Write `<name>.pt` (the state_dict, on the CPU) and `<name>.json` (the card plus name, parameter count
    and the weights' sha256) into out_dir; returns the .pt path. name must be a plain file stem that does not
    start with '.'."""
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9._-]+", name):
        raise ValueError(f"name must be a plain file stem (letters, digits, '-', '_', '.'), got {name!r}")
    if name.startswith("."):  # '.', '..' and '.x' would make '..pt' or a hidden file, and a card named '..json'
        raise ValueError(f"name must not start with '.' (a plain file stem: letters, digits, '-', '_', '.'), got {name!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    weights = out_dir / f"{name}.pt"
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    _write_atomically(weights, lambda handle: torch.save(state, handle))
    card = {**card, "name": name, "num_parameters": num_parameters(model), "sha256": _sha256(weights)}
    text = json.dumps(card, indent=2, sort_keys=True) + "\n"
    _write_atomically(out_dir / f"{name}.json", lambda handle: handle.write(text.encode()))
    return weights


def list_pretrained(models_dir=MODELS_DIR) -> list[str]:
    """Names of the models in models_dir that have both weights and a card."""
    return sorted(p.stem for p in Path(models_dir).glob("*.pt") if p.with_suffix(".json").exists())


def load_pretrained(name_or_path, device=None, models_dir=MODELS_DIR) -> Pretrained:
    """Load a shipped model by name (e.g. 'fmnist-gaussian-0.25') or from a path to its `.pt` file.

    Raises FileNotFoundError (listing the available names) when the weights or card are missing, and
    ValueError naming the file when the card is not a valid card or the weights are corrupt, truncated,
    not a torch checkpoint or do not match the card's sha256.
    device: where to put the model (default: the GPU if there is one, else the CPU).
    """
    weights = Path(name_or_path)
    if weights.suffix != ".pt":  # a name; note that names like 'fmnist-gaussian-0.25' have a suffix too
        weights = Path(models_dir) / f"{name_or_path}.pt"
    card_path = weights.with_suffix(".json")
    if not weights.is_file() or not card_path.is_file():
        raise FileNotFoundError(f"no model {str(name_or_path)!r}: need {weights} and its card {card_path.name}; "
                                f"available in {models_dir}: {', '.join(list_pretrained(models_dir)) or 'none'}")
    card, noise = _read_card(card_path)
    if _sha256(weights) != card.get("sha256"):
        raise ValueError(f"{weights} does not match the sha256 in its card {card_path.name}: "
                         "the file is corrupt, truncated or was replaced")
    state = load_weights_only(weights)
    try:
        model = build(card["arch"], card["in_channels"], card["num_classes"])
        model.load_state_dict(state)
    except (RuntimeError, ValueError, TypeError) as exc:
        raise ValueError(f"{weights} could not be loaded as a {card['arch']} model: {exc}") from exc
    device = torch.device(device) if device is not None else default_device()
    return Pretrained(card.get("name", weights.stem), model.to(device).eval(), noise, card, weights)


def load_weights_only(path):
    """`torch.load(path, weights_only=True)` on the CPU (no arbitrary pickle code runs); ValueError naming the
    file when it is not such a checkpoint."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch.load of arbitrary bytes raises anything from KeyError to struct.error
        raise ValueError(f"{path} is not a torch checkpoint that loads with weights_only=True "
                         f"({type(exc).__name__}: {exc})") from exc


def _read_card(card_path: Path) -> tuple[dict, object]:
    """The card at card_path and the noise it records; ValueError naming the card when it is not one."""
    try:
        card = json.loads(card_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{card_path} is not a valid JSON model card: {exc}") from exc
    if not isinstance(card, dict):
        raise ValueError(f"{card_path} is not a model card: expected a JSON object, got a {type(card).__name__}")
    missing = [key for key in ("arch", "in_channels", "num_classes", "noise") if key not in card]
    if missing:
        raise ValueError(f"{card_path} is not a model card: it lacks {', '.join(missing)}")
    try:
        return card, noises.from_params(card["noise"])
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{card_path} has an invalid noise {card['noise']!r} ({type(exc).__name__}: {exc})") from exc

"""The shipped pretrained models with their JSON cards: loading, listing and saving.

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
from typing import Any

import torch
from torch import nn

from rslib.smoothing import Noise, default_device, from_params
from rslib.zoo._architectures import build, num_parameters

__all__ = ["MODELS_DIR", "models_dir", "Pretrained", "save", "list_pretrained", "load_pretrained", "load_weights_only"]

MODELS_DIR = Path(__file__).resolve().parent / "models"
"""The shipped models: package data of rslib, so that an installed rslib finds them from any directory."""

MODELS_ENV = "RSLIB_MODELS"


def models_dir() -> Path:
    """Where models are looked up by name.

    Returns
    -------
    pathlib.Path
        The folder named by the environment variable RSLIB_MODELS when it is set, else `MODELS_DIR`, the
        models shipped inside the package.
    """
    return Path(os.environ[MODELS_ENV]) if os.environ.get(MODELS_ENV) else MODELS_DIR


@dataclass
class Pretrained:
    """A loaded model, as `load_pretrained` returns it.

    Attributes
    ----------
    name : str
        The model's name (its card's, else its file stem).
    model : torch.nn.Module
        The network, in eval mode on its device; it takes images in [0, 1] (encoded ones for ablation).
    noise : rslib.smoothing.Noise
        The noise it was trained with, which its smoothed classifier should use.
    card : dict
        Its JSON card: how it was trained, on what, its accuracies, provenance and the weights' sha256.
    path : pathlib.Path
        The weights file.
    """

    name: str
    model: nn.Module
    noise: Noise
    card: dict
    path: Path

    @property
    def num_classes(self) -> int:
        """The number of classes, from the card."""
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


def save(model: nn.Module, name: str, card: dict, out_dir: str | os.PathLike | None = None) -> Path:
    """Save a model's weights beside its card, each written atomically.

    Writes ``<name>.pt`` (the state_dict, on the CPU) and ``<name>.json`` (the card plus name, parameter count
    and the weights' sha256).

    Parameters
    ----------
    model : torch.nn.Module
        The trained model.
    name : str
        A plain file stem: letters, digits, '-', '_' and '.', not starting with '.'.
    card : dict
        How the model was made (JSON-serialisable); `load_pretrained` needs "arch", "in_channels",
        "num_classes" and "noise".
    out_dir : str or os.PathLike, optional
        The folder, created if missing; default: `models_dir()`.

    Returns
    -------
    pathlib.Path
        The ``.pt`` file.

    Raises
    ------
    ValueError
        If name is not a plain file stem.
    """
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9._-]+", name):
        raise ValueError(f"name must be a plain file stem (letters, digits, '-', '_', '.'), got {name!r}")
    if name.startswith("."):  # '.', '..' and '.x' would make '..pt' or a hidden file, and a card named '..json'
        raise ValueError(
            f"name must not start with '.' (a plain file stem: letters, digits, '-', '_', '.'), got {name!r}"
        )
    out_dir = models_dir() if out_dir is None else Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    weights = out_dir / f"{name}.pt"
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    _write_atomically(weights, lambda handle: torch.save(state, handle))
    card = {**card, "name": name, "num_parameters": num_parameters(model), "sha256": _sha256(weights)}
    text = json.dumps(card, indent=2, sort_keys=True) + "\n"
    _write_atomically(out_dir / f"{name}.json", lambda handle: handle.write(text.encode()))
    return weights


def list_pretrained(folder: str | os.PathLike | None = None) -> list[str]:
    """Names of the models in a folder that have both weights and a card.

    Parameters
    ----------
    folder : str or os.PathLike, optional
        Default: `models_dir()`.

    Returns
    -------
    list of str
        Sorted.
    """
    folder = models_dir() if folder is None else Path(folder)
    return sorted(p.stem for p in folder.glob("*.pt") if p.with_suffix(".json").exists())


def load_pretrained(
    name_or_path: str | os.PathLike,
    *,
    device: torch.device | str | None = None,
    folder: str | os.PathLike | None = None,
) -> Pretrained:
    """Load a model by name (e.g. "fmnist-gaussian-0.25") or from the path of its ``.pt`` file, with its card.

    The weights must match the sha256 in the card, and load with ``torch.load(weights_only=True)``, which never
    executes pickled code.

    Parameters
    ----------
    name_or_path : str or os.PathLike
        A model name, or a path ending in ``.pt`` with its ``.json`` card beside it.
    device : torch.device or str, optional
        Where to put the model (keyword-only); default: the GPU if there is one, else the CPU.
    folder : str or os.PathLike, optional
        Where names are looked up (keyword-only); default: `models_dir()`.

    Returns
    -------
    Pretrained

    Raises
    ------
    FileNotFoundError
        Listing the available names, when the weights or the card are missing.
    ValueError
        Naming the file, when the card is not a valid card, or the weights are corrupt, truncated, not a
        torch checkpoint or do not match the card's sha256.
    """
    folder = models_dir() if folder is None else Path(folder)
    weights = Path(name_or_path)
    if weights.suffix != ".pt":  # a name; note that names like 'fmnist-gaussian-0.25' have a suffix too
        weights = folder / f"{name_or_path}.pt"
    card_path = weights.with_suffix(".json")
    if not weights.is_file() or not card_path.is_file():
        raise FileNotFoundError(
            f"no model {str(name_or_path)!r}: need {weights} and its card {card_path.name}; "
            f"available in {folder}: {', '.join(list_pretrained(folder)) or 'none'}"
        )
    card, noise = _read_card(card_path)
    if _sha256(weights) != card.get("sha256"):
        raise ValueError(
            f"{weights} does not match the sha256 in its card {card_path.name}: "
            "the file is corrupt, truncated or was replaced"
        )
    state = load_weights_only(weights)
    try:
        model = build(card["arch"], card["in_channels"], card["num_classes"])
        model.load_state_dict(state)
    except (RuntimeError, ValueError, TypeError) as exc:
        raise ValueError(f"{weights} could not be loaded as a {card['arch']} model: {exc}") from exc
    device = torch.device(device) if device is not None else default_device()
    return Pretrained(card.get("name", weights.stem), model.to(device).eval(), noise, card, weights)


def load_weights_only(path: str | os.PathLike) -> Any:
    """``torch.load(path, weights_only=True)`` onto the CPU: tensors and plain containers, no pickled code run.

    Parameters
    ----------
    path : str or os.PathLike
        A torch checkpoint.

    Returns
    -------
    object
        What was saved (a state_dict, or a dict holding one).

    Raises
    ------
    ValueError
        Naming the file, when it is not a checkpoint that loads with weights_only=True.
    """
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch.load of arbitrary bytes raises anything from KeyError to struct.error
        raise ValueError(
            f"{path} is not a torch checkpoint that loads with weights_only=True ({type(exc).__name__}: {exc})"
        ) from exc


def _read_card(card_path: Path) -> tuple[dict, Noise]:
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
        return card, from_params(card["noise"])
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{card_path} has an invalid noise {card['noise']!r} ({type(exc).__name__}: {exc})") from exc

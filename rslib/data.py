"""Datasets as tensors in [0, 1] (unnormalised: models normalise inside, so noise lives in pixel space).

Fashion-MNIST (Xiao et al. 2017) is read from Debian's `dataset-fashion-mnist` files; the 8x8 digits of
scikit-learn serve tiny, fast tests; CIFAR-10 and ImageNet load through torchvision for users with the files.
"""
from __future__ import annotations

import gzip
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import TensorDataset

DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
NUM_CLASSES = {"fashion-mnist": 10, "digits": 10, "cifar10": 10, "imagenet": 1000}
INPUT_SHAPES = {"fashion-mnist": (1, 28, 28), "digits": (1, 8, 8), "cifar10": (3, 32, 32), "imagenet": (3, 224, 224)}
_FASHION_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
                  "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def cache_dir() -> Path:
    """Where unpacked data sets are kept: $XDG_CACHE_HOME/rslib (default ~/.cache/rslib)."""
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rslib"


def _check_split(split: str) -> None:
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")


def fashion_mnist(split: str = "train", root=None, download: bool = False) -> TensorDataset:
    """Fashion-MNIST as (1x28x28 float tensor in [0, 1], label) pairs, all in memory.

    root: a folder with the four `*-ubyte.gz` files (default: Debian's /usr/share/datasets/fashion-mnist).
    download: fetch them with torchvision instead (needs internet).
    """
    _check_split(split)
    if download:
        from torchvision.datasets import FashionMNIST

        ds = FashionMNIST(str(cache_dir()), train=split == "train", download=True)
        return _as_tensors(ds.data.numpy(), ds.targets.numpy())
    source = Path(root) if root is not None else DEBIAN_FASHION_MNIST
    images_name, labels_name = _FASHION_FILES[split]
    images, labels = (source / f"{images_name}.gz", source / f"{labels_name}.gz")
    if not images.exists() or not labels.exists():
        raise FileNotFoundError(
            f"Fashion-MNIST files not found in {source} (looked for {images.name} and {labels.name}). "
            "Install Debian's package dataset-fashion-mnist (`apt-get install dataset-fashion-mnist`, which "
            "`make book` and `make test` do), pass root= a folder with the files, or download=True with internet.")
    return _as_tensors(_read_idx(images), _read_idx(labels))


def _read_idx(path: Path) -> np.ndarray:
    """An IDX file (the MNIST format): magic with the number of dimensions, sizes, then uint8 data."""
    with gzip.open(path, "rb") as handle:
        raw = handle.read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).copy()  # writable, for torch
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path} is truncated or corrupt: expected {shape}, got {data.size} values")
    return data.reshape(shape)


def _as_tensors(images: np.ndarray, labels: np.ndarray) -> TensorDataset:
    x = torch.from_numpy(np.ascontiguousarray(images)).float().div_(255.0)
    if x.dim() == 3:
        x = x.unsqueeze(1)
    return TensorDataset(x, torch.from_numpy(np.asarray(labels)).long())


def digits(split: str = "train", test_fraction: float = 0.25, seed: int = 0) -> TensorDataset:
    """scikit-learn's 8x8 handwritten digits (1797 images) scaled to [0, 1], with a fixed seeded split."""
    from sklearn.datasets import load_digits

    _check_split(split)
    bunch = load_digits()
    order = np.random.default_rng(seed).permutation(len(bunch.target))
    cut = int(len(order) * (1 - test_fraction))
    chosen = order[:cut] if split == "train" else order[cut:]
    images = (bunch.images[chosen] / 16.0).astype(np.float32)
    return TensorDataset(torch.from_numpy(images).unsqueeze(1), torch.from_numpy(bunch.target[chosen]).long())


def cifar10(split: str = "test", root=None, download: bool = False):
    """CIFAR-10 through torchvision (3x32x32 in [0, 1]); root defaults to the rslib cache."""
    from torchvision import datasets, transforms

    _check_split(split)
    root = Path(root) if root is not None else cache_dir()
    try:
        return datasets.CIFAR10(str(root), train=split == "train", download=download, transform=transforms.ToTensor())
    except RuntimeError as exc:
        raise FileNotFoundError(f"CIFAR-10 not found under {root}: pass root= the folder holding "
                                "cifar-10-batches-py, or download=True with internet") from exc


def imagenet(split: str = "test", root=None):
    """ImageNet validation ('test') or training images through torchvision, resized and centre-cropped to 224."""
    from torchvision import datasets, transforms

    _check_split(split)
    if root is None or not Path(root).exists():
        raise FileNotFoundError(f"ImageNet not found at {root!r}: pass root= a folder with train/ and val/ "
                                "subfolders of class folders (ImageNet cannot be downloaded automatically)")
    folder = Path(root) / ("train" if split == "train" else "val")
    transform = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor()])
    return datasets.ImageFolder(str(folder), transform=transform)


def load(name: str, split: str = "test", **kwargs):
    """Dispatch by name: 'fashion-mnist', 'digits', 'cifar10' or 'imagenet'."""
    loaders = {"fashion-mnist": fashion_mnist, "digits": digits, "cifar10": cifar10, "imagenet": imagenet}
    if name not in loaders:
        raise ValueError(f"dataset must be one of {', '.join(loaders)}, got {name!r}")
    return loaders[name](split, **kwargs)

"""Datasets as tensors in [0, 1] (unnormalised: models normalise inside, so noise lives in pixel space).

Fashion-MNIST (Xiao et al. 2017) is read from Debian's `dataset-fashion-mnist` files through torchvision;
the 8x8 digits of scikit-learn serve tiny, fast tests; CIFAR-10 and ImageNet load through torchvision
for users who have the files.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch.utils.data import Dataset, TensorDataset

if TYPE_CHECKING:  # torchvision is imported by the loaders that need it
    from torchvision.datasets import CIFAR10, ImageFolder

__all__ = [
    "DEBIAN_FASHION_MNIST",
    "FASHION_MNIST_CLASSES",
    "NUM_CLASSES",
    "SHAPES",
    "cache_dir",
    "fashion_mnist",
    "digits",
    "cifar10",
    "imagenet",
    "load_dataset",
    "BOOK_SUBSET_PER_CLASS",
    "BOOK_SUBSET_SEED",
    "book_subset",
]

DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
NUM_CLASSES = {"fashion-mnist": 10, "digits": 10, "cifar10": 10, "imagenet": 1000}
SHAPES = {"fashion-mnist": (1, 28, 28), "digits": (1, 8, 8), "cifar10": (3, 32, 32), "imagenet": (3, 224, 224)}
_FASHION_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def cache_dir() -> Path:
    """Where unpacked and downloaded data sets are kept.

    Returns
    -------
    pathlib.Path
        ``$XDG_CACHE_HOME/rslib``, by default ``~/.cache/rslib``.
    """
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rslib"


def _check_split(split: str) -> None:
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")


def fashion_mnist(split: str = "train", root: str | os.PathLike | None = None, download: bool = False) -> TensorDataset:
    """Fashion-MNIST as (1x28x28 float tensor in [0, 1], label) pairs, all in memory.

    Parameters
    ----------
    split : {"train", "test"}, default "train"
        60,000 training or 10,000 test images.
    root : str or os.PathLike, optional
        A folder with the four ``*-ubyte.gz`` files (default: Debian's /usr/share/datasets/fashion-mnist);
        they are unpacked once into `cache_dir()`.
    download : bool, default False
        Let torchvision fetch the files into the cache instead (needs internet).

    Returns
    -------
    torch.utils.data.TensorDataset

    Raises
    ------
    FileNotFoundError
        If the files are missing, saying how to get them.
    ValueError
        If split is unknown.

    References
    ----------
    H. Xiao, K. Rasul, R. Vollgraf. Fashion-MNIST: a novel image dataset for benchmarking machine learning
    algorithms. arXiv:1708.07747, 2017.
    """
    from torchvision.datasets import FashionMNIST

    _check_split(split)
    if download:
        torchvision_root = cache_dir() / "download"
    else:
        torchvision_root = _unpack_fashion_mnist(Path(root) if root is not None else DEBIAN_FASHION_MNIST)
    ds = FashionMNIST(str(torchvision_root), train=split == "train", download=download)
    return TensorDataset(ds.data.unsqueeze(1).float().div_(255.0), ds.targets.long())


def _unpack_fashion_mnist(source: Path) -> Path:
    """Unpack the .gz files in `source` once into the cache, in the layout torchvision reads; returns its root.

    The cache is keyed by the source folder, so a different `root` never reuses another folder's files.
    Each file is written to a temporary name and renamed, so concurrent processes never see a partial file.
    """
    missing = [f"{name}.gz" for name in _FASHION_FILES if not (source / f"{name}.gz").is_file()]
    if missing:
        raise FileNotFoundError(
            f"Fashion-MNIST files not found in {source} (missing {', '.join(missing)}). Install Debian's "
            "package dataset-fashion-mnist (`apt-get install dataset-fashion-mnist`; `make test` and `make book` "
            "do it), give a folder with the four *-ubyte.gz files (root=, or --data-root in the CLI), or, with internet, "
            "download=True (--download)."
        )
    key = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:12]
    root = cache_dir() / "fashion-mnist" / key
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in _FASHION_FILES:
        target, packed = raw / name, source / f"{name}.gz"
        if target.exists() and target.stat().st_mtime >= packed.stat().st_mtime:
            continue
        with tempfile.NamedTemporaryFile(dir=raw, prefix=f".{name}.", delete=False) as tmp:
            try:
                with gzip.open(packed, "rb") as src:
                    shutil.copyfileobj(src, tmp)
            except BaseException:
                os.unlink(tmp.name)
                raise
        os.replace(tmp.name, target)
    return root


def digits(split: str = "train", test_fraction: float = 0.25, seed: int = 0) -> TensorDataset:
    """scikit-learn's 8x8 handwritten digits (1797 images) as 1x8x8 tensors in [0, 1], with a fixed seeded split.

    Parameters
    ----------
    split : {"train", "test"}, default "train"
        Which part of the split.
    test_fraction : float, default 0.25
        The share of the images in the test part.
    seed : int, default 0
        Seed of the permutation that splits them.

    Returns
    -------
    torch.utils.data.TensorDataset
        (image, label) pairs.

    Raises
    ------
    ValueError
        If split is unknown.
    """
    from sklearn.datasets import load_digits

    _check_split(split)
    bunch = load_digits()
    order = np.random.default_rng(seed).permutation(len(bunch.target))
    cut = int(len(order) * (1 - test_fraction))
    chosen = order[:cut] if split == "train" else order[cut:]
    images = (bunch.images[chosen] / 16.0).astype(np.float32)  # pixel values are 0..16
    return TensorDataset(torch.from_numpy(images).unsqueeze(1), torch.from_numpy(bunch.target[chosen]).long())


def cifar10(split: str = "test", root: str | os.PathLike | None = None, download: bool = False) -> CIFAR10:
    """CIFAR-10 through torchvision, as (3x32x32 float tensor in [0, 1], label) pairs.

    Parameters
    ----------
    split : {"train", "test"}, default "test"
        50,000 training or 10,000 test images.
    root : str or os.PathLike, optional
        The folder holding ``cifar-10-batches-py``; default: `cache_dir()`.
    download : bool, default False
        Let torchvision fetch it when missing (needs internet).

    Returns
    -------
    torchvision.datasets.CIFAR10

    Raises
    ------
    FileNotFoundError
        If the data are not under root (and not downloaded).
    ValueError
        If split is unknown.
    """
    from torchvision import datasets, transforms

    _check_split(split)
    root = Path(root) if root is not None else cache_dir()
    try:
        return datasets.CIFAR10(str(root), train=split == "train", download=download, transform=transforms.ToTensor())
    except RuntimeError as exc:
        raise FileNotFoundError(
            f"CIFAR-10 not found under {root}: give the folder holding cifar-10-batches-py "
            "(root=, or --data-root in the CLI), or download=True (--download) with internet"
        ) from exc


def imagenet(split: str = "test", root: str | os.PathLike | None = None) -> ImageFolder:
    """ImageNet through torchvision's ImageFolder, resized to 256 and centre-cropped to 224, as in Cohen et al.

    Parameters
    ----------
    split : {"train", "test"}, default "test"
        "test" is the validation set (val/).
    root : str or os.PathLike
        A folder with train/ and val/, each holding one folder per class. Required: ImageNet cannot be
        downloaded automatically.

    Returns
    -------
    torchvision.datasets.ImageFolder
        (3x224x224 float tensor in [0, 1], label) pairs.

    Raises
    ------
    FileNotFoundError
        If root is None or lacks the split's folder.
    ValueError
        If split is unknown.
    """
    from torchvision import datasets, transforms

    _check_split(split)
    if root is None:
        raise FileNotFoundError(
            "ImageNet cannot be downloaded automatically: give a folder with train/ and val/ "
            "subfolders of class folders (root=, or --data-root in the CLI)"
        )
    folder = Path(root) / ("train" if split == "train" else "val")
    if not folder.is_dir():
        raise FileNotFoundError(
            f"ImageNet not found: {folder} is not a folder (root= or --data-root must hold "
            "train/ and val/ subfolders of class folders)"
        )
    transform = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor()])
    return datasets.ImageFolder(str(folder), transform=transform)


def load_dataset(name: str, split: str = "test", **kwargs: object) -> Dataset:
    """A dataset by name, as (float tensor in [0, 1], label) pairs.

    Parameters
    ----------
    name : {"fashion-mnist", "digits", "cifar10", "imagenet"}
        The dataset.
    split : {"train", "test"}, default "test"
        Which part.
    **kwargs
        Passed to the loader: `fashion_mnist`, `digits`, `cifar10` or `imagenet` (e.g. ``root=``).

    Returns
    -------
    torch.utils.data.Dataset

    Raises
    ------
    ValueError
        If name is unknown.
    """
    loaders = {"fashion-mnist": fashion_mnist, "digits": digits, "cifar10": cifar10, "imagenet": imagenet}
    if name not in loaders:
        raise ValueError(f"dataset must be one of {', '.join(loaders)}, got {name!r}")
    return loaders[name](split, **kwargs)


BOOK_SUBSET_PER_CLASS = 6
BOOK_SUBSET_SEED = 0


def book_subset(dataset: Dataset, per_class: int = BOOK_SUBSET_PER_CLASS, seed: int = BOOK_SUBSET_SEED) -> np.ndarray:
    """The fixed test subset every chapter certifies: `per_class` images of each class, drawn at random.

    Stratified, so that its clean accuracy is not an accident of which classes a small subset happens to
    contain. Each class's images are a uniform random sample without replacement, by a generator seeded with
    (seed, class); the same call always gives the same sorted indices, and a larger `per_class` contains the
    smaller subset.

    Parameters
    ----------
    dataset : torch.utils.data.Dataset
        (input, label) pairs, with a length, e.g. ``fashion_mnist("test")``.
    per_class : int, default 6
        Images per class, at least 1 and at most the size of the smallest class.
    seed : int, default 0
        Seed of the draw, >= 0.

    Returns
    -------
    numpy.ndarray of int
        The indices, sorted.

    Raises
    ------
    ValueError
        If per_class or seed is not a valid integer, or per_class exceeds a class's size.
    """
    # not evenly spaced indices: a subset of 60 Fashion-MNIST test images so chosen had 93% clean accuracy,
    # one of 100 had 81%
    labels = _labels(dataset)
    if isinstance(per_class, bool) or not isinstance(per_class, (int, np.integer)) or per_class < 1:
        raise ValueError(f"per_class must be a positive integer, got {per_class!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    chosen = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if per_class > len(members):
            raise ValueError(
                f"per_class must be at most {len(members)} (the images of class {int(label)}), got {per_class}"
            )
        # one generator per class, seeded by (seed, class): a larger per_class extends the same order
        order = np.random.default_rng([seed, int(label)]).permutation(len(members))
        chosen.append(members[order[:per_class]])
    return np.sort(np.concatenate(chosen))


def _labels(dataset) -> np.ndarray:
    tensors = getattr(dataset, "tensors", None)
    if tensors is not None and len(tensors) >= 2:
        return np.asarray(tensors[1])
    return np.asarray([int(dataset[i][1]) for i in range(len(dataset))])

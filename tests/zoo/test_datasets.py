"""Data loaders (rslib.zoo._datasets): shapes, ranges, splits, the Fashion-MNIST cache, and the errors when files
are missing."""

import os
from pathlib import Path

import pytest
import torch

from rslib import zoo
from rslib.zoo import _datasets


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "rslib"


def test_fashion_mnist_test_split_from_the_debian_files(fresh_cache):
    test = zoo.fashion_mnist("test")
    x, y = test.tensors
    assert len(test) == 10_000 and x.shape == (10_000, *zoo.SHAPES["fashion-mnist"]) and x.dtype == torch.float32
    assert x.min() == 0.0 and x.max() == 1.0
    assert torch.equal(y.bincount(), torch.full((10,), 1000))  # balanced classes, labels 0..9
    image, label = test[0]
    assert image.shape == (1, 28, 28) and label.item() == 9  # the first test image is an ankle boot
    assert len(zoo.FASHION_MNIST_CLASSES) == zoo.NUM_CLASSES["fashion-mnist"]


def test_fashion_mnist_is_unpacked_once_without_leftovers(fresh_cache):
    zoo.fashion_mnist("test")
    raw = [p for p in fresh_cache.rglob("*") if p.is_file()]
    assert sorted(p.name for p in raw) == sorted(_datasets._FASHION_FILES)  # no temporary files left behind
    stamps = {p: p.stat().st_mtime_ns for p in raw}
    train = zoo.fashion_mnist("train")
    assert len(train) == 60_000
    assert {p: p.stat().st_mtime_ns for p in raw} == stamps  # reused, not unpacked again


def test_missing_fashion_mnist_names_the_debian_package_and_the_folder(tmp_path, fresh_cache):
    with pytest.raises(FileNotFoundError) as info:
        zoo.fashion_mnist("test", root=tmp_path)
    message = str(info.value)
    assert "apt-get install dataset-fashion-mnist" in message
    assert str(tmp_path) in message and "download=True" in message
    assert not fresh_cache.exists()  # nothing half-made in the cache


def test_digits_split_is_fixed_disjoint_and_in_unit_range():
    train, test = zoo.digits("train"), zoo.digits("test")
    assert len(train) + len(test) == 1797
    assert train.tensors[0].shape[1:] == zoo.SHAPES["digits"]
    for ds in (train, test):
        x = ds.tensors[0]
        assert x.min() >= 0 and x.max() <= 1 and x.max() == 1.0
    assert torch.equal(zoo.digits("test").tensors[0], test.tensors[0])  # same split every time
    train_rows = {tuple(r) for r in train.tensors[0].flatten(1).tolist()}
    assert not any(tuple(r) in train_rows for r in test.tensors[0].flatten(1).tolist())


@pytest.mark.parametrize(
    "call, needle",
    [
        (lambda tmp: zoo.cifar10("test", root=tmp), "CIFAR-10 not found"),
        (lambda tmp: zoo.imagenet("test", root=tmp), "ImageNet not found"),
        (lambda tmp: zoo.imagenet("test"), "root="),
    ],
)
def test_missing_cifar_and_imagenet_raise_file_not_found(tmp_path, call, needle):
    with pytest.raises(FileNotFoundError, match=needle):
        call(tmp_path)


def test_bad_names_and_splits_are_rejected():
    with pytest.raises(ValueError, match="dataset must be one of"):
        zoo.load_dataset("mnist")
    with pytest.raises(ValueError, match="split must be"):
        zoo.digits("validation")
    assert len(zoo.load_dataset("digits", "test")) == len(zoo.digits("test"))


def test_cache_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert zoo.cache_dir() == tmp_path / "rslib"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert zoo.cache_dir() == Path(os.path.expanduser("~")) / ".cache" / "rslib"


def test_book_subset_is_stratified_fixed_and_nested():
    import numpy as np
    import torch
    from torch.utils.data import TensorDataset

    labels = torch.arange(300) % 3
    dataset = TensorDataset(torch.zeros(300, 1), labels)
    six = zoo.book_subset(dataset, per_class=6)
    assert len(six) == 18 and np.array_equal(np.sort(six), six)
    assert np.bincount(labels[six].numpy()).tolist() == [6, 6, 6]
    assert np.array_equal(six, zoo.book_subset(dataset, per_class=6))  # fixed
    assert set(six) <= set(zoo.book_subset(dataset, per_class=10))  # nested
    assert not np.array_equal(six, zoo.book_subset(dataset, per_class=6, seed=1))
    with pytest.raises(ValueError, match=r"per_class must be at most 100 \(the images of class 0\), got 101"):
        zoo.book_subset(dataset, per_class=101)
    with pytest.raises(ValueError, match="per_class must be a positive integer"):
        zoo.book_subset(dataset, per_class=0)

"""The model zoo: base classifiers, the shipped pretrained models, Cohen et al.'s checkpoints, datasets and
noise-augmented training (torch).

The shipped models are package data (`MODELS_DIR`); set the environment variable RSLIB_MODELS to look
models up by name in another folder.
"""

from rslib.zoo._architectures import ARCHITECTURES, DigitsCNN, FashionCNN, Normalize, build, num_parameters
from rslib.zoo._cohen import CifarResNet, load_checkpoint
from rslib.zoo._datasets import (
    FASHION_MNIST_CLASSES,
    NUM_CLASSES,
    SHAPES,
    book_subset,
    cache_dir,
    cifar10,
    digits,
    fashion_mnist,
    imagenet,
    load_dataset,
)
from rslib.zoo._pretrained import (
    MODELS_DIR,
    Pretrained,
    list_pretrained,
    load_pretrained,
    load_weights_only,
    models_dir,
    save,
)
from rslib.zoo._training import OBJECTIVES, OPTIMIZERS, SCHEDULES, evaluate, train

__all__ = [
    "Normalize",
    "FashionCNN",
    "DigitsCNN",
    "ARCHITECTURES",
    "build",
    "num_parameters",
    "MODELS_DIR",
    "models_dir",
    "Pretrained",
    "load_pretrained",
    "list_pretrained",
    "save",
    "load_weights_only",
    "CifarResNet",
    "load_checkpoint",
    "load_dataset",
    "fashion_mnist",
    "digits",
    "cifar10",
    "imagenet",
    "NUM_CLASSES",
    "SHAPES",
    "FASHION_MNIST_CLASSES",
    "book_subset",
    "cache_dir",
    "train",
    "evaluate",
    "OPTIMIZERS",
    "OBJECTIVES",
    "SCHEDULES",
]

"""Cohen et al.'s released checkpoints (locuslab/smoothing), loaded safely.

Their files are `torch.save({"arch": ..., "state_dict": ..., ...})` of `nn.Sequential(NormalizeLayer, net)`,
where the normalisation keeps no state, so the keys read "1.<net key>" (CIFAR-10) or "1.module.<net key>"
(ImageNet, saved through DataParallel). `load_checkpoint` reads them with `torch.load(weights_only=True)`,
which refuses to execute pickled code, and rebuilds the network with rslib's own normalisation in front.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

from rslib.smoothing import default_device
from rslib.zoo._architectures import Normalize
from rslib.zoo._pretrained import load_weights_only

__all__ = ["NORMALIZATION", "CifarResNet", "architecture", "load_checkpoint"]

NORMALIZATION = {
    "cifar10": ([0.4914, 0.4822, 0.4465], [0.2023, 0.1994, 0.2010]),
    "imagenet": ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
}


class _BasicBlock(nn.Module):
    """The CIFAR ResNet's residual block (two 3x3 convolutions), with the checkpoint's parameter names."""

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + (x if self.downsample is None else self.downsample(x)))


class CifarResNet(nn.Module):
    """The depth-(6n+2) CIFAR ResNet of Cohen et al.'s ``cifar_resnet110`` (n = 18) and ``cifar_resnet20`` (n = 3),
    with the parameter names of their checkpoints.

    Parameters
    ----------
    depth : int, default 110
        6n + 2: 20, 32, 44, 56, 110, ...
    num_classes : int, default 10
        Logits per input.

    References
    ----------
    K. He, X. Zhang, S. Ren, J. Sun. Deep residual learning for image recognition. CVPR 2016.
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """

    def __init__(self, depth: int = 110, num_classes: int = 10) -> None:
        super().__init__()
        if (depth - 2) % 6:
            raise ValueError(f"depth must be 6n + 2 (20, 32, 44, 56, 110, ...), got {depth}")
        blocks = (depth - 2) // 6
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = self._stage(16, 16, blocks, 1)
        self.layer2 = self._stage(16, 32, blocks, 2)
        self.layer3 = self._stage(32, 64, blocks, 2)
        self.fc = nn.Linear(64, num_classes)

    @staticmethod
    def _stage(inplanes, planes, blocks, stride):
        return nn.Sequential(
            _BasicBlock(inplanes, planes, stride), *[_BasicBlock(planes, planes) for _ in range(blocks - 1)]
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The logits of a batch.

        Parameters
        ----------
        x : torch.Tensor, shape (B, 3, 32, 32)
            Normalised images (`load_checkpoint` puts the normalisation in front).

        Returns
        -------
        torch.Tensor, shape (B, num_classes)
        """
        x = torch.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(nn.functional.avg_pool2d(x, 8), 1))


def architecture(arch: str) -> tuple[nn.Module, str]:
    """An untrained network of one of Cohen et al.'s architecture names, and the dataset it is for.

    Parameters
    ----------
    arch : {"cifar_resnet110", "cifar_resnet20", "resnet50"}
        The name saved in their checkpoints.

    Returns
    -------
    tuple of (torch.nn.Module, str)
        The network and "cifar10" or "imagenet".

    Raises
    ------
    ValueError
        If arch is none of these.
    """
    if arch == "cifar_resnet110":
        return CifarResNet(110), "cifar10"
    if arch == "cifar_resnet20":
        return CifarResNet(20), "cifar10"
    if arch == "resnet50":
        from torchvision.models import resnet50

        return resnet50(weights=None), "imagenet"
    raise ValueError(f"arch must be one of cifar_resnet110, cifar_resnet20, resnet50, got {arch!r}")


def load_checkpoint(path: str | os.PathLike, device: torch.device | str | None = None) -> tuple[nn.Module, dict]:
    """The model of a checkpoint released with Cohen et al.'s code, loaded without running pickled code.

    Parameters
    ----------
    path : str or os.PathLike
        A ``checkpoint.pth.tar`` of locuslab/smoothing.
    device : torch.device or str, optional
        Where to put the model; default: the GPU if there is one, else the CPU.

    Returns
    -------
    tuple of (torch.nn.Module, dict)
        The model (its normalisation in front, in eval mode) and {"arch": ..., "dataset": ...}.

    Raises
    ------
    FileNotFoundError
        If there is no file at path.
    ValueError
        Naming the file, when it is not such a checkpoint or its weights do not fit its architecture.

    References
    ----------
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}")
    checkpoint = load_weights_only(path)
    if not (isinstance(checkpoint, dict) and "arch" in checkpoint and isinstance(checkpoint.get("state_dict"), dict)):
        raise ValueError(
            f"{path} is not a Cohen et al. checkpoint: expected a dict with 'arch' and a 'state_dict' dict"
        )
    arch, state = checkpoint["arch"], checkpoint["state_dict"]
    try:
        net, dataset = architecture(arch)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    inner = {}
    for key, value in state.items():
        for prefix in ("1.module.", "1."):
            if key.startswith(prefix):
                inner[key[len(prefix) :]] = value
                break
    try:
        net.load_state_dict(inner)
    except RuntimeError as exc:
        raise ValueError(f"{path}: its state_dict does not fit {arch}: {exc}") from exc
    mean, std = NORMALIZATION[dataset]
    model = nn.Sequential(Normalize(mean, std), net).to(device or default_device()).eval()
    return model, {"arch": arch, "dataset": dataset}

"""Cohen et al.'s checkpoint format (rslib.zoo._cohen): keys as their code saves them, safe loading, clear errors."""

import pickle

import pytest
import torch

from rslib import zoo
from rslib.zoo import _cohen


def _save_like_cohen(path, arch, net, data_parallel):
    prefix = "1.module." if data_parallel else "1."
    torch.save({"epoch": 90, "arch": arch, "state_dict": {prefix + k: v for k, v in net.state_dict().items()}}, path)


@pytest.mark.parametrize(
    "arch,data_parallel,shape", [("cifar_resnet20", False, (2, 3, 32, 32)), ("resnet50", True, (1, 3, 64, 64))]
)
def test_round_trip_gives_the_same_function(tmp_path, arch, data_parallel, shape):
    net, dataset = _cohen.architecture(arch)
    net.eval()
    path = tmp_path / "checkpoint.pth.tar"
    _save_like_cohen(path, arch, net, data_parallel)
    model, info = zoo.load_checkpoint(path, device="cpu")
    x = torch.rand(shape)
    mean, std = _cohen.NORMALIZATION[dataset]
    expected = net((x - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1))
    assert info == {"arch": arch, "dataset": dataset}
    assert torch.allclose(model(x), expected, atol=1e-5)


def test_resnet110_has_the_published_depth():
    net = zoo.CifarResNet(110)
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d) and m.kernel_size == (3, 3)]
    assert len(convs) + 1 == 110  # 109 3x3 convolutions and the final linear layer
    assert sum(p.numel() for p in net.parameters()) == pytest.approx(1.73e6, rel=0.01)


def test_unsafe_or_wrong_files_are_refused(tmp_path):
    class Exploit:
        def __reduce__(self):
            return (print, ("this must never run",))

    evil = tmp_path / "evil.pth"
    with open(evil, "wb") as handle:
        pickle.dump({"arch": "cifar_resnet20", "state_dict": Exploit()}, handle)
    with pytest.raises(ValueError, match="evil.pth is not a torch checkpoint that loads with weights_only=True"):
        zoo.load_checkpoint(evil)
    wrong = tmp_path / "wrong.pth"
    torch.save({"arch": "cifar_resnet110", "state_dict": {"1.conv1.weight": torch.zeros(1)}}, wrong)
    with pytest.raises(ValueError, match="does not fit cifar_resnet110"):
        zoo.load_checkpoint(wrong)
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        zoo.load_checkpoint(tmp_path / "missing.pth")


@pytest.mark.parametrize(
    "content,match",
    [
        (b"hello\n", "text.pth is not a torch checkpoint that loads with weights_only=True \\(KeyError: 101\\)"),
        ({"arch": "cifar_resnet20", "state_dict": torch.zeros(3)}, "text.pth is not a Cohen et al. checkpoint"),
        ({"state_dict": {}}, "text.pth is not a Cohen et al. checkpoint"),
        ([1, 2], "text.pth is not a Cohen et al. checkpoint"),
        (
            {"arch": "vgg16", "state_dict": {}},
            "text.pth: arch must be one of cifar_resnet110, cifar_resnet20, resnet50, got 'vgg16'",
        ),
    ],
)
def test_errors_name_the_file_and_what_is_wrong(tmp_path, content, match):
    path = tmp_path / "text.pth"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        torch.save(content, path)
    with pytest.raises(ValueError, match=match):
        zoo.load_checkpoint(path)

"""Where tensors live and where random numbers come from (rslib.smoothing._device): the default device, seeded
generators, and the CPU allocator's tuning."""

import pytest
import torch

from rslib import smoothing
from rslib.smoothing import _device


def test_the_default_device_is_a_gpu_when_torch_sees_one(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert smoothing.default_device() == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert smoothing.default_device() == torch.device("cuda")


def test_a_generator_is_seeded_on_its_device():
    first, again, other = (smoothing.generator(s, "cpu") for s in (7, 7, 8))
    assert first.device == torch.device("cpu") and first.initial_seed() == 7
    draws = [torch.rand(5, generator=g) for g in (first, again, other)]
    assert torch.equal(draws[0], draws[1]) and not torch.equal(draws[0], draws[2])
    assert smoothing.generator(2**63 - 1, torch.device("cpu")).initial_seed() == 2**63 - 1


def test_a_generator_without_a_device_lives_on_the_default_one(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert smoothing.generator(0).device == torch.device("cpu")


@pytest.mark.parametrize("seed,error", [(-1, ValueError), (2**64, ValueError), (1.5, TypeError), (True, TypeError)])
def test_a_generator_refuses_seeds_torch_would_take_otherwise(seed, error):
    with pytest.raises(error, match=r"seed must be an integer in \[0, 2\*\*63 - 1\]"):
        smoothing.generator(seed, "cpu")


def test_the_allocator_is_tuned_once_where_glibc_is(monkeypatch):
    monkeypatch.setattr(_device, "_MALLOC_TUNED", False)
    assert smoothing.tune_cpu_allocator() is True  # this machine runs Linux with glibc
    monkeypatch.setattr(_device.ctypes, "CDLL", lambda name: pytest.fail("tuned twice"))
    assert smoothing.tune_cpu_allocator() is True


def test_the_allocator_is_left_alone_elsewhere(monkeypatch):
    monkeypatch.setattr(_device, "_MALLOC_TUNED", False)
    monkeypatch.setattr(_device.sys, "platform", "darwin")
    assert smoothing.tune_cpu_allocator() is False
    monkeypatch.setattr(_device.sys, "platform", "linux")

    def no_glibc(name):
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(_device.ctypes, "CDLL", no_glibc)  # musl, for one
    assert smoothing.tune_cpu_allocator() is False

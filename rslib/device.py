"""Where tensors live: CUDA when present, else the CPU (chosen once, passed down explicitly)."""
from __future__ import annotations

import ctypes
import sys

import torch

_MALLOC_TUNED = False


def default_device() -> torch.device:
    """`cuda` when a GPU is visible to torch, otherwise `cpu`."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def tune_cpu_allocator(threshold_bytes: int = 1 << 30) -> bool:
    """Stop glibc from handing large buffers back to the OS after every batch.

    On the CPU, inference on batches of ~1000 images spends much of its time in the kernel unmapping
    and re-mapping memory (glibc's default mmap/trim thresholds). Raising M_MMAP_THRESHOLD and
    M_TRIM_THRESHOLD keeps freed buffers for reuse; it does not change any computed value.
    Returns True when the setting was applied (glibc only).
    """
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    # glibc caps M_MMAP_THRESHOLD at 32 MiB on 64-bit (HEAP_MAX/2); larger values are refused.
    ok = libc.mallopt(m_mmap_threshold, min(threshold_bytes, 32 << 20)) == 1
    ok &= libc.mallopt(m_trim_threshold, threshold_bytes) == 1
    _MALLOC_TUNED = bool(ok)
    return _MALLOC_TUNED

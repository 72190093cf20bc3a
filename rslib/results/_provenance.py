"""How a result was made: command, device, library versions, code version and date (for cards and results files).

The record names no host or user, so cards and results files can be published as they are.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import rslib
from rslib._version import __version__

if TYPE_CHECKING:
    import torch

__all__ = ["provenance", "describe", "device_description", "git_commit", "read_json_results"]


def device_description(device: torch.device | str | None = None) -> str:
    """The GPU's name when computing on CUDA, otherwise the CPU model and torch's thread count.

    Parameters
    ----------
    device : torch.device or str, optional
        The device computed on; None: the GPU if torch sees one, else the CPU.

    Returns
    -------
    str
        E.g. ``"cuda: NVIDIA H100 80GB HBM3"`` or ``"cpu: AMD EPYC 7763 64-Core Processor (16 threads)"``.
    """
    import torch  # here: reading and describing results needs no torch; only describing a device does

    device = torch.device(device) if device is not None else None
    if (device is None or device.type == "cuda") and torch.cuda.is_available():
        return f"cuda: {torch.cuda.get_device_name(device)}"
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:  # not Linux: keep platform's answer
        pass
    return f"cpu: {cpu} ({torch.get_num_threads()} threads)"


def git_commit() -> str | None:
    """The commit of the git repository holding rslib, to record which code computed a result.

    Returns
    -------
    str or None
        HEAD's hash, with ``+dirty`` appended when tracked files differ from it; None outside a git repository
        (an installed rslib) or when git is missing.
    """
    root = Path(rslib.__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if commit.returncode != 0:
        return None
    return commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def _default_command() -> str:
    # The console script's argv[0] is a full path into the venv; "rslib ..." is what a reader retypes.
    if Path(sys.argv[0]).name == "rslib":
        return " ".join(["rslib", *sys.argv[1:]])
    return " ".join(sys.argv)


def provenance(command: str | None = None, device: torch.device | str | None = None) -> dict:
    """A JSON-ready record of how a result was made, for model cards and results files.

    It names no host or user, so cards and results files can be published as they are.

    Parameters
    ----------
    command : str, optional
        The command line to record; default: this process's (``rslib ...`` for the console script).
    device : torch.device or str, optional
        The device computed on (see `device_description`).

    Returns
    -------
    dict
        "date" (UTC, ISO 8601), "command", "device", "versions" (python, torch, torchvision, numpy, scipy,
        rslib; None for a package not installed) and "git_commit" (`git_commit`).
    """
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": _default_command() if command is None else command,
        "device": device_description(device),
        "versions": {
            "python": platform.python_version(),
            **{name: _installed(name) for name in _RECORDED},
            "rslib": __version__,
        },
        "git_commit": git_commit(),
    }


_RECORDED = ("torch", "torchvision", "numpy", "scipy")


def _installed(package: str) -> str | None:
    """The installed version of a package (without importing it), None when it is not installed."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def describe(record: dict, *, date_is: str = "computed") -> str:
    """One line a reader can check a result against: date, device, command, versions and commit.

    Parameters
    ----------
    record : dict
        A `provenance` record; missing entries are shown as "?". A results file's record may list the runs
        that resumed it under "resumed" (`rslib.results.read`); the line then says how many and the last one.
    date_is : str, default "computed"
        What the record's date is the date of: "computed" for a summary written at once (a benchmark's JSON),
        "started" for a results file, whose header is written when its first run starts and kept by every
        resume.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If `date_is` is neither.
    """
    if date_is not in ("computed", "started"):
        raise ValueError(f"date_is must be 'computed' or 'started', got {date_is!r}")
    versions = record.get("versions", {})
    line = (
        f"{date_is} {record.get('date', '?')} on {record.get('device', '?')} by `{record.get('command', '?')}` "
        f"(rslib {versions.get('rslib', '?')}, torch {versions.get('torch', '?')}, "
        f"commit {str(record.get('git_commit'))[:12]})"
    )
    resumed = record.get("resumed") or []
    if resumed:
        last = resumed[-1]
        times = "once" if len(resumed) == 1 else f"{len(resumed)} times"
        line += (
            f"; resumed {times}, last {last.get('date', '?')} on {last.get('device', '?')} "
            f"(rslib {last.get('versions', {}).get('rslib', '?')}, commit {str(last.get('git_commit'))[:12]})"
        )
    return line


def read_json_results(path: str | os.PathLike) -> dict:
    """A results file in JSON written by a script of the repository's benchmarks/ (with its "provenance").

    Parameters
    ----------
    path : str or os.PathLike
        The file.

    Returns
    -------
    dict
        The file's JSON object.

    Raises
    ------
    FileNotFoundError
        Naming the path and the JSON files beside it, when it does not exist.
    """
    path = Path(path)
    if not path.is_file():
        available = sorted(p.name for p in path.parent.glob("*.json")) if path.parent.is_dir() else []
        raise FileNotFoundError(
            f"no results file {path}; beside it: {available or 'nothing'}. The scripts in "
            "benchmarks/ write such files (see their --out option)."
        )
    return json.loads(path.read_text(encoding="utf-8"))

"""The committed runs at scale beside a chapter's build-time certifications.

`scripts/certify_at_scale.sh` certifies every shipped model on 500 Fashion-MNIST test images (idx 0, 20, ...,
9980) at N0 = 100, N = 10,000, alpha = 0.001 and commits one results file per model to ``data/results/scale``.
A chapter certifies fewer images with fewer votes while the book builds; `scale_runs` reads the committed files
(never recomputing them) and `compare_runs` says, in numbers, what the larger run changes.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rslib.results import Results, describe, read

__all__ = ["SCALE_FOLDER", "scale_runs", "RunSummary", "compare_runs", "provenance_lines"]

SCALE_FOLDER = Path("..") / "data" / "results" / "scale"
"""Where the committed runs are, seen from ``book/`` (where the chapters execute)."""


def scale_runs(models: Mapping[str, str], *, folder: str | os.PathLike = SCALE_FOLDER, n: int = 10_000) -> dict:
    """Read the committed run at scale of each model.

    Parameters
    ----------
    models : mapping of str to str
        Label in the chapter (e.g. ``"σ = 0.5"``) -> shipped model name (e.g. ``"fmnist-gaussian-0.5"``).
    folder : path, default ``../data/results/scale``
        The folder `scripts/certify_at_scale.sh` writes to.
    n : int, default 10000
        The number of votes of the run (part of the file name, ``<model>-N<n>.tsv``).

    Returns
    -------
    dict of str to rslib.results.Results
        Label -> the file's results, its provenance included.

    Raises
    ------
    FileNotFoundError
        If a model's file is missing, naming the file and the command that writes it.
    ValueError
        If a file is not the named model's run at n votes.
    """
    runs = {}
    for label, model in models.items():
        path = Path(folder) / f"{model}-N{n}.tsv"
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no run at scale of {model}; `scripts/certify_at_scale.sh` writes it")
        res = read(path)
        if res.params.get("model") != model or res.params.get("n") != n:
            raise ValueError(
                f"{path}: holds model {res.params.get('model')!r} at n = {res.params.get('n')}, "
                f"expected {model!r} at n = {n}"
            )
        runs[label] = res
    return runs


@dataclass(frozen=True)
class RunSummary:
    """What a certified-accuracy curve rests on: how many images, how many votes, and what it reached.

    Attributes
    ----------
    images : int
        Number of certified images.
    n : int
        Votes per image for the bound.
    clean_accuracy : float
        Certified accuracy at radius 0 (correct and not abstained).
    standard_error : float
        Its binomial standard error over the images, ``sqrt(a (1 - a) / images)``.
    largest_radius : float
        The largest radius certified for a correct prediction (0 when none).
    median_radius : float
        The median radius of the correct, certified predictions (0 when none).
    """

    images: int
    n: int
    clean_accuracy: float
    standard_error: float
    largest_radius: float
    median_radius: float


def _summary(res) -> RunSummary:
    columns = res.columns
    correct = np.asarray(columns["correct"], bool) & (np.asarray(columns["predict"]) >= 0)
    radius = np.asarray(columns["radius"], float)[correct]
    counts = np.asarray(columns["n"])
    images = len(columns["idx"])
    accuracy = float(correct.mean())
    return RunSummary(
        images=images,
        n=int(counts.max()),
        clean_accuracy=accuracy,
        standard_error=math.sqrt(accuracy * (1 - accuracy) / images),
        largest_radius=float(radius.max()) if radius.size else 0.0,
        median_radius=float(np.median(radius)) if radius.size else 0.0,
    )


def compare_runs(build: Mapping[str, object], scale: Mapping[str, Results]) -> dict:
    """Summaries of the build-time run and the run at scale of each label found in both.

    Parameters
    ----------
    build : mapping of str to results
        Label -> the chapter's run (`rslib.smoothing.CertifiedRun` or `rslib.results.Results`: anything with
        ``columns`` idx, predict, radius, correct and n).
    scale : mapping of str to rslib.results.Results
        Label -> the committed run (`scale_runs`).

    Returns
    -------
    dict of str to tuple of (RunSummary, RunSummary)
        Label -> (build-time summary, summary at scale), in `scale`'s order.
    """
    return {label: (_summary(build[label]), _summary(res)) for label, res in scale.items() if label in build}


def provenance_lines(scale: Mapping[str, Results]) -> str:
    """One line per committed run: the label, then `rslib.results.describe` of its provenance (the date the run
    started: a resumed run keeps its first start's header).

    Parameters
    ----------
    scale : mapping of str to rslib.results.Results
        Label -> the committed run (`scale_runs`).

    Returns
    -------
    str
        Newline-separated lines.
    """
    return "\n".join(f"{label}: {describe(res.provenance, date_is='started')}" for label, res in scale.items())

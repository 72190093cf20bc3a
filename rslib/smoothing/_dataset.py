"""Certify many inputs of a dataset: per-input seeds, a progress bar, and optionally a resumable results file."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import torch
from tqdm.auto import tqdm

from rslib import _checks, certificates, results
from rslib._seeds import input_seed
from rslib.smoothing._classifier import Smoothed
from rslib.smoothing._votes import topk_from_counts

__all__ = [
    "certify_dataset",
    "VoteCounts",
    "vote_counts",
    "topk_radii",
    "TopKRun",
    "certify_topk_dataset",
    "topk_l0_radii",
    "input_seed",
]


class SizedDataset(Protocol):
    """What a dataset run reads: ``len(dataset)`` and ``dataset[i]``, an (input tensor, label) pair.

    A `torch.utils.data.TensorDataset`, a torchvision dataset or a list of pairs.
    """

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> tuple[torch.Tensor, Any]: ...


def _dataset_indices(indices, size: int) -> list[int]:
    """The indices as ints, each in [0, size - 1] (a negative index would give a raw SeedSequence error)."""
    indices = [int(i) for i in indices]
    bad = [i for i in indices if not 0 <= i < size]
    if bad:
        raise ValueError(f"indices must lie in [0, {size - 1}] (the dataset has {size} inputs), got {bad[:5]}")
    return indices


def certify_dataset(
    smoothed: Smoothed,
    dataset: SizedDataset,
    indices: Iterable[int],
    n0: int,
    n: int,
    alpha: float,
    *,
    batch_size: int = 1000,
    seed: int = 0,
    out: str | os.PathLike | None = None,
    params: dict | None = None,
    provenance: dict | None = None,
    progress: bool = True,
    bound: str = "binary",
    pack: int = 1,
) -> results.Results:
    """Certify dataset[i] for i in indices (`Smoothed.certify`), optionally into a resumable results file.

    Input idx's samples come from the seed ``input_seed(seed, idx)``, so a row is the same whatever the
    order, sharding or packing of the run. An abstained input is written as Cohen et al. write it:
    predict -1, radius 0.

    Parameters
    ----------
    smoothed : Smoothed
        The smoothed classifier.
    dataset : SizedDataset
        Pairs (input, label), indexable, with a length.
    indices : iterable of int
        The inputs to certify, each in [0, len(dataset) - 1].
    n0, n, alpha
        As in `Smoothed.certify`.
    batch_size : int, default 1000
        Perturbed copies per forward pass (keyword-only).
    seed : int, default 0
        The run's seed, >= 0 (keyword-only).
    out : str or os.PathLike, optional
        A results file (keyword-only). Inputs already in it are skipped, so rerunning the same call resumes a
        run. It is locked while written (another writer is refused at once) and each row is fsynced as it is
        finished (`rslib.results.open_for_append`, `rslib.results.append_row`), so a kill loses at most the rows
        in flight.
    params : dict, optional
        What identifies the experiment in that file (model, dataset, ...); n0, n, alpha, seed and the noise
        are added here. A file written with other parameters is refused (keyword-only).
    provenance : dict, optional
        Written in a new file's header (keyword-only; see `rslib.results.provenance`).
    progress : bool, default True
        Show a progress bar (keyword-only).
    bound : {"binary", "simultaneous"}, default "binary"
        As in `Smoothed.certify` (keyword-only).
    pack : int, default 1
        Certify this many inputs together (`Smoothed.certify_many`), so batches stay full across inputs
        (keyword-only); their rows are written together and each row's `time` is the group's time divided by
        its size. Every input's samples are the same whatever `pack` is.

    Returns
    -------
    rslib.results.Results
        The rows of this call, or with `out` the whole file as read back.

    Raises
    ------
    ValueError
        If an index lies outside the dataset, or `out` is refused (see `rslib.results.open_for_append`).
    """
    seed = _checks.count("seed", seed, minimum=0)
    pack = _checks.count("pack", pack)
    indices = _dataset_indices(indices, len(dataset))  # before the results file is opened: a refusal touches nothing
    params = {**(params or {}), "noise": smoothed.noise.params(), "n0": n0, "n": n, "alpha": alpha, "seed": seed}
    done, handle = (set(), None) if out is None else results.open_for_append(out, params, provenance or {})
    todo = [int(i) for i in indices if int(i) not in done]
    rows = []
    try:
        with tqdm(total=len(todo), desc="certify", disable=not progress) as bar:
            for start in range(0, len(todo), pack):
                group = todo[start : start + pack]
                examples = [dataset[idx] for idx in group]
                seeds = [input_seed(seed, idx) for idx in group]
                clock = time.perf_counter()
                certs = smoothed.certify_many(
                    [x for x, _ in examples], n0, n, alpha, batch_size=batch_size, seeds=seeds, bound=bound
                )
                elapsed = (time.perf_counter() - clock) / len(group)
                for idx, (_, label), s, cert in zip(group, examples, seeds, certs):
                    row = {
                        "idx": idx,
                        "label": int(label),
                        "predict": cert.label,
                        "radius": 0.0 if cert.abstained else cert.radius,
                        "correct": int(cert.label == int(label)),
                        "time": elapsed,
                        "p_a": cert.p_a,
                        "p_b": cert.p_b,
                        "count_a": cert.count_a,
                        "n": n,
                        "norm": cert.norm,
                        "seed": s,
                    }
                    rows.append(row)
                    if handle is not None:
                        results.append_row(handle, row)
                bar.update(len(group))
    finally:
        if handle is not None:
            handle.close()
    if out is not None:
        return results.read(out)
    return results.Results(params, provenance or {}, {c: np.array([r[c] for r in rows]) for c in results.COLUMNS})


@dataclass(frozen=True)
class VoteCounts:
    """Votes per class of dataset inputs, after the first n samples for several n (`vote_counts`).

    Attributes
    ----------
    idx, label : numpy.ndarray of int, shape (inputs,)
        Each input's index in the dataset and its true label.
    counts : dict of int to numpy.ndarray
        n -> votes per class after the first n samples, shape (inputs, num_classes).
    """

    idx: np.ndarray
    label: np.ndarray
    counts: dict


def vote_counts(
    smoothed: Smoothed,
    dataset: SizedDataset,
    indices: Iterable[int],
    ns: Iterable[int] = (1000,),
    *,
    batch_size: int = 1000,
    seed: int = 0,
    progress: bool = True,
) -> VoteCounts:
    """Votes per class of dataset[i] for i in indices, after the first n samples for every n in ns.

    One stream of max(ns) samples is drawn per input (seeded by `input_seed`); its first n votes are an
    i.i.d. sample of size n, so the counts for every n come from one run.

    Parameters
    ----------
    smoothed : Smoothed
        The smoothed classifier.
    dataset : SizedDataset
        Pairs (input, label), indexable, with a length.
    indices : iterable of int
        The inputs.
    ns : iterable of int, default (1000,)
        Sample sizes, each >= 1.
    batch_size : int, default 1000
        Perturbed copies per forward pass (keyword-only).
    seed : int, default 0
        The run's seed, >= 0 (keyword-only).
    progress : bool, default True
        Show a progress bar (keyword-only).

    Returns
    -------
    VoteCounts
    """
    seed = _checks.count("seed", seed, minimum=0)
    ns = sorted({_checks.count("n", n) for n in ns})
    idx: list[int] = []
    labels: list[int] = []
    counts: dict[int, list[np.ndarray]] = {n: [] for n in ns}
    for i in tqdm([int(i) for i in indices], desc="sample votes", disable=not progress):
        x, label = dataset[i]
        votes = smoothed.sample_votes(
            x, ns[-1], batch_size=batch_size, generator=smoothed.generator(input_seed(seed, i))
        )
        idx.append(i)
        labels.append(int(label))
        for n in ns:
            counts[n].append(torch.bincount(votes[:n], minlength=smoothed.num_classes).cpu().numpy())
    return VoteCounts(
        np.asarray(idx, dtype=int),
        np.asarray(labels, dtype=int),
        {n: np.asarray(c).reshape(len(idx), smoothed.num_classes) for n, c in counts.items()},
    )


def topk_radii(
    smoothed: Smoothed, counts: np.ndarray, labels: Sequence[int] | np.ndarray, alpha: float, k: int, input_shape: tuple
) -> np.ndarray:
    """The certified top-k radius of each input's true label from its votes, as in `Smoothed.certify_topk`.

    Parameters
    ----------
    smoothed : Smoothed
        Its noise gives the certificate.
    counts : numpy.ndarray, shape (inputs, num_classes)
        Votes per class of each input.
    labels : sequence of int, shape (inputs,)
        Each input's true label.
    alpha : float
        Error level, in (0, 1).
    k : int
        1 <= k < num_classes.
    input_shape : tuple
        One input's shape.

    Returns
    -------
    numpy.ndarray, shape (inputs,)
        ``NOT_CERTIFIED`` (-1) where the label is not certified.
    """
    return np.asarray(
        [
            topk_from_counts(c, alpha=alpha, k=k, noise=smoothed.noise, input_shape=input_shape).radii[int(label)]
            for c, label in zip(counts, labels)
        ]
    )


@dataclass(frozen=True)
class TopKRun:
    """Top-k certification of dataset inputs for several k from one sample each (`certify_topk_dataset`).

    Attributes
    ----------
    idx, label : numpy.ndarray of int, shape (inputs,)
        Each input's index in the dataset and its true label.
    counts : numpy.ndarray, shape (inputs, num_classes)
        Votes per class.
    radius : dict of int to numpy.ndarray
        k -> the certified radius of each input's true label among the top k (``NOT_CERTIFIED`` where none).
    """

    idx: np.ndarray
    label: np.ndarray
    counts: np.ndarray
    radius: dict


def certify_topk_dataset(
    smoothed: Smoothed,
    dataset: SizedDataset,
    indices: Iterable[int],
    n: int,
    alpha: float,
    ks: Iterable[int] = (1,),
    *,
    batch_size: int = 1000,
    seed: int = 0,
    progress: bool = True,
) -> TopKRun:
    """Top-k certification of dataset[i] for i in indices, for every k in ks, from one sample per input.

    Parameters
    ----------
    smoothed : Smoothed
        A smoothed classifier whose noise has a top-k certificate (Gaussian or Ablation).
    dataset : SizedDataset
        Pairs (input, label), indexable, with a length.
    indices : iterable of int
        The inputs.
    n : int
        Samples per input, >= 1.
    alpha : float
        Error level of each certificate, in (0, 1).
    ks : iterable of int, default (1,)
        The values of k.
    batch_size : int, default 1000
        Perturbed copies per forward pass (keyword-only).
    seed : int, default 0
        The run's seed (keyword-only; input i uses ``input_seed(seed, i)``).
    progress : bool, default True
        Show a progress bar (keyword-only).

    Returns
    -------
    TopKRun
    """
    votes = vote_counts(smoothed, dataset, indices, (n,), batch_size=batch_size, seed=seed, progress=progress)
    shape = tuple(dataset[int(votes.idx[0])][0].shape) if len(votes.idx) else ()
    counts = votes.counts[n]
    return TopKRun(
        votes.idx, votes.label, counts, {k: topk_radii(smoothed, counts, votes.label, alpha, k, shape) for k in ks}
    )


def topk_l0_radii(
    smoothed: Smoothed, votes: VoteCounts, n: int, alpha: float, k: int, input_shape: tuple
) -> np.ndarray:
    """Certified l0 radius (pixels) of each input's true label among the top k, from the first n of its votes.

    Ablation gives pixels directly; an l2 radius R (Gaussian noise) becomes the largest r with
    sqrt(r C) < R, C = input_shape[0] channels in [0, 1] (`rslib.certificates.l2_to_l0`): changing r pixels
    moves such an image by at most sqrt(r C) in l2.

    Parameters
    ----------
    smoothed : Smoothed
        With ablation or Gaussian noise.
    votes : VoteCounts
        From `vote_counts`, with n among its sample sizes.
    n : int
        Which sample size to use.
    alpha : float
        Error level, in (0, 1).
    k : int
        1 <= k < num_classes.
    input_shape : tuple
        One input's shape (channels, height, width).

    Returns
    -------
    numpy.ndarray of int, shape (inputs,)
        ``NOT_CERTIFIED`` (-1) where the label is not certified.

    Raises
    ------
    ValueError
        If the noise certifies neither l0 nor l2.
    """
    radius = topk_radii(smoothed, votes.counts[n], votes.label, alpha, k, input_shape)
    if smoothed.noise.norm == "l0":
        return radius
    if smoothed.noise.norm != "l2":
        raise ValueError(
            f"topk_l0_radii needs an l0 (ablation) or l2 (Gaussian) certificate, got {smoothed.noise.norm}"
        )
    return np.asarray(certificates.l2_to_l0(radius, channels=int(input_shape[0])))  # an array already: for mypy

"""Certification results files: Cohen et al.'s TSV columns plus rslib's, behind a provenance header.

    # rslib-params: {"model": ..., "noise": {...}, "n0": 100, "n": 100000, "alpha": 0.001, ...}
    # rslib-provenance: {"date": ..., "device": ..., "versions": {...}, "command": ...}
    idx  label  predict  radius  correct  time  p_a  p_b  count_a  n  norm  seed

Rows are appended and flushed one at a time, so a run killed at any moment loses at most the row it
was writing; `open_for_append` drops such a torn last line and refuses a file written with other
parameters, so a resumed run never mixes two experiments.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np

COLUMNS = ("idx", "label", "predict", "radius", "correct", "time", "p_a", "p_b", "count_a", "n", "norm", "seed")
_PARAMS, _PROVENANCE = "# rslib-params: ", "# rslib-provenance: "


@dataclass
class Results:
    """A results file in memory: its parameters, provenance, and one numpy array per column."""

    params: dict
    provenance: dict
    columns: dict

    def __len__(self) -> int:
        return len(self.columns["idx"])

    def certified_accuracy(self, radius_grid) -> np.ndarray:
        """Fraction of rows certified correct at each radius r: correct and certified radius >= r."""
        return certified_accuracy(self.columns["radius"], self.columns["correct"], radius_grid)

    def certified_accuracy_with(self, radius_fn, radius_grid) -> np.ndarray:
        """Certified accuracy if another certificate had turned the same bounds into radii: radius_fn(p_a, p_b)
        on the rows that did not abstain, 0 on those that did (comparing certificates on one set of samples)."""
        certified = self.columns["predict"] >= 0
        radius = np.where(certified, radius_fn(self.columns["p_a"], self.columns["p_b"]), 0.0)
        return certified_accuracy(radius, self.columns["correct"].astype(bool) & certified, radius_grid)


def certified_accuracy(radius, correct, radius_grid) -> np.ndarray:
    """mean over inputs of [correct and radius >= r], for each r in radius_grid (Cohen et al.'s analysis)."""
    radius, correct = np.asarray(radius, float), np.asarray(correct, bool)
    grid = np.asarray(radius_grid, float)
    if radius.size == 0:
        raise ValueError("radius must contain at least one result")
    return (correct[None, :] & (radius[None, :] >= grid[:, None])).mean(axis=1)


def read(path) -> Results:
    """Parse a results file; a malformed file raises ValueError naming it and the line."""
    params, provenance, header, rows = None, {}, None, []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                if line.startswith(_PARAMS):
                    params = json.loads(line[len(_PARAMS):])
                elif line.startswith(_PROVENANCE):
                    provenance = json.loads(line[len(_PROVENANCE):])
                elif header is None:
                    header = line.rstrip("\n").split("\t")
                    if tuple(header) != COLUMNS:
                        raise ValueError(f"expected the columns {' '.join(COLUMNS)}")
                elif line.endswith("\n"):  # a line without its newline was torn by a kill: not a result
                    fields = line.rstrip("\n").split("\t")
                    if len(fields) != len(COLUMNS):
                        raise ValueError(f"expected {len(COLUMNS)} fields, got {len(fields)}")
                    rows.append(fields)
            except (ValueError, json.JSONDecodeError) as exc:
                raise ValueError(f"{path}: line {number} is not a valid rslib results line: {exc}") from exc
    if params is None or header is None:
        raise ValueError(f"{path}: not an rslib results file (no '{_PARAMS.strip()}' line or no column header)")
    return Results(params, provenance, _columns(rows, path))


def _columns(rows, path) -> dict:
    types = {"idx": int, "label": int, "predict": int, "radius": float, "correct": int, "time": float,
             "p_a": float, "p_b": float, "count_a": int, "n": int, "norm": str, "seed": int}
    try:
        return {name: np.array([types[name](row[i]) for row in rows], dtype=types[name] if types[name] is not str else object)
                for i, name in enumerate(COLUMNS)}
    except ValueError as exc:
        raise ValueError(f"{path}: a row has a malformed value: {exc}") from exc


def open_for_append(path, params: dict, provenance: dict) -> tuple[set, object]:
    """Open `path` to append rows, creating it with its header when new.

    Returns (indices already done, file handle). A file with rows written with other params raises
    ValueError; one with no row yet (a run that failed before its first input) is started afresh.
    """
    params = json.loads(json.dumps(params))  # normalise (tuples to lists, ...) as it will read back
    if os.path.exists(path) and os.path.getsize(path) > 0:
        _drop_torn_last_line(path)
        existing = read(path)
        if existing.params != params and len(existing) == 0:
            os.remove(path)
            return open_for_append(path, params, provenance)
        if existing.params != params:
            changed = sorted(k for k in set(params) | set(existing.params) if params.get(k) != existing.params.get(k))
            raise ValueError(f"{path} was written with other parameters ({', '.join(changed)} differ); "
                             "use another output file or the original parameters to resume")
        handle = open(path, "a", encoding="utf-8")
        return set(existing.columns["idx"].tolist()), handle
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    handle = open(path, "w", encoding="utf-8")
    handle.write(_PARAMS + json.dumps(params, sort_keys=True) + "\n")
    handle.write(_PROVENANCE + json.dumps(provenance, sort_keys=True) + "\n")
    handle.write("\t".join(COLUMNS) + "\n")
    handle.flush()
    return set(), handle


def append_row(handle, row: dict) -> None:
    """Write one result row and push it to the OS, so a later kill cannot lose it."""
    handle.write("\t".join(_format(row[c]) for c in COLUMNS) + "\n")
    handle.flush()
    os.fsync(handle.fileno())


def _format(value) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _drop_torn_last_line(path) -> None:
    with open(path, "rb+") as handle:
        data = handle.read()
        if data and not data.endswith(b"\n"):
            handle.truncate(data.rfind(b"\n") + 1)


def merge(shards, out) -> Results:
    """Merge results files of one experiment (e.g. the shards of a torchrun run) into `out`, in index order.

    All shards must have the same parameters; rows already in `out` are not written twice.
    """
    loaded = [read(path) for path in shards]
    if not loaded:
        raise ValueError("shards must name at least one results file")
    for path, res in zip(shards, loaded):
        if res.params != loaded[0].params:
            raise ValueError(f"{path} was written with other parameters than {shards[0]}; not merging")
    provenance = {**loaded[0].provenance, "merged_from": [str(p) for p in shards]}
    done, handle = open_for_append(out, loaded[0].params, provenance)
    rows = sorted((row for res in loaded for row in _rows(res)), key=lambda row: row["idx"])
    with handle:
        for row in rows:
            if row["idx"] not in done:
                append_row(handle, row)
                done.add(row["idx"])
    return read(out)


def _rows(res: Results):
    for i in range(len(res)):
        yield {c: res.columns[c][i].item() if hasattr(res.columns[c][i], "item") else res.columns[c][i] for c in COLUMNS}

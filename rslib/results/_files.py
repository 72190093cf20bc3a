"""Certification results files: Cohen et al.'s TSV columns plus rslib's, behind a provenance header.

    # rslib-params: {"model": ..., "noise": {...}, "n0": 100, "n": 100000, "alpha": 0.001, ...}
    # rslib-provenance: {"date": ..., "device": ..., "versions": {...}, "command": ...}
    idx  label  predict  radius  correct  time  p_a  p_b  count_a  n  norm  seed
    ...rows...
    # rslib-resumed: {"date": ..., "device": ..., "versions": {...}, "command": ...}
    ...rows...

Each resume writes where it starts the provenance of the run that resumes (`Results.provenance["resumed"]`,
in order), so that a file finished over several runs names every command, device, version and date.

What a file promises (README, "Guarantees"):

- Durability: the header and every row are flushed and fsynced as they are written, so a run killed at
  any moment loses at most the rows in flight; a torn last line is skipped on read and removed on resume.
- One writer: a writer holds an exclusive `fcntl.flock` on the file for as long as it writes; a second
  one is refused at once. `merge` writes a temporary file beside `out`, fsyncs it and renames it over
  `out`, so `out` is always either the old file or the complete merge.
- Nothing is touched before it is understood: a file is parsed and checked whole before a torn last line
  is removed or rows are appended; a file that is not a valid rslib results file is left byte-identical.
- Every row is checked on read (resume, analyze, merge): its values lie in their ranges, its `n`, `norm`
  and `seed` agree with the header, and no `idx` appears twice.
- Floats are written with `repr`, so they read back bit for bit (no radius is rounded up in the file).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import math
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

import numpy as np
from numpy.typing import ArrayLike

from rslib._seeds import input_seed
from rslib.certificates import family_from_params

__all__ = ["COLUMNS", "Results", "certified_accuracy", "read", "open_for_append", "append_row", "locked", "merge"]

COLUMNS = ("idx", "label", "predict", "radius", "correct", "time", "p_a", "p_b", "count_a", "n", "norm", "seed")
_PARAMS, _PROVENANCE, _RESUMED = "# rslib-params: ", "# rslib-provenance: ", "# rslib-resumed: "
_TYPES = {
    "idx": int,
    "label": int,
    "predict": int,
    "radius": float,
    "correct": int,
    "time": float,
    "p_a": float,
    "p_b": float,
    "count_a": int,
    "n": int,
    "norm": str,
    "seed": int,
}
_HELD: dict = {}  # realpath -> the open handle whose flock this process holds (see `locked`)


@dataclass
class Results:
    """A results file in memory: its parameters, provenance, and one numpy array per column.

    Attributes
    ----------
    params : dict
        The experiment's parameters (the ``# rslib-params:`` line): model, noise, n0, n, alpha, seed, ...
    provenance : dict
        How the file was made (the ``# rslib-provenance:`` line, see `provenance`); empty when absent. A file
        resumed by later runs also has ``"resumed"``: their provenance, in order (``# rslib-resumed:`` lines).
    columns : dict of str to numpy.ndarray
        One array per column of `COLUMNS`, one entry per row (Cohen et al.'s logs: their own columns only).
    format : str, default "rslib"
        "rslib" for rslib's own files, "cohen-certify" or "cohen-predict" for Cohen et al.'s logs (`read_log`).
    """

    params: dict
    provenance: dict
    columns: dict
    format: str = "rslib"

    def __len__(self) -> int:
        return len(self.columns["idx"])

    def certified_accuracy(self, radius_grid: ArrayLike) -> np.ndarray:
        """Fraction of rows certified correct at each radius r: correct and certified radius >= r.

        Parameters
        ----------
        radius_grid : array_like, shape (m,)
            The radii r.

        Returns
        -------
        numpy.ndarray, shape (m,)
            See the function `certified_accuracy`.
        """
        return certified_accuracy(self.columns["radius"], self.columns["correct"], radius_grid)

    def certified_accuracy_with(
        self, radius_fn: Callable[[np.ndarray, np.ndarray], ArrayLike], radius_grid: ArrayLike
    ) -> np.ndarray:
        """Certified accuracy had another certificate turned the same bounds into radii.

        Compares certificates on one set of samples: the rows that abstained stay uncertified (radius 0 and
        not correct); the others get ``radius_fn(p_a, p_b)``.

        Parameters
        ----------
        radius_fn : callable
            ``radius_fn(p_a, p_b)``: radii from the columns p_a and p_b (arrays), e.g.
            ``lambda a, b: certificates.renyi_l2(a, b, sigma=0.5)``.
        radius_grid : array_like, shape (m,)
            The radii r.

        Returns
        -------
        numpy.ndarray, shape (m,)
            The fraction of rows correct with a radius >= r, for each r.
        """
        certified = self.columns["predict"] >= 0
        radius = np.where(certified, radius_fn(self.columns["p_a"], self.columns["p_b"]), 0.0)
        return certified_accuracy(radius, self.columns["correct"].astype(bool) & certified, radius_grid)


def certified_accuracy(radius: ArrayLike, correct: ArrayLike, radius_grid: ArrayLike) -> np.ndarray:
    r"""Certified accuracy at each radius r, as Cohen et al. (2019) report it:

    .. math:: \mathrm{acc}(r) = \frac{1}{N}\sum_{i=1}^{N} [\text{correct}_i \text{ and } R_i \ge r].

    Parameters
    ----------
    radius : array_like, shape (N,)
        Certified radius of each input (0 or ``NOT_CERTIFIED`` where it abstained).
    correct : array_like of bool, shape (N,)
        Whether each certified label is the true one.
    radius_grid : array_like, shape (m,)
        The radii r.

    Returns
    -------
    numpy.ndarray, shape (m,)
        Fractions in [0, 1].

    Raises
    ------
    ValueError
        If there is no result (N = 0).

    References
    ----------
    J. Cohen, E. Rosenfeld, Z. Kolter. Certified adversarial robustness via randomized smoothing. ICML 2019.
    """
    radius, correct = np.asarray(radius, float), np.asarray(correct, bool)
    grid = np.asarray(radius_grid, float)
    if radius.size == 0:
        raise ValueError("radius must contain at least one result")
    return (correct[None, :] & (radius[None, :] >= grid[:, None])).mean(axis=1)


# --- Reading: the whole file is parsed and every row checked ------------------------------------------------


def read(path: str | os.PathLike) -> Results:
    """Parse an rslib results file, checking every row.

    A last line without its newline (torn by a kill) is not a result and is skipped.

    Parameters
    ----------
    path : str or os.PathLike
        The file.

    Returns
    -------
    Results

    Raises
    ------
    ValueError
        Naming the file and the line, for a malformed file or a row no certificate produces (a value out of
        its range, an n, norm or seed that disagrees with the header, an idx seen before).
    """
    with open(path, "rb") as handle:
        return _parse(path, handle.read())[0]


def _parse(path, data: bytes) -> tuple[Results, int, list]:
    """(results, byte length of the complete lines, line number of each row); the rest is a torn last line."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise ValueError(f"{path}: starts with a byte-order mark; an rslib results file is plain UTF-8 without one")
    complete = data.rfind(b"\n") + 1
    lines = data[:complete].split(b"\n")[:-1]
    params, provenance, header, rows, numbers, resumed = None, None, None, [], [], []
    blank = None  # the first blank line among the rows: an error unless only blank lines follow it
    for number, raw in enumerate(lines, start=1):
        line = _decode(path, number, raw)
        where = f"{path}: line {number}"
        if line.startswith(_PARAMS):
            if params is not None:
                raise ValueError(f"{where}: a second '{_PARAMS.strip()}' line (one file holds one experiment)")
            if header is not None:
                raise ValueError(f"{where}: the '{_PARAMS.strip()}' line must come before the column header")
            params = _json_object(where, _PARAMS, line)
        elif line.startswith(_PROVENANCE) and header is None:
            if provenance is not None:
                raise ValueError(f"{where}: a second '{_PROVENANCE.strip()}' line")
            provenance = _json_object(where, _PROVENANCE, line)
        elif header is None:
            if tuple(line.split("\t")) != COLUMNS:
                raise ValueError(f"{where} is not a valid rslib results line: expected the columns {' '.join(COLUMNS)}")
            header = number
        elif line == "":
            blank = number if blank is None else blank
        else:
            if blank is not None:
                raise ValueError(
                    f"{path}: line {blank} is blank; rows must follow one another (only trailing "
                    "blank lines are allowed)"
                )
            if line.startswith(_RESUMED):
                resumed.append(_json_object(where, _RESUMED, line))
                continue
            rows.append(_row(where, line))
            numbers.append(number)
    if params is None or header is None:
        raise ValueError(f"{path}: not an rslib results file (no '{_PARAMS.strip()}' line or no column header)")
    _check_rows(path, params, rows, numbers)
    columns: dict[str, np.ndarray] = {
        name: np.array([row[name] for row in rows], dtype=object if kind is str else kind)
        for name, kind in _TYPES.items()
    }
    provenance = provenance or {}
    if resumed:
        provenance = {**provenance, "resumed": provenance.get("resumed", []) + resumed}
    return Results(params, provenance, columns), complete, numbers


def _decode(path, number: int, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: line {number} is not UTF-8 (an rslib results file is plain UTF-8 text)") from None


def _json_object(where: str, prefix: str, line: str) -> dict:
    try:
        value = json.loads(line[len(prefix) :])
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where} is not a valid rslib results line: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{where}: the '{prefix.strip()}' line must hold a JSON object, got a {type(value).__name__}")
    return value


def _row(where: str, line: str) -> dict:
    """One row's fields converted to their column types and checked for the ranges a certificate produces."""
    fields = line.split("\t")
    if len(fields) != len(COLUMNS):
        raise ValueError(
            f"{where} is not a valid rslib results line: expected {len(COLUMNS)} fields, got {len(fields)}"
        )
    row = {name: _convert(where, name, text) for name, text in zip(COLUMNS, fields)}
    problem = _row_problem(row)
    if problem:
        raise ValueError(f"{where}: {problem}")
    return row


def _convert(where: str, name: str, text: str):
    kind = _TYPES[name]
    try:
        return kind(text)
    except ValueError:
        noun = "an integer" if kind is int else "a number" if kind is float else "text"
        raise ValueError(f"{where}: {name} must be {noun}, got {text!r}") from None


def _row_problem(row: dict) -> str | None:
    """What makes `row` one that no certificate produces, or None."""
    for name in ("radius", "time"):
        if not (math.isfinite(row[name]) and row[name] >= 0):
            return f"{name} must be a finite number >= 0, got {row[name]!r}"
    for name in ("idx", "label", "n"):
        if row[name] < (1 if name == "n" else 0):
            return f"{name} must be an integer >= {1 if name == 'n' else 0}, got {row[name]}"
    if row["correct"] not in (0, 1):
        return f"correct must be 0 or 1, got {row['correct']}"
    if row["predict"] < -1:
        return f"predict must be a class (>= 0) or -1 (abstain), got {row['predict']}"
    if row["predict"] == -1 and (row["radius"] != 0 or row["correct"] != 0):
        return (
            f"an abstained row (predict -1) must have radius 0 and correct 0, got radius {row['radius']!r} "
            f"and correct {row['correct']}"
        )
    if row["predict"] >= 0 and row["correct"] != int(row["predict"] == row["label"]):
        return f"correct must be 1 exactly when predict equals label, got correct {row['correct']}"
    for name in ("p_a", "p_b"):
        if not 0 <= row[name] <= 1:
            return f"{name} must lie in [0, 1], got {row[name]!r}"
    if not 0 <= row["count_a"] <= row["n"]:
        return f"count_a must lie in [0, n], got {row['count_a']}"
    return None


def _check_rows(path, params: dict, rows: list, numbers: list) -> None:
    """Each row agrees with the header (n, the noise's norm, the per-input seed) and no idx is repeated."""
    norm = _header_norm(path, params)
    seen: dict[int, int] = {}
    for row, number in zip(rows, numbers):
        where = f"{path}: line {number}"
        if "n" in params and row["n"] != params["n"]:
            raise ValueError(f"{where}: n is {row['n']} but the header's n is {params['n']}")
        if norm is not None and row["norm"] != norm:
            raise ValueError(f"{where}: norm is {row['norm']!r} but the header's noise certifies {norm}")
        if isinstance(params.get("seed"), int) and row["seed"] != input_seed(params["seed"], row["idx"]):
            raise ValueError(
                f"{where}: seed is {row['seed']} but the header's seed {params['seed']} gives input "
                f"{row['idx']} the seed {input_seed(params['seed'], row['idx'])}"
            )
        if row["idx"] in seen:
            raise ValueError(
                f"{where}: idx {row['idx']} is already on line {seen[row['idx']]} (an input is certified once per file)"
            )
        seen[row["idx"]] = number


def _header_norm(path, params: dict) -> str | None:
    if "noise" not in params:
        return None
    try:
        return family_from_params(params["noise"])[0].norm
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path}: the header's noise {params['noise']!r} is not a valid noise ({exc})") from None


# --- Writing: one locked writer, the file checked before it is touched, every row fsynced --------------------


def open_for_append(path: str | os.PathLike, params: dict, provenance: dict) -> tuple[set[int], TextIO]:
    """Open `path` to append rows, creating it with its header when new, and lock it until the handle closes.

    The whole file is checked before anything is written: a file that is not a valid rslib results file is
    left byte-identical; only then is a torn last line removed. A file with no row yet (a run that failed
    before its first input, or a header torn by a kill) is started afresh.

    Parameters
    ----------
    path : str or os.PathLike
        The results file; its folder is created when missing.
    params : dict
        The experiment's parameters (JSON-serialisable); an existing file must have been written with them.
    provenance : dict
        Written in the header of a new file; on a resume, in a ``# rslib-resumed:`` line before the new rows.

    Returns
    -------
    tuple of (set of int, TextIO)
        The indices already in the file, and the handle to give `append_row` (close it to release the lock).

    Raises
    ------
    ValueError
        If the file is not a valid rslib results file, holds rows written with other params, is not a
        regular file, or another process holds its lock.
    """
    params = json.loads(json.dumps(params))  # normalise (tuples to lists, ...) as it will read back
    _check_regular(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    handle = open(path, "a", encoding="utf-8")  # appends only: nothing in the file changes by opening it
    try:
        _lock(path, handle)  # flock is per open file: even this process's own `locked` refuses a second writer
        done = _prepare(path, handle, params, provenance)
    except BaseException:
        handle.close()
        raise
    return done, handle


def _prepare(path, handle, params: dict, provenance: dict) -> set:
    """Check the locked file, drop a torn last line or write a fresh header; the indices already done."""
    with open(path, "rb") as reader:
        data = reader.read()
    if data:
        try:
            existing, complete, _ = _parse(path, data)
        except ValueError as exc:
            if not _is_torn_header(data):
                raise ValueError(f"{exc} (the file is left unchanged; write the results to another file)") from None
            existing, complete = None, 0
        if existing is not None and existing.params != params and len(existing) > 0:
            changed = sorted(k for k in set(params) | set(existing.params) if params.get(k) != existing.params.get(k))
            raise ValueError(
                f"{path} was written with other parameters ({', '.join(changed)} differ); "
                "use another output file or the original parameters to resume"
            )
        if existing is not None and existing.params == params:
            if complete < len(data):  # the torn last line of a killed writer, after a file checked valid
                os.ftruncate(handle.fileno(), complete)
                os.fsync(handle.fileno())
            handle.write(_RESUMED + json.dumps(provenance, sort_keys=True) + "\n")  # who wrote the rows after
            _sync(handle)
            return set(existing.columns["idx"].tolist())
        os.ftruncate(handle.fileno(), 0)  # no row to lose: a header only (other params) or a torn header
    handle.write(_PARAMS + json.dumps(params, sort_keys=True) + "\n")
    handle.write(_PROVENANCE + json.dumps(provenance, sort_keys=True) + "\n")
    handle.write("\t".join(COLUMNS) + "\n")
    _sync(handle)
    _sync_directory(path)
    return set()


def _is_torn_header(data: bytes) -> bool:
    """Whether data is the start of a header cut off by a kill: complete header lines, then a partial one."""
    expected = [_PARAMS.encode(), _PROVENANCE.encode(), "\t".join(COLUMNS).encode()]
    *complete, tail = data.split(b"\n")
    if len(complete) >= len(expected) or not (complete or tail):
        return False
    if any(not line.startswith(start) for line, start in zip(complete, expected)):
        return False
    if not tail:  # killed between two header lines
        return True
    following = expected[len(complete)]
    comment = following.startswith(b"#")
    return following.startswith(tail) or (comment and tail.startswith(following))


def append_row(handle: TextIO, row: dict) -> None:
    """Write one result row and push it to the disk (flush and fsync), so that a later kill cannot lose it.

    Floats are written with `repr`, so they read back bit for bit.

    Parameters
    ----------
    handle : TextIO
        From `open_for_append`.
    row : dict
        A value for every name of `COLUMNS`.
    """
    handle.write("\t".join(_format(row[c]) for c in COLUMNS) + "\n")
    _sync(handle)


def _format(value) -> str:
    # repr of a Python float is the shortest text that reads back as the same double: no rounding up.
    # numpy scalars are converted first (repr(np.float64(x)) is 'np.float64(x)'; a float32 becomes its exact double).
    if isinstance(value, (float, np.floating)):
        return float.__repr__(float(value))
    if isinstance(value, (bool, np.bool_, np.integer)):
        return str(int(value))
    return str(value)


def _sync(handle) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _sync_directory(path) -> None:
    """fsync the folder holding path, so that a new or renamed file's directory entry survives a crash too."""
    fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_regular(path) -> None:
    if os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode):
        raise ValueError(f"{path} is not a regular file; a results file must be one")


def _lock(path, handle) -> None:
    """Take the exclusive lock of `path` through `handle`, or refuse at once if another process holds it."""
    in_use = (
        f"{path} is in use: another rslib process is writing it (it holds its lock); wait for that run "
        "to finish or write to another file"
    )
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise ValueError(in_use) from None
    try:  # a merge may have renamed a new file over path between our open and our lock
        replaced = os.stat(path).st_ino != os.fstat(handle.fileno()).st_ino
    except FileNotFoundError:
        replaced = True
    if replaced:
        raise ValueError(in_use)


@contextlib.contextmanager
def locked(path: str | os.PathLike) -> Iterator[None]:
    """Hold the exclusive lock of results file `path` for a ``with`` block (re-entrant within a process).

    For writers that do not go through `open_for_append`, such as rank 0 of a torchrun run, which holds
    ``--out`` from start to merge. A file created here only for the lock is removed again if still empty.

    Parameters
    ----------
    path : str or os.PathLike
        The results file.

    Yields
    ------
    None

    Raises
    ------
    ValueError
        If another process holds the lock, or path is not a regular file.
    """
    key = os.path.realpath(path)
    if key in _HELD:
        yield
        return
    _check_regular(path)
    created = not os.path.exists(path)
    handle = open(path, "ab")
    try:
        _lock(path, handle)
    except BaseException:
        handle.close()
        raise
    _HELD[key] = handle
    try:
        yield
    finally:
        held = _HELD.pop(key)
        if created and os.path.exists(path) and os.path.getsize(path) == 0:
            os.remove(path)
        held.close()


def merge(shards: Iterable[str | os.PathLike], out: str | os.PathLike) -> Results:
    """Merge results files of one experiment (e.g. the shards of a torchrun run) into `out`, in index order.

    An input in several files must have the same row in each (every column but `time`); it is written once.
    `out` is replaced atomically: a temporary file beside it is written, fsynced and renamed over it, so a
    kill at any moment leaves `out` as it was or complete. Its provenance is the first shard's, with
    ``"merged_from"``: the path and whole provenance (resumes included) of every file merged, `out`'s
    earlier content first when it had rows, so no run's record is lost.

    Parameters
    ----------
    shards : iterable of str or os.PathLike
        The files to merge, at least one, all written with the same parameters.
    out : str or os.PathLike
        The merged file; its rows are kept when it exists (it must have the same parameters).

    Returns
    -------
    Results
        `out` as read back.

    Raises
    ------
    ValueError
        If there is no shard, the parameters differ, or an input has conflicting rows (both are named).
    """
    shards = list(shards)
    if not shards:
        raise ValueError("shards must name at least one results file")
    with locked(out):
        with contextlib.ExitStack() as stack:
            for path in shards:
                stack.enter_context(locked(path))
            contents = [_read_bytes(path) for path in shards]
            for path, data in zip(shards, contents):  # first the experiment, then (below) each row
                if _first_params(data) != _first_params(contents[0]):
                    raise ValueError(f"{path} was written with other parameters than {shards[0]}; not merging")
            loaded = [(path, *_parse(path, data)[::2]) for path, data in zip(shards, contents)]
            sources = loaded
            if os.path.getsize(out) > 0:
                existing, _, numbers = _parse(out, _read_bytes(out))
                if existing.params != loaded[0][1].params:
                    raise ValueError(f"{out} was written with other parameters than {shards[0]}; not merging")
                sources = [(out, existing, numbers), *loaded]
            rows = _merged_rows(sources)
            # every source's own provenance (its resumes included) is kept, `out`'s earlier one first
            merged_from = [{"path": str(path), "provenance": run.provenance} for path, run, _ in sources]
            provenance = {**loaded[0][1].provenance, "merged_from": merged_from}
            _replace(out, loaded[0][1].params, provenance, rows)
    return read(out)


def _read_bytes(path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _first_params(data: bytes):
    """The parsed JSON of a file's first line when it is a params line, else None (a cheap look at the header)."""
    first = data.split(b"\n", 1)[0]
    try:
        return json.loads(first[len(_PARAMS) :]) if first.startswith(_PARAMS.encode()) else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _merged_rows(sources) -> list:
    """The rows of all sources, each idx once, in index order; a conflicting duplicate raises ValueError."""
    first = {}  # idx -> (row, file, line)
    for path, res, numbers in sources:
        for row, number in zip(_rows(res), numbers):
            if row["idx"] not in first:
                first[row["idx"]] = (row, path, number)
                continue
            kept, kept_path, kept_number = first[row["idx"]]
            if any(kept[c] != row[c] for c in COLUMNS if c != "time"):
                raise ValueError(
                    f"idx {row['idx']} differs between {kept_path} line {kept_number} and {path} line "
                    f"{number}; not merging (they are not the same certification)"
                )
    return [first[idx][0] for idx in sorted(first)]


def _replace(out, params: dict, provenance: dict, rows: list) -> None:
    """Write out anew through a locked temporary file renamed over it; the lock moves to the new file."""
    temporary = os.path.join(os.path.dirname(os.path.abspath(out)), f".{os.path.basename(out)}.merging")
    handle = open(temporary, "w", encoding="utf-8")  # a leftover of a killed merge is overwritten: we hold out
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        handle.write(_PARAMS + json.dumps(params, sort_keys=True) + "\n")
        handle.write(_PROVENANCE + json.dumps(provenance, sort_keys=True) + "\n")
        handle.write("\t".join(COLUMNS) + "\n")
        handle.writelines("\t".join(_format(row[c]) for c in COLUMNS) + "\n" for row in rows)
        _sync(handle)
        os.replace(temporary, out)
        _sync_directory(out)
    except BaseException:
        handle.close()
        raise
    key = os.path.realpath(out)
    previous, _HELD[key] = _HELD[key], handle  # the new file is locked before anyone can open it
    previous.close()


def _rows(res: Results):
    for i in range(len(res)):
        yield {
            c: res.columns[c][i].item() if hasattr(res.columns[c][i], "item") else res.columns[c][i] for c in COLUMNS
        }

"""The literature's result files: Cohen et al.'s certify and predict logs, read beside rslib's own files,
and certified-accuracy tables in text, Markdown and LaTeX.

Cohen et al.'s `certify.py` writes one row per input, ``idx label predict radius correct time``, and its
`predict.py` ``idx label predict correct time``; `time` is seconds in some published files and
``H:MM:SS.ffffff`` (a `datetime.timedelta`) in most; an abstention is ``predict = -1``. Every paper that
builds on their code compares against such files.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from rslib.results._display import format_down
from rslib.results._files import Results, read

__all__ = ["CERTIFY_LOG", "PREDICT_LOG", "read_log", "AccuracyTable", "accuracy_table"]

CERTIFY_LOG = ("idx", "label", "predict", "radius", "correct", "time")
"""The columns of Cohen et al.'s certify logs."""
PREDICT_LOG = ("idx", "label", "predict", "correct", "time")
"""The columns of Cohen et al.'s predict logs (and rslib's, which are the same)."""

_DURATION = re.compile(r"^(?:(\d+) days?, )?(\d+):([0-5]\d):([0-5]\d(?:\.\d+)?)$")


def _seconds(where: str, text: str) -> float:
    """A time field as seconds: a plain number, or H:MM:SS[.ffffff] with an optional "D day(s), " prefix."""
    match = _DURATION.match(text)
    if match:
        days, hours, minutes, seconds = match.groups()
        return int(days or 0) * 86400.0 + int(hours) * 3600.0 + int(minutes) * 60.0 + float(seconds)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{where}: time must be seconds (a number >= 0) or H:MM:SS.ffffff, got {text!r}")
    return value


def _integer(where: str, name: str, text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{where}: {name} must be an integer, got {text!r}") from None
    if value < minimum:
        raise ValueError(f"{where}: {name} must be an integer >= {minimum}, got {value}")
    return value


def _log_row(where: str, fields: list[str], columns: tuple[str, ...]) -> dict:
    row = dict(zip(columns, fields))
    out = {
        "idx": _integer(where, "idx", row["idx"], 0),
        "label": _integer(where, "label", row["label"], 0),
        "predict": _integer(where, "predict", row["predict"], -1),
        "correct": _integer(where, "correct", row["correct"], 0),
        "time": _seconds(where, row["time"]),
    }
    if out["correct"] not in (0, 1):
        raise ValueError(f"{where}: correct must be 0 or 1, got {out['correct']}")
    if out["predict"] >= 0 and out["correct"] != int(out["predict"] == out["label"]):
        raise ValueError(f"{where}: correct must be 1 exactly when predict equals label, got correct {out['correct']}")
    if out["predict"] == -1 and out["correct"] != 0:
        raise ValueError(f"{where}: an abstained row (predict -1) must have correct 0, got {out['correct']}")
    if "radius" in columns:
        try:
            radius = float(row["radius"])
        except ValueError:
            raise ValueError(f"{where}: radius must be a number, got {row['radius']!r}") from None
        if not (math.isfinite(radius) and radius >= 0):
            raise ValueError(f"{where}: radius must be a finite number >= 0, got {row['radius']!r}")
        if out["predict"] == -1 and radius != 0:
            raise ValueError(f"{where}: an abstained row (predict -1) must have radius 0, got {radius!r}")
        out["radius"] = radius
    return out


def _read_cohen(path, lines: list[str], columns: tuple[str, ...]) -> Results:
    rows: list[dict] = []
    seen: dict[int, int] = {}
    for number, line in enumerate(lines[1:], start=2):
        where = f"{path}: line {number}"
        if not line.strip():
            if any(rest.strip() for rest in lines[number:]):
                raise ValueError(
                    f"{where} is blank; rows must follow one another (only trailing blank lines are allowed)"
                )
            break
        fields = line.split("\t")
        if len(fields) != len(columns):
            raise ValueError(
                f"{where}: expected {len(columns)} tab-separated fields ({' '.join(columns)}), got {len(fields)}"
            )
        row = _log_row(where, fields, columns)
        if row["idx"] in seen:
            raise ValueError(f"{where}: idx {row['idx']} is already on line {seen[row['idx']]}")
        seen[row["idx"]] = number
        rows.append(row)
    kind = "cohen-certify" if "radius" in columns else "cohen-predict"
    data = {
        name: np.array([row[name] for row in rows], dtype=float if name in ("radius", "time") else int)
        for name in columns
    }
    return Results({"format": kind}, {}, data, format=kind)


def read_log(path: str | os.PathLike) -> Results:
    """Read a results file of any format rslib knows, refusing others with the file and line named.

    - rslib's own results files (`read`);
    - Cohen et al.'s certify logs, ``idx label predict radius correct time``;
    - predict logs, ``idx label predict correct time`` (Cohen et al.'s `predict.py`): no radius, so only
      the accuracy at radius 0 (of the smoothed prediction) is defined.

    Parameters
    ----------
    path : str or os.PathLike
        The file.

    Returns
    -------
    Results
        With `format` "rslib", "cohen-certify" or "cohen-predict"; Cohen's files have empty `params` and
        `provenance` apart from the format and only their own columns (times in seconds).

    Raises
    ------
    ValueError
        Naming the file and the line, for a file of none of these formats or a row no certificate produces.
    """
    with open(path, "rb") as handle:
        data = handle.read()
    if data.startswith(b"# rslib-params: "):
        return read(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text, so neither an rslib results file nor a Cohen et al. log") from None
    lines = text.splitlines()
    header = tuple(lines[0].split("\t")) if lines else ()
    if header == CERTIFY_LOG:
        return _read_cohen(path, lines, CERTIFY_LOG)
    if header == PREDICT_LOG:
        return _read_cohen(path, lines, PREDICT_LOG)
    raise ValueError(
        f"{path}: line 1 is neither an rslib results header ('# rslib-params: ...') nor the column "
        f"header of a Cohen et al. log ({' '.join(CERTIFY_LOG)}, or {' '.join(PREDICT_LOG)} for "
        f"predictions); got {lines[0][:80]!r}"
        if lines
        else f"{path}: the file is empty"
    )


@dataclass(frozen=True)
class AccuracyTable:
    """Certified accuracy of several runs at several radii (`accuracy_table`).

    Attributes
    ----------
    names : list of str
        One per run (a row of the table).
    radii : numpy.ndarray
        The radii (columns).
    accuracy : numpy.ndarray, shape (runs, radii)
        NaN where a run defines no value (a predict log beyond radius 0).
    inputs : list of int
        Rows of each run.
    """

    names: list
    radii: np.ndarray
    accuracy: np.ndarray
    inputs: list

    def _cells(self, decimals: int) -> list[list[str]]:
        # rounded down: a certified accuracy is never shown above its value
        # as fractions of the run's inputs (41/50 is 0.82, though its double is 0.8199...)
        return [
            ["-" if math.isnan(a) else format_down(a, decimals, total=inputs) for a in row]
            for row, inputs in zip(self.accuracy, self.inputs)
        ]

    def _best(self) -> np.ndarray:
        """Whether each cell is the largest of its column (ties all marked), as Cohen et al.'s tables mark it."""
        with np.errstate(invalid="ignore"):
            top = np.nanmax(np.where(np.isnan(self.accuracy), -np.inf, self.accuracy), axis=0)
            return (self.accuracy == top[None, :]) & (len(self.names) > 1)

    def _marked_rows(self, decimals: int, bold: str) -> list[tuple[str, list[str]]]:
        """Each run's name and cells, the best of each column wrapped as `bold` ("{}" stands for the cell)."""
        return [
            (name, [bold.format(c) if b else c for c, b in zip(cells, flags)])
            for name, cells, flags in zip(self.names, self._cells(decimals), self._best())
        ]

    def text(self, decimals: int = 3) -> str:
        """The table as aligned text, with the number of inputs of each run.

        Parameters
        ----------
        decimals : int, default 3
            Decimals of each accuracy, rounded down.

        Returns
        -------
        str
            One line per run after a line of radii; "-" where a run defines no value.
        """
        width = max(len("certified accuracy"), *(len(n) for n in self.names))
        heads = [
            format_down(r, 4).rstrip("0").rstrip(".") if "." in format_down(r, 4) else format_down(r, 4)
            for r in self.radii
        ]
        lines = [f"{'certified accuracy':<{width}}" + "".join(f"{h:>8}" for h in heads) + f"{'inputs':>8}"]
        for name, cells, count in zip(self.names, self._cells(decimals), self.inputs):
            lines.append(f"{name:<{width}}" + "".join(f"{c:>8}" for c in cells) + f"{count:>8}")
        return "\n".join(lines)

    def markdown(self, decimals: int = 2) -> str:
        """A Markdown table, the best value of each column in bold (all of them when tied).

        Parameters
        ----------
        decimals : int, default 2
            Decimals of each accuracy, rounded down.

        Returns
        -------
        str
            The table, ending with a newline.
        """
        head = "| | " + " | ".join(f"r = {r:g}" for r in self.radii) + " |"
        rule = "|---|" + "---|" * len(self.radii)
        rows = ["| " + name + " | " + " | ".join(cells) + " |" for name, cells in self._marked_rows(decimals, "**{}**")]
        return "\n".join([head, rule, *rows]) + "\n"

    def latex(self, decimals: int = 2) -> str:
        r"""A LaTeX tabular (booktabs: ``\toprule``, ``\midrule``, ``\bottomrule``), the best value of each column
        in bold; the run names are escaped.

        Parameters
        ----------
        decimals : int, default 2
            Decimals of each accuracy, rounded down.

        Returns
        -------
        str
            The tabular, ending with a newline.
        """
        lines = [
            r"\begin{tabular}{l" + "c" * len(self.radii) + "}",
            r"\toprule",
            " & ".join(["", *(f"$r = {r:g}$" for r in self.radii)]) + r" \\",
            r"\midrule",
        ]
        for name, cells in self._marked_rows(decimals, r"\textbf{{{}}}"):
            escaped = (
                name.replace("\\", r"\textbackslash{}").replace("_", r"\_").replace("&", r"\&").replace("%", r"\%")
            )
            lines.append(" & ".join([escaped, *cells]) + r" \\")
        lines += [r"\bottomrule", r"\end{tabular}"]
        return "\n".join(lines) + "\n"


def accuracy_table(runs: dict[str, Results], radii: ArrayLike) -> AccuracyTable:
    """Certified accuracy of each run at each radius, to compare runs (rslib's and the literature's) in one table.

    A predict log has no radii: its accuracy is given at radius 0 and NaN (shown "-") elsewhere.

    Parameters
    ----------
    runs : dict of str to Results
        Name -> results of any format (`read_log`), at least one, each with at least one row.
    radii : array_like, shape (m,)
        The radii of the columns.

    Returns
    -------
    AccuracyTable

    Raises
    ------
    ValueError
        If there is no run, or a run has no row.
    """
    radii = np.asarray(radii, dtype=float)
    if not runs:
        raise ValueError("runs must name at least one results file")
    rows = []
    for name, res in runs.items():
        if len(res) == 0:
            raise ValueError(f"{name}: has a header but no result rows yet; nothing to analyze")
        if "radius" in res.columns:
            rows.append(res.certified_accuracy(radii))
        else:
            accuracy = float(np.mean(res.columns["correct"]))
            rows.append(np.where(radii == 0, accuracy, np.nan))
    return AccuracyTable(list(runs), radii, np.array(rows), [len(res) for res in runs.values()])

"""The book's helpers: `from rslib import book; book.setup()` in every chapter's first cell, then `answer`,
`quote` and `table` for exercise answers, numbers quoted in the prose, and tables that fit the page;
`fixed_radius_table`, `estimation_table` and `randomized_gain_table` for chapters 5 and 6.

Plotly figures in the static book. Under the book's executor plotly's default output is its own mime
type, which the HTML builder skips (with only a warning), so figures would vanish. `setup()` selects
`rsbook_offline`: plotly's `notebook` renderer, which emits text/html and inlines plotly.js once per
page (in the output of the cell that calls `setup()`; never the CDN-loading `notebook_connected`),
minus the MathJax ``<script src="https://...">`` it adds to every figure. Only text/html is emitted:
any other mime type in the same output would be warned about by the builder, and `-W` fails on it.

Live reading (`make live` sets ``RSBOOK_LIVE=1``): plotly's own default renderer is kept, which in
Jupyter Lab shows figures through its plotly extension. Without the variable, figures display in Lab
too, as text/html (Lab runs the scripts of outputs it produced itself).

`setup()` also tunes the CPU allocator (`rslib.smoothing.tune_cpu_allocator`) and numpy's printing.
"""

from __future__ import annotations

import contextlib
import html
import io
import os
import re
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import plotly.io as pio
from IPython.display import Pretty
from myst_nb import glue
from plotly.io._base_renderers import NotebookRenderer

from rslib.book._sample_efficiency import estimation_table, fixed_radius_table, randomized_gain_table
from rslib.book._scale import SCALE_FOLDER, RunSummary, compare_runs, provenance_lines, scale_runs
from rslib.smoothing import tune_cpu_allocator

__all__ = [
    "setup",
    "answer",
    "quote",
    "table",
    "Table",
    "RENDERER",
    "LIVE_ENV",
    "OfflineNotebookRenderer",
    "fixed_radius_table",
    "estimation_table",
    "randomized_gain_table",
    "SCALE_FOLDER",
    "scale_runs",
    "RunSummary",
    "compare_runs",
    "provenance_lines",
]

RENDERER = "rsbook_offline"
LIVE_ENV = "RSBOOK_LIVE"
_REMOTE_SCRIPT = re.compile(r'<script[^>]*\bsrc="(?:https?:)?//[^"]*"[^>]*>\s*</script>')


class OfflineNotebookRenderer(NotebookRenderer):
    """plotly's ``notebook`` renderer (plotly.js embedded, never a CDN) without remote ``<script>`` tags.

    Parameters
    ----------
    **kwargs
        Passed to plotly's ``NotebookRenderer``; ``connected`` defaults to False and must stay so.

    Raises
    ------
    ValueError
        If connected=True is asked for.
    """

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("connected", False)
        if kwargs["connected"]:
            raise ValueError("the offline renderer never loads plotly.js from a CDN")
        super().__init__(**kwargs)

    def to_mimebundle(self, fig_dict: dict) -> dict:
        """plotly's text/html bundle of a figure, minus every ``<script src="https://...">`` (MathJax's).

        Parameters
        ----------
        fig_dict : dict
            The figure, as plotly passes it to its renderers.

        Returns
        -------
        dict
            ``{"text/html": ...}``.
        """
        bundle = super().to_mimebundle(fig_dict)
        bundle["text/html"] = _REMOTE_SCRIPT.sub("", bundle["text/html"])
        return bundle


def setup(live: bool | None = None) -> None:
    """Prepare a chapter's kernel; returns nothing, so it prints nothing as a cell's last line.

    Tunes the CPU allocator (`rslib.smoothing.tune_cpu_allocator`), numpy's printing and plotly's template,
    and, for the static book, selects the ``rsbook_offline`` renderer (`RENDERER`).

    Parameters
    ----------
    live : bool, optional
        Keep plotly's default renderer (for Jupyter Lab). Default: True when the environment variable
        RSBOOK_LIVE is "1" (``make live`` sets it), else False (building the static book).
    """
    tune_cpu_allocator()
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    pio.templates.default = "plotly_white"
    if live is None:
        live = os.environ.get(LIVE_ENV) == "1"
    if live:
        return
    if RENDERER not in pio.renderers:
        pio.renderers[RENDERER] = OfflineNotebookRenderer()
    if pio.renderers.default != RENDERER:
        pio.renderers.default = RENDERER  # activating it displays plotly.js, once


@contextlib.contextmanager
def answer(name: str) -> Iterator[None]:
    """Print an exercise's answer into its solution instead of below the code cell.

    Everything the ``with`` block prints is captured and glued (myst-nb's ``glue``, not displayed)
    under `name` as plain text; the chapter pastes it inside the solution's dropdown with
    ``{glue} name``, so that a reader who has not opened the solution does not see the answer,
    and the printed sheet with solutions carries it where it belongs. The cell itself shows nothing.

    Parameters
    ----------
    name : str
        The glue key, unique in the chapter (e.g. ``"ex1_8"``); letters, digits and ``_`` only.

    Raises
    ------
    ValueError
        If name is not a valid glue key, or the block printed nothing.
    """
    _check_glue_name(name)
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        yield
    text = captured.getvalue().rstrip("\n")
    if not text:
        raise ValueError(f"the answer {name!r} printed nothing: an exercise's check must print its result")
    glue(name, Pretty(text), display=False)


def quote(name: str, value: float) -> float:
    """Make a computed number quotable in the chapter's prose, and return it.

    Glues ``float(value)`` (not displayed) under `name`; the text quotes it with a format,
    ``{glue:text}`name:.4f```, so that a sentence follows what rslib computes when the book builds
    instead of repeating a number typed by hand. numpy scalars are converted first: their repr
    (``np.float64(0.95)``) would not take a format.

    Parameters
    ----------
    name : str
        The glue key, unique in the chapter; letters, digits and ``_``, not starting with a digit.
    value : float
        The number (a numpy scalar too).

    Returns
    -------
    float
        ``float(value)``.

    Raises
    ------
    ValueError
        If name is not a valid glue key.
    """
    _check_glue_name(name)
    number = float(value)
    glue(name, number, display=False)
    return number


def _check_glue_name(name: object) -> None:
    """A glue key the MyST roles can reference: ``{glue:text}`key:fmt``` splits at the last colon."""
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"name must be letters, digits and _ (not starting with a digit), got {name!r}")


class Table:
    """A table a chapter displays: an HTML table in the book (it fits the page and wraps on a phone), and
    aligned text where HTML is not shown (a terminal, ``print``).

    Parameters
    ----------
    columns : sequence of str
        Column headings.
    rows : iterable of sequences
        One sequence of cells per row, as many as there are columns. Cells are formatted with `formats`.
    formats : sequence of str, optional
        One format spec per column (``".3f"``, ``",d"``, ``""`` for ``str``). Default: ``str`` for every cell.
    caption : str, optional
        A line shown above the table (its provenance, the run's sizes).

    Raises
    ------
    ValueError
        If formats or a row does not have one entry per column.
    """

    def __init__(
        self,
        columns: Sequence[object],
        rows: Iterable[Sequence[object]],
        *,
        formats: Sequence[str] | None = None,
        caption: str | None = None,
    ) -> None:
        self.columns = [str(c) for c in columns]
        formats = [""] * len(self.columns) if formats is None else list(formats)
        if len(formats) != len(self.columns):
            raise ValueError(f"formats must give one spec per column ({len(self.columns)}), got {len(formats)}")
        self.rows = []
        for number, row in enumerate(rows):
            row = list(row)
            if len(row) != len(self.columns):
                raise ValueError(f"row {number} has {len(row)} cells, the table {len(self.columns)} columns")
            self.rows.append([format(cell, spec) for cell, spec in zip(row, formats)])
        self.numeric = [
            all(_looks_numeric(row[j]) for row in self.rows) and bool(self.rows) for j in range(len(self.columns))
        ]
        self.caption = caption

    def _repr_html_(self) -> str:
        def cell(tag, text, j):
            align = ' class="rsbook-num"' if self.numeric[j] else ""
            return f"<{tag}{align}>{_subscripts(text) if tag == 'th' else html.escape(text)}</{tag}>"

        head = "".join(cell("th", c, j) for j, c in enumerate(self.columns))
        body = "".join("<tr>" + "".join(cell("td", c, j) for j, c in enumerate(row)) + "</tr>" for row in self.rows)
        caption = f"<caption>{_subscripts(self.caption)}</caption>" if self.caption else ""
        return (
            f'<div class="rsbook-table-wrap"><table class="rsbook-table">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>"
        )

    def __repr__(self) -> str:
        widths = [max([len(c)] + [len(row[j]) for row in self.rows]) for j, c in enumerate(self.columns)]

        def line(cells):
            return "  ".join(
                c.rjust(w) if self.numeric[j] else c.ljust(w) for j, (c, w) in enumerate(zip(cells, widths))
            ).rstrip()

        lines = ([self.caption] if self.caption else []) + [line(self.columns)] + [line(row) for row in self.rows]
        return "\n".join(lines)


def _subscripts(text: str) -> str:
    """`text` escaped for HTML, with the book's probabilities typeset as in its prose: p_A -> p<sub>A</sub>."""
    return re.sub(r"\bp_([AB])\b", r"p<sub>\1</sub>", html.escape(text))


def table(
    columns: Sequence[object],
    rows: Iterable[Sequence[object]],
    *,
    formats: Sequence[str] | None = None,
    caption: str | None = None,
) -> Table:
    """A `Table`, e.g. ``book.table(["sigma", "radius"], rows, formats=["", ".3f"])``.

    Parameters
    ----------
    columns, rows, formats, caption
        As in `Table`.

    Returns
    -------
    Table
    """
    return Table(columns, rows, formats=formats, caption=caption)


def _looks_numeric(text: str) -> bool:
    """A number as a format spec writes it, or a marker for a missing one ("—", "n/a", empty)."""
    return re.fullmatch(r"[-+−]?[\d,]*\.?\d+(?:e[-+]?\d+)?%?|[-+]?inf|nan|—|n/a|", text.strip()) is not None

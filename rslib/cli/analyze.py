"""`rslib analyze`: certified-accuracy tables and curves from results files, rslib's or the literature's. For example::

    rslib analyze run.tsv other.tsv --radii 0 0.25 0.5 1.0 --plot curves.html
    rslib analyze ours.tsv cohen/noise_0.50/test/sigma_0.50 --names rslib "Cohen et al." --markdown table.md --latex table.tex

Each file may be an rslib results file, a certify log of Cohen et al.'s code (idx label predict radius correct
time) or a predict log (idx label predict correct time: accuracy at radius 0 only); anything else is refused,
naming the file and the line.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from rslib import results
from rslib.cli._args import nonnegative_float

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``analyze`` command, its arguments and its `run`, to the ``rslib`` command's subparsers."""
    p = subparsers.add_parser(
        "analyze",
        help="certified accuracy tables and curves from results files "
        "(rslib's, or Cohen et al.'s certify and predict logs)",
    )
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--names", nargs="+", help="a name per file for the table and the legend (default: the paths)")
    p.add_argument(
        "--radii",
        type=nonnegative_float,
        nargs="+",
        default=[0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0],
        help="radii at which to report certified accuracy (finite, >= 0)",
    )
    p.add_argument("--markdown", type=Path, help="also write the table as Markdown (best value per radius in bold)")
    p.add_argument("--latex", type=Path, help="also write the table as a LaTeX tabular (booktabs)")
    p.add_argument("--plot", type=Path, help="write an interactive HTML figure (plotly.js inlined, works offline)")
    p.set_defaults(run=run, parser=p)


def _names(args) -> list[str]:
    if args.names is None:
        return [str(f) for f in args.files]
    if len(args.names) != len(args.files):
        args.parser.error(f"argument --names: give one name per file ({len(args.files)}), got {len(args.names)}")
    if len(set(args.names)) != len(args.names):
        args.parser.error("argument --names: the names must differ")
    return list(args.names)


def run(args: argparse.Namespace) -> None:
    """Read every file (refusing any that is neither an rslib results file nor a Cohen et al. log), print the
    certified-accuracy table, and write the Markdown, LaTeX and HTML outputs asked for."""
    names = _names(args)
    loaded = {name: results.read_log(path) for name, path in zip(names, args.files)}
    table = results.accuracy_table(loaded, args.radii)  # checks every file before anything is printed
    print(table.text())
    for path, text in ((args.markdown, table.markdown()), (args.latex, table.latex())):
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if args.plot:
        from rslib import figures  # here: plotly is needed only for --plot

        curves = {name: res for name, res in loaded.items() if "radius" in res.columns}
        if not curves:
            args.parser.error("argument --plot: no file has radii (predict logs have none)")
        top = max(float(np.max(res.columns["radius"], initial=0)) for res in curves.values())
        grid = np.linspace(0, max(top, 1e-3) * 1.05, 300)
        fig = figures.certified_accuracy({name: (grid, res.certified_accuracy(grid)) for name, res in curves.items()})
        fig.write_html(args.plot, include_plotlyjs=True, include_mathjax=False)
        print(f"wrote {args.plot}")

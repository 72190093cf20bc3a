"""`rslib analyze`: certified-accuracy tables and curves from results files.

    rslib analyze run.tsv other.tsv --radii 0 0.25 0.5 1.0 --plot curves.html
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from rslib import results
from rslib.cli._args import nonnegative_float

__all__ = ["add_parser", "run"]


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("analyze", help="certified accuracy tables and curves from results TSVs")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--radii", type=nonnegative_float, nargs="+", default=[0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0],
                   help="radii at which to report certified accuracy (finite, >= 0)")
    p.add_argument("--plot", type=Path, help="write an interactive HTML figure (plotly.js inlined, works offline)")
    p.set_defaults(run=run, parser=p)


def _radius_text(radius: float) -> str:
    """radius rounded down to 4 decimals, without trailing zeros (0.25, 1, 0.3333)."""
    text = results.format_down(radius, 4)
    return text.rstrip("0").rstrip(".") if "." in text else text


def run(args) -> None:
    from rslib import figures  # here: plotly is needed only for --plot

    loaded = {str(f): results.read(f) for f in args.files}
    for name, res in loaded.items():  # before the table: an error, not a table cut off after its header
        if len(res) == 0:
            raise ValueError(f"{name}: has a header but no result rows yet; nothing to analyze")
    width = max(len(name) for name in loaded)
    # Shortened for display toward safety: a radius and a certified accuracy are never shown above their value.
    print(f"{'certified accuracy':<{width}}" + "".join(f"{_radius_text(r):>8}" for r in args.radii) + f"{'inputs':>8}")
    for name, res in loaded.items():
        accuracies = "".join(f"{results.format_down(a, 3):>8}" for a in res.certified_accuracy(args.radii))
        print(f"{name:<{width}}" + accuracies + f"{len(res):>8}")
    if args.plot:
        top = max(float(np.max(res.columns["radius"], initial=0)) for res in loaded.values())
        grid = np.linspace(0, max(top, 1e-3) * 1.05, 300)
        fig = figures.certified_accuracy({name: (grid, res.certified_accuracy(grid)) for name, res in loaded.items()})
        fig.write_html(args.plot, include_plotlyjs=True, include_mathjax=False)
        print(f"wrote {args.plot}")

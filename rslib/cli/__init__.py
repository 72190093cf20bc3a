"""The `rslib` command line: one module per command, each a pair `add_parser(subparsers)` and `run(args)`::

    rslib train ...      noise-augmented training of a base classifier (`rslib.cli.train`)
    rslib certify ...    certify a dataset into a resumable results file (`rslib.cli.certify`)
    rslib analyze ...    certified-accuracy tables and curves from results files (`rslib.cli.analyze`)

Also `python -m rslib` (and `python -m rslib.cli`, which torchrun needs).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence

from rslib.cli import analyze, certify, train

__all__ = ["main", "COMMANDS"]

COMMANDS = {"train": train, "certify": certify, "analyze": analyze}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rslib`` console script: parse the command line and run the command it names.

    A bad argument or input found while running (a file, a level) ends the command with
    "rslib <command>: error: ..." and exit status 2, without a traceback.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name, e.g. ``["certify", "--model", ...]``; default: ``sys.argv[1:]``.

    Returns
    -------
    int
        0 once the command has finished (argparse exits the process, with status 2, on an error).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(prog="rslib", description="Randomized smoothing: train, certify and analyze.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS.values():
        command.add_parser(subparsers)
    args = parser.parse_args(argv)
    args.command_line = shlex.join(["rslib", *argv])  # recorded in cards and results files
    try:
        args.run(args)
    except (ValueError, OSError) as error:  # bad input found once running (a file, a level): no traceback
        args.parser.exit(2, f"{args.parser.prog}: error: {error}\n")
    return 0

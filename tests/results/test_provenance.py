"""Provenance (rslib.results._provenance): how a result was made, in one line a reader can check, and the
benchmarks' JSON results files."""

from pathlib import Path

import numpy as np
import pytest

from rslib import results

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks" / "results"


def test_benchmark_results_and_their_provenance_line():

    with pytest.raises(FileNotFoundError, match="no results file .*nope.json; beside it: .*sequential-cpu.json"):
        results.read_json_results(BENCHMARKS / "nope.json")
    line = results.describe(results.provenance(command="rslib certify --model m"))
    assert "`rslib certify --model m`" in line and "torch" in line and "commit" in line


def test_committed_sequential_benchmark_summary_matches_its_rows():
    """The summary chapter 5 prints is recomputed here from the per-image rows of the same file."""

    bench = results.read_json_results(BENCHMARKS / "sequential-cpu.json")
    assert len(bench["rows"]) == bench["images"] and bench["provenance"]["command"].startswith(
        "benchmarks/sequential.py"
    )
    for r, summary in bench["summary"].items():
        decisions = [row["sequential"][r] for row in bench["rows"]]
        assert summary["mean_passes"] == pytest.approx(np.mean([d["samples"] for d in decisions]))
        assert summary["passes_ratio"] == pytest.approx(summary["mean_passes"] / (100 + bench["N"]))
        assert summary["agreement"] == pytest.approx(
            np.mean([d["certified"] == d["fixed_certified"] for d in decisions])
        )
        assert all(d["samples"] <= 100 + bench["N"] for d in decisions)

"""Provenance (rslib.results._provenance): how a result was made, in one line a reader can check, and the
benchmarks' JSON results files."""

import datetime
import json
import platform
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import rslib
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


def test_a_record_says_when_on_what_with_which_versions_and_from_which_commit():
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    record = results.provenance(command="rslib certify --model m", device="cpu")
    assert set(record) == {"date", "command", "device", "versions", "git_commit"}
    date = datetime.datetime.fromisoformat(record["date"])
    assert date.utcoffset() == datetime.timedelta(0) and before <= date <= datetime.datetime.now(datetime.timezone.utc)
    assert record["command"] == "rslib certify --model m"
    assert record["device"].startswith("cpu: ") and record["device"].endswith(f"({torch.get_num_threads()} threads)")
    versions = record["versions"]
    assert versions["python"] == platform.python_version() and versions["rslib"] == rslib.__version__
    assert versions["numpy"] == np.__version__ and versions["torch"].split("+")[0] == torch.__version__.split("+")[0]
    assert set(versions) == {"python", "torch", "torchvision", "numpy", "scipy", "rslib"}
    text = json.dumps(record)  # JSON-ready, and names no host (it may be published as it is)
    assert len(socket.gethostname()) < 4 or socket.gethostname() not in text


def test_the_default_command_is_this_process_s_as_a_reader_retypes_it(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["/home/someone/.venv/bin/rslib", "certify", "--N", "10"])
    assert results.provenance()["command"] == "rslib certify --N 10"
    monkeypatch.setattr(sys, "argv", ["benchmarks/sequential.py", "--images", "20"])
    assert results.provenance()["command"] == "benchmarks/sequential.py --images 20"


def test_a_gpu_is_described_by_its_name(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA H100 80GB HBM3")
    assert results.device_description("cuda:0") == "cuda: NVIDIA H100 80GB HBM3"
    assert results.device_description() == "cuda: NVIDIA H100 80GB HBM3"
    assert results.device_description("cpu").startswith("cpu: ")  # computing on the CPU of a machine with a GPU


def test_git_commit_is_head_marked_dirty_when_tracked_files_changed():
    root = Path(rslib.__file__).resolve().parents[1]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("rslib is not imported from a git checkout")
    changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True)
    expected = head.stdout.strip() + ("+dirty" if changed.stdout.strip() else "")
    assert results.git_commit() == expected


def test_git_commit_is_none_outside_git_or_without_git(monkeypatch, tmp_path):
    (tmp_path / "rslib").mkdir()
    monkeypatch.setattr(rslib, "__file__", str(tmp_path / "rslib" / "__init__.py"))  # an installed copy
    assert results.git_commit() is None
    monkeypatch.undo()

    def no_git(*args, **kwargs):
        raise FileNotFoundError("git")

    monkeypatch.setattr(subprocess, "run", no_git)
    assert results.git_commit() is None


def test_describe_is_one_line_and_marks_what_a_record_lacks():
    record = {
        "date": "2026-12-06T10:00:00+00:00",
        "command": "rslib certify --model m",
        "device": "cpu: X (2 threads)",
        "versions": {"rslib": "0.2.0", "torch": "2.5.1"},
        "git_commit": "0123456789abcdef0123",
    }
    assert results.describe(record) == (
        "computed 2026-12-06T10:00:00+00:00 on cpu: X (2 threads) by `rslib certify --model m` "
        "(rslib 0.2.0, torch 2.5.1, commit 0123456789ab)"
    )
    assert results.describe({}) == "computed ? on ? by `?` (rslib ?, torch ?, commit None)"
    assert results.describe(record, date_is="started").startswith("started 2026-12-06T10:00:00+00:00 on cpu")
    with pytest.raises(ValueError, match="date_is must be 'computed' or 'started', got 'finished'"):
        results.describe(record, date_is="finished")


def test_json_results_read_back_and_a_missing_one_names_its_folder(tmp_path):
    written = {"provenance": {"command": "benchmarks/x.py"}, "rows": [{"samples": 3}]}
    (tmp_path / "x.json").write_text(json.dumps(written))
    assert results.read_json_results(tmp_path / "x.json") == written
    with pytest.raises(FileNotFoundError, match=r"no results file .*y.json; beside it: \['x.json'\]"):
        results.read_json_results(tmp_path / "y.json")
    with pytest.raises(FileNotFoundError, match="beside it: nothing"):
        results.read_json_results(tmp_path / "none" / "y.json")

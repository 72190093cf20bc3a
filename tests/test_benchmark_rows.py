"""benchmarks/sample_efficiency.py's rows file: resumable without loss, one writer, refused when damaged."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import sample_efficiency  # noqa: E402  (a script, not a package)

from rslib.theory import sample_size  # noqa: E402

ROW = {"model": "m", "idx": 0, "method": "fixed", "passes": 10}


def test_a_torn_last_line_is_skipped_then_removed_before_new_rows(tmp_path):
    path = tmp_path / "rows.jsonl"
    torn = json.dumps({**ROW, "idx": 20})  # a whole object whose newline a kill cut off: still torn
    path.write_text(json.dumps(ROW) + "\n" + torn)
    rows, _ = sample_efficiency.read_rows(path)
    assert set(rows) == {("m", 0, "fixed")}
    with sample_efficiency.open_rows(path) as (rows, _, append):
        append({**ROW, "idx": 40})
    lines = path.read_text().splitlines()
    assert [json.loads(line)["idx"] for line in lines] == [0, 40]


def test_a_damaged_line_is_refused_naming_the_file_and_line_and_nothing_is_written(tmp_path):
    path = tmp_path / "rows.jsonl"
    damaged = json.dumps(ROW) + "\n" + '{"model": "m", "idx"\n' + json.dumps({**ROW, "idx": 20}) + "\n"
    path.write_text(damaged)
    with pytest.raises(ValueError, match=r"rows\.jsonl: line 2 is not a JSON row"):
        with sample_efficiency.open_rows(path):
            pass
    assert path.read_text() == damaged


def test_a_second_writer_is_refused_at_once(tmp_path):
    path = tmp_path / "rows.jsonl"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"""
import sys, time
sys.path.insert(0, {str(ROOT / "benchmarks")!r})
import sample_efficiency
from pathlib import Path
with sample_efficiency.open_rows(Path({str(path)!r})) as (rows, _, append):
    append({{"kind": "run"}})
    print("held", flush=True)
    time.sleep(30)
""",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ValueError, match="is in use: another rslib process is writing it"):
            with sample_efficiency.open_rows(path):
                pass
    finally:
        holder.kill()
        holder.wait()
    assert path.read_text() == '{"kind": "run"}\n'


def test_rows_drawn_on_a_gpu_are_not_added_to_a_cpu_file_and_nothing_is_written(tmp_path):
    path = tmp_path / "rows.jsonl"
    run = {"kind": "run", "provenance": {"device": "cpu: AMD EPYC (2 threads)"}}
    path.write_text(json.dumps(run) + "\n" + json.dumps(ROW) + "\n")
    before = path.read_bytes()
    with sample_efficiency.open_rows(path) as (rows, runs, _):
        sample_efficiency.check_device(path, runs, "cpu")  # the same kind: accepted
        with pytest.raises(ValueError, match=r"rows\.jsonl holds rows drawn on cpu: AMD EPYC .* draws on cuda.*"
                           r"--rows benchmarks/results/sample-efficiency-gpu-rows\.jsonl"):  # fmt: skip
            sample_efficiency.check_device(path, runs, "cuda")
    assert path.read_bytes() == before
    args = argparse.Namespace(votes=tmp_path, N=10, device="cuda")
    assert sample_efficiency.votes_path(args, "m", 20).name == "m-N10-20-cuda.npy"  # not the CPU run's votes


def test_the_summary_counts_each_methods_images_and_puts_the_oracle_on_the_adaptive_ones(tmp_path):
    model, n = "fmnist-gaussian-0.5", 1000
    path = tmp_path / "rows.jsonl"

    def fixed(idx, count):
        estimation = [count] + [0] * 8 + [n - count]
        return {"model": model, "idx": idx, "label": 0, "method": "fixed", "selection": [100] + [0] * 9,
                "estimation": estimation, "passes": 100 + n}  # fmt: skip

    decided = {"certified": True, "passes": 300, "decided_early": True}
    rows = [fixed(0, 1000), fixed(20, 900), fixed(40, 700)]
    rows += [
        {"model": model, "idx": i, "label": 0, "method": "sequential", "radii": {"0.25": decided}} for i in (0, 20)
    ]
    rows += [{"model": model, "idx": 0, "label": 0, "method": "adaptive", "radius": 1.0, "passes": 600}]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    args = argparse.Namespace(rows=path, models=[model], N=n, alpha=0.001, radii=[0.25], images=3)
    summary = sample_efficiency.summarize(args)
    counts = {method: per_model[model] for method, per_model in summary["images_by_method"].items()}
    assert counts == {"fixed": 3, "randomized": 0, "sequential_shared": 0, "sequential": 2, "adaptive": 1,
                      "iss": 0, "horvath": 0}  # fmt: skip
    estimation = summary["models"][model]["estimation"]
    assert estimation["adaptive"]["images"] == 1 and estimation["oracle"]["images"] == 1
    assert summary["models"][model]["radii"]["0.25"]["sequential"]["images"] == 2
    # only the unanimous image: the oracle's least loss at 5x is its own, not the mean over all three
    alone = sample_size.adaptive_oracle(np.array([1.0]), sigma=0.5, alpha=0.001, n_max=n, n0=100, losses=(0.02,))
    assert estimation["oracle"]["least_loss_at_5x"] == alone.least_loss[5.0]

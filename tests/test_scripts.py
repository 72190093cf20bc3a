"""The scripts a later session or a GPU machine runs: each works end to end, here on the CPU at a tiny size."""

import json
import os
import subprocess
import sys
from pathlib import Path

from rslib import results

ROOT = Path(__file__).resolve().parents[1]


def test_the_gpu_script_writes_its_benchmark_and_certifications(tmp_path):
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "IMAGES": "2",
        "N": "200",
        "SAMPLES": "1000",
        "BATCHES": "250 500",
        "CERTIFY_INPUTS": "2",
        "RESULTS": str(tmp_path / "scale"),
        "BENCH": str(tmp_path / "bench"),
        "OUT_COPY": str(tmp_path),
    }
    done = subprocess.run([str(ROOT / "scripts" / "gpu.sh")], env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    bench = json.loads((tmp_path / "bench" / "throughput-gpu.json").read_text())
    assert bench["provenance"]["command"].startswith("benchmarks/throughput.py")
    for sigma in ("0.25", "0.5", "1.0"):
        run = results.read(tmp_path / "scale" / f"fmnist-gaussian-{sigma}-N200.tsv")
        assert len(run) == 2 and run.columns["idx"].tolist() == [0, 20] and run.params["n"] == 200
        assert run.provenance["command"].startswith(f"rslib certify --model fmnist-gaussian-{sigma}")
        assert (tmp_path / f"fmnist-gaussian-{sigma}-N200.tsv").is_file()  # copied to OUT_COPY


def test_the_scale_script_is_valid_shell():
    subprocess.run(["bash", "-n", str(ROOT / "scripts" / "certify_at_scale.sh")], check=True)

"""`rslib certify` / `rslib analyze` as a user runs them: a results file, resuming after kill -9, torchrun."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rslib import results

RSLIB = [sys.executable, "-m", "rslib.cli"]


@pytest.fixture(scope="module")
def digits_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("models")
    subprocess.run(RSLIB + ["train", "--dataset", "digits", "--noise", "gaussian", "--sigma", "0.25", "--epochs", "3",
                            "--name", "digits-g", "--out-dir", str(out), "--quiet"], check=True, capture_output=True)
    return out / "digits-g.pt"


def _certify(model, out, *extra, **kwargs):
    return subprocess.run(RSLIB + ["certify", "--model", str(model), "--N0", "20", "--N", "300", "--batch", "100",
                                   "--out", str(out), "--quiet", *extra], capture_output=True, text=True, **kwargs)


def test_certify_writes_a_cohen_compatible_file_and_analyze_reads_it(digits_model, tmp_path):
    out = tmp_path / "run.tsv"
    done = _certify(digits_model, out, "--max", "8", check=True)
    assert "8 inputs" in done.stdout
    res = results.read(out)
    assert list(res.columns["idx"]) == list(range(8)) and res.params["n"] == 300
    assert res.provenance["command"].startswith("rslib certify --model")
    header = [line for line in out.read_text().splitlines() if not line.startswith("#")][0]
    assert header.split("\t")[:6] == ["idx", "label", "predict", "radius", "correct", "time"]
    plot = tmp_path / "curves.html"
    shown = subprocess.run(RSLIB + ["analyze", str(out), "--radii", "0", "0.25", "--plot", str(plot)],
                           capture_output=True, text=True, check=True)
    assert str(out) in shown.stdout and plot.exists() and "https://cdn" not in plot.read_text()[:5000]


def test_kill_minus_9_then_rerun_loses_and_repeats_nothing(digits_model, tmp_path):
    out = tmp_path / "run.tsv"
    command = RSLIB + ["certify", "--model", str(digits_model), "--N0", "20", "--N", "3000", "--batch", "100",
                       "--max", "40", "--out", str(out), "--quiet"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or len(out.read_text().splitlines()) < 8):
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = len(results.read(out))
    assert 0 < partial < 40
    subprocess.run(command, check=True, capture_output=True)  # the same command again
    finished = results.read(out)
    assert sorted(finished.columns["idx"]) == list(range(40)) and len(finished) == 40


def test_a_resumed_run_with_other_parameters_is_refused(digits_model, tmp_path):
    out = tmp_path / "run.tsv"
    _certify(digits_model, out, "--max", "3", check=True)
    refused = _certify(digits_model, out, "--max", "3", "--alpha", "0.01")
    assert refused.returncode != 0 and "other parameters" in refused.stderr


def test_bad_arguments_name_the_flag(digits_model, tmp_path):
    bad = _certify(digits_model, tmp_path / "x.tsv", "--alpha", "1.5")
    assert bad.returncode != 0 and "--alpha" in bad.stderr
    missing = _certify(tmp_path / "nothing.pt", tmp_path / "x.tsv")
    assert missing.returncode != 0 and "no model" in missing.stderr


def test_torchrun_with_two_processes_gives_the_single_process_rows(digits_model, tmp_path):
    """Two processes, each packing 3 inputs into shared batches: the rows of one process certifying alone."""
    single, double = tmp_path / "one.tsv", tmp_path / "two.tsv"
    _certify(digits_model, single, "--max", "10", check=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29517",
                    "-m", "rslib.cli", "certify", "--model", str(digits_model), "--N0", "20", "--N", "300",
                    "--batch", "100", "--pack", "3", "--max-inputs", "10", "--out", str(double), "--quiet"],
                   check=True, capture_output=True, env=env, timeout=300)
    one, two = results.read(single), results.read(double)
    assert list(two.columns["idx"]) == list(range(10))
    assert list(one.columns["predict"]) == list(two.columns["predict"])
    assert list(one.columns["radius"]) == list(two.columns["radius"])


def test_certify_a_cohen_checkpoint_and_a_factory(tmp_path):
    import torch

    from rslib import cohen

    net, _ = cohen.architecture("cifar_resnet20")
    path = tmp_path / "checkpoint.pth.tar"
    torch.save({"arch": "cifar_resnet20", "state_dict": {"1." + k: v for k, v in net.state_dict().items()}}, path)
    no_sigma = subprocess.run(RSLIB + ["certify", "--checkpoint", str(path), "--out", str(tmp_path / "c.tsv")],
                              capture_output=True, text=True)
    assert no_sigma.returncode != 0 and "--sigma" in no_sigma.stderr
    # CIFAR-10 files are not on this machine: the error names what is missing.
    missing = subprocess.run(RSLIB + ["certify", "--checkpoint", str(path), "--sigma", "0.25", "--N", "10",
                                      "--out", str(tmp_path / "c.tsv")], capture_output=True, text=True)
    assert missing.returncode != 0 and "CIFAR-10" in missing.stderr
    bad_factory = subprocess.run(RSLIB + ["certify", "--factory", "nocolon", "--noise", "gaussian", "--sigma", "0.5",
                                          "--dataset", "digits", "--out", str(tmp_path / "f.tsv")], capture_output=True, text=True)
    assert bad_factory.returncode != 0 and "package.module:function" in bad_factory.stderr


def test_a_shipped_ablation_model_certifies_l0_and_a_failed_start_does_not_block_the_retry(tmp_path):
    out = tmp_path / "run.tsv"
    wrong = subprocess.run(RSLIB + ["certify", "--model", "fmnist-ablation-50", "--keep", "60", "--out", str(out)],
                           capture_output=True, text=True)
    assert wrong.returncode == 2 and "argument --keep: needs --noise ablation" in wrong.stderr
    subprocess.run(RSLIB + ["certify", "--model", "fmnist-ablation-50", "--max", "0", "--out", str(out), "--quiet"],
                   check=True, capture_output=True)  # leaves a file with no row, as a run killed at its start
    subprocess.run(RSLIB + ["certify", "--model", "fmnist-ablation-50", "--N0", "20", "--N", "300", "--max", "3",
                            "--out", str(out), "--quiet"], check=True, capture_output=True)
    res = results.read(out)
    assert len(res) == 3 and set(res.columns["norm"]) == {"l0"} and res.params["max"] == 3
    assert all(float(r).is_integer() and r >= 0 for r in res.columns["radius"])

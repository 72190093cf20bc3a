"""The fault suite: results files under kill -9, a second writer and a torn header lose no finished row.

`rslib certify` and `results.merge` run in children forked from one server process that imported rslib once
(an interpreter start with torch costs seconds; a fork, milliseconds), so dozens of runs can be killed at
random moments within the time budget. After every kill the file must read as valid, and hold only rows
equal to those of an uninterrupted run; in the end every row is there exactly once.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from rslib import results, smoothing, zoo
from rslib.results import _files

KILLS = 20
INPUTS = 60
_SERVER = r"""
import json, os, sys
from rslib import cli, results

def run(job):
    if "argv" in job:
        try:
            return cli.main(job["argv"])
        except SystemExit as exc:
            return exc.code
    results.merge(job["merge"][0], job["merge"][1])
    return 0

for line in sys.stdin:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        import torch
        torch.set_num_threads(1)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        status = 1
        try:
            status = run(job) or 0
        finally:
            os._exit(status)
    print(pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"killed": os.WIFSIGNALED(status) and os.WTERMSIG(status) == 9,
                      "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None}), flush=True)
"""


class Forker:
    """A server process that forks one child per job (an `rslib` command line or a merge) and reports on it."""

    def __init__(self, cwd):
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=cwd, env=env
        )

    def run(self, job, kill_after=None, once=None) -> dict:
        """Run job in a fresh child; SIGKILL it kill_after seconds after the fork, or after once() first holds.
        Its outcome: whether it was killed, else its exit status."""
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        pid = int(self.proc.stdout.readline())
        try:
            while once is not None and not once():
                os.kill(pid, 0)  # raises once the child has ended (the server reaps it at once)
                time.sleep(0.001)
            if kill_after is not None:
                time.sleep(kill_after)
                os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:  # finished before the kill
            pass
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("faults")
    model = zoo.build("digits_cnn", 1, 10, seed=0)  # untrained: certifies some inputs and abstains on others
    card = {
        "arch": "digits_cnn",
        "dataset": "digits",
        "num_classes": 10,
        "in_channels": 1,
        "input_shape": [1, 8, 8],
        "noise": smoothing.Gaussian(0.25).params(),
    }
    zoo.save(model, "digits-g", card, folder)
    return folder


@pytest.fixture(scope="module")
def forker(workdir):
    server = Forker(workdir)
    yield server
    server.close()


def _argv(out, inputs=INPUTS):
    return [
        "certify",
        "--model",
        "digits-g.pt",
        "--N0",
        "10",
        "--N",
        "100",
        "--batch",
        "200",
        "--max",
        str(inputs),
        "--out",
        str(out),
        "--quiet",
    ]


def _rows(path) -> dict:
    """idx -> the row without its time (the one column that differs between two runs of one input)."""
    res = results.read(path)
    return {row["idx"]: {c: v for c, v in row.items() if c != "time"} for row in _files._rows(res)}


@pytest.fixture(scope="module")
def reference(workdir, forker):
    assert forker.run({"argv": _argv("reference.tsv")})["code"] == 0
    rows = _rows(workdir / "reference.tsv")
    assert sorted(rows) == list(range(INPUTS))
    return rows


def _assert_finished_rows_are_the_references(path, reference):
    """The file reads as valid (so no idx twice) and each of its rows is the uninterrupted run's."""
    if not path.exists() or path.stat().st_size == 0:  # killed before its header (or a merge's lock file)
        return {}
    try:
        rows = _rows(path)
    except ValueError as error:  # only a header cut off before its first row may fail to read
        assert "not an rslib results file" in str(error), error
        assert _files._is_torn_header(path.read_bytes()), path.read_bytes()[:200]
        return {}
    for idx, row in rows.items():
        assert row == reference[idx], idx
    return rows


def test_kill_minus_9_at_random_moments_during_certify_loses_and_repeats_no_row(workdir, forker, reference):
    out, chance, kills, progress = workdir / "killed.tsv", random.Random(13), 0, [0]
    for _ in range(5 * KILLS):
        if kills == KILLS:
            break
        # A random moment: after a random number of this run's rows (none: during its start), plus a random delay.
        done = progress[-1] if out.exists() else 0
        if done > INPUTS - 5:  # nearly finished: start over, so that the kills keep landing among the rows
            out.unlink()
            done = 0
        target = done + chance.randint(0, min(12, INPUTS - 1 - done))
        reached = (lambda: out.exists() and out.read_bytes().count(b"\n") >= 3 + target) if target else None
        outcome = forker.run({"argv": _argv(out)}, once=reached, kill_after=chance.uniform(0, 0.05 if target else 0.6))
        kills += outcome["killed"]
        progress.append(len(_assert_finished_rows_are_the_references(out, reference)))
    assert kills == KILLS, f"only {kills} of the runs were killed: {progress}"
    print(f"certify: rows after each run {progress}")
    assert any(0 < rows < INPUTS for rows in progress), progress  # some kills landed among the rows
    assert forker.run({"argv": _argv(out)})["code"] == 0  # the same command once more finishes the run
    assert _rows(out) == reference


def test_kill_minus_9_at_random_moments_during_a_merge(workdir, forker, reference):
    text = (workdir / "reference.tsv").read_text().splitlines(keepends=True)
    header, rows = text[:3], text[3:]
    shards = []
    for rank in range(3):  # the shards of a three-process torchrun run
        shard = workdir / f"merged.tsv.rank{rank}-of-3"
        shard.write_text("".join(header + rows[rank::3]))
        shards.append(str(shard))
    out, chance, kills, complete, midway = workdir / "merged.tsv", random.Random(7), 0, 0, 0
    temporary = workdir / ".merged.tsv.merging"  # present after a kill while the merge was writing it
    for attempt in range(10 * KILLS):
        if kills == KILLS:
            break
        if out.exists() and out.stat().st_size and attempt % 2:
            out.unlink()  # half of the merges start from nothing, half re-merge into a complete file
        # at a random moment of the first 30 ms, or just after the temporary file appears
        writing = temporary.exists if chance.random() < 0.5 else None
        if writing is not None and temporary.exists():  # a killed merge's leftover (else overwritten: tested too)
            temporary.unlink()
        delay = chance.uniform(0.0, 0.03 if writing is None else 0.002)
        outcome = forker.run({"merge": [shards, str(out)]}, once=writing, kill_after=delay)
        kills += outcome["killed"]
        midway += outcome["killed"] and temporary.exists()
        merged = _assert_finished_rows_are_the_references(out, reference)
        assert len(merged) in (0, INPUTS), len(merged)  # the rename is atomic: nothing or everything
        complete += len(merged) == INPUTS
    assert kills == KILLS
    print(f"merge: {kills} kills, {midway} leaving a temporary file, {complete} leaving a complete out")
    assert forker.run({"merge": [shards, str(out)]})["code"] == 0
    assert _rows(out) == reference
    assert not temporary.exists()  # the last merge renamed its temporary file


def test_a_torn_header_restarts_and_a_torn_row_is_redone(workdir, forker, reference):
    out = workdir / "torn.tsv"
    out.write_text('# rslib-params: {"alp')
    assert forker.run({"argv": _argv(out, 3)})["code"] == 0
    assert _rows(out) == {i: reference[i] for i in range(3)}
    with open(out, "a") as handle:
        handle.write("3\t1\t1\t0.2")  # a kill in the middle of writing a row
    assert forker.run({"argv": _argv(out, 3)})["code"] == 0  # the same command: the torn line goes
    assert _rows(out) == {i: reference[i] for i in range(3)} and out.read_text().endswith("\n")


def test_a_second_concurrent_writer_is_refused_and_the_first_finishes(workdir, reference):
    out = workdir / "shared.tsv"
    command = [sys.executable, "-m", "rslib.cli", *_argv(out)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    first = subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120

        def started():  # its header and a row or two are written
            return out.exists() and out.read_bytes().count(b"\n") > 4

        while time.time() < deadline and first.poll() is None and not started():
            time.sleep(0.005)
        # Paused mid-run, the first writer keeps its lock for as long as the second takes to start (seconds).
        first.send_signal(signal.SIGSTOP)
        assert first.poll() is None, first.communicate()
        before = out.read_bytes()
        second = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=120)
        assert second.returncode == 2 and f"{out} is in use: another rslib process is writing it" in second.stderr
        assert out.read_bytes() == before
    finally:
        first.send_signal(signal.SIGCONT)
    assert first.wait(timeout=120) == 0, first.communicate()
    assert _rows(out) == reference

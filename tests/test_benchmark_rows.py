"""benchmarks/sample_efficiency.py's rows file: resumable without loss, one writer, refused when damaged."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import sample_efficiency  # noqa: E402  (a script, not a package)

ROW = {"model": "m", "idx": 0, "method": "fixed", "passes": 10}


def test_a_torn_last_line_is_skipped_then_removed_before_new_rows(tmp_path):
    path = tmp_path / "rows.jsonl"
    torn = json.dumps({**ROW, "idx": 20})  # a whole object whose newline a kill cut off: still torn
    path.write_text(json.dumps(ROW) + "\n" + torn)
    rows, _ = sample_efficiency.read_rows(path)
    assert set(rows) == {("m", 0, "fixed")}
    with sample_efficiency.open_rows(path) as (rows, append):
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
with sample_efficiency.open_rows(Path({str(path)!r})) as (rows, append):
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

"""rslib.book._scale: the committed runs at scale read by name, refused when missing or not the model's run, and
summarised beside a chapter's own run."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from rslib import book, results, smoothing, zoo


def _write(path, model: str, n: int, rows: list[tuple[int, int, float, int]], command="rslib certify ...") -> None:
    """A results file of `model` at `n` votes; rows are (idx, predict, radius, correct)."""
    params = {"model": model, "n": n, "noise": {"noise": "gaussian", "sigma": 0.5}, "seed": 0}
    provenance = {"command": command, "date": "2026-12-07T00:00:00+00:00", "device": "cpu: test"}
    lines = [
        f"# rslib-params: {json.dumps(params)}",
        f"# rslib-provenance: {json.dumps(provenance)}",
        "\t".join(results.COLUMNS),
    ]
    for idx, predict, radius, correct in rows:
        row = {
            "idx": idx,
            "label": 1,
            "predict": predict,
            "radius": radius,
            "correct": correct,
            "time": 0.1,
            "p_a": 0.9,
            "p_b": 0.1,
            "count_a": n - 1,
            "n": n,
            "norm": "l2",
            "seed": smoothing.input_seed(0, idx),
        }
        lines.append("\t".join(str(row[c]) for c in results.COLUMNS))
    path.write_text("\n".join(lines) + "\n")


ROWS = [(0, 1, 0.8, 1), (20, -1, 0.0, 0), (40, 1, 0.3, 1), (60, 2, 1.5, 0)]


def test_scale_runs_reads_each_model_under_its_label(tmp_path):
    _write(tmp_path / "m-N10000.tsv", "m", 10_000, ROWS)
    runs = book.scale_runs({"σ = 0.5": "m"}, folder=tmp_path)
    assert list(runs) == ["σ = 0.5"]
    np.testing.assert_array_equal(runs["σ = 0.5"].columns["idx"], [0, 20, 40, 60])
    assert book.provenance_lines(runs).startswith("σ = 0.5: started 2026-12-07")


def test_a_missing_run_names_its_file_and_the_script_that_writes_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"m-N10000\.tsv.*certify_at_scale\.sh"):
        book.scale_runs({"a": "m"}, folder=tmp_path)


@pytest.mark.parametrize(("model", "n"), [("other", 10_000), ("m", 1_000)])
def test_a_file_of_another_model_or_vote_count_is_refused(tmp_path, model, n):
    _write(tmp_path / "m-N10000.tsv", model, n, ROWS)
    with pytest.raises(ValueError, match="expected 'm' at n = 10000"):
        book.scale_runs({"a": "m"}, folder=tmp_path)


def test_compare_runs_summarises_both_runs_of_each_shared_label(tmp_path):
    _write(tmp_path / "small.tsv", "m", 1_000, [(0, 1, 0.2, 1), (20, 2, 0.1, 0)])
    _write(tmp_path / "m-N10000.tsv", "m", 10_000, ROWS)
    small = results.read(tmp_path / "small.tsv")
    scale = book.scale_runs({"a": "m", "only at scale": "m"}, folder=tmp_path)
    compared = book.compare_runs({"a": small}, scale)
    assert list(compared) == ["a"]
    before, after = compared["a"]
    assert (before.images, before.n, before.clean_accuracy, before.largest_radius) == (2, 1_000, 0.5, 0.2)
    assert before.standard_error == pytest.approx(math.sqrt(0.25 / 2))
    # correct and certified: idx 0 (0.8) and 40 (0.3); idx 60 is certified but wrong, idx 20 abstained
    assert (after.images, after.n, after.clean_accuracy) == (4, 10_000, 0.5)
    assert (after.largest_radius, after.median_radius) == (0.8, pytest.approx(0.55))


def test_a_run_with_no_correct_certificate_summarises_to_zero_radii(tmp_path):
    _write(tmp_path / "m-N10000.tsv", "m", 10_000, [(0, -1, 0.0, 0)])
    scale = book.scale_runs({"a": "m"}, folder=tmp_path)
    ((_, after),) = book.compare_runs(scale, scale).values()
    assert (after.clean_accuracy, after.standard_error, after.largest_radius, after.median_radius) == (0, 0, 0, 0)


SHIPPED_SUBSET = list(range(0, 10_000, 20))  # scripts/certify_at_scale.sh: --skip 20 --max 500


@pytest.mark.parametrize("model", zoo.list_pretrained())
def test_every_shipped_model_has_its_committed_run_at_scale_complete_and_with_provenance(model):
    folder = Path(__file__).resolve().parents[2] / "data" / "results" / "scale"
    (res,) = book.scale_runs({model: model}, folder=folder).values()
    card = zoo.load_pretrained(model).card
    assert sorted(res.columns["idx"].tolist()) == SHIPPED_SUBSET
    assert (res.params["n"], res.params["n0"], res.params["alpha"]) == (10_000, 100, 0.001)
    assert res.params["model_sha256"] == card["sha256"], "the run is of other weights than the shipped ones"
    assert {"command", "date", "device", "versions", "git_commit"} <= set(res.provenance)
    assert f"--model {model} " in res.provenance["command"]

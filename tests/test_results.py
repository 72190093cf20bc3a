"""Results files and dataset certification: round trip, resume after a kill, refusal to mix runs."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from rslib import certificates, results, smoothing
from rslib.smoothing import Smoothed


class ThresholdModel(torch.nn.Module):
    """Class 1 when the mean pixel exceeds 0.5: smooth enough that certificates vary across inputs."""

    def forward(self, z):
        score = (z.flatten(1).mean(dim=1) - 0.5) * 20
        return torch.stack([-score, score], dim=1)


BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"


def _dataset(size=12, seed=0):
    gen = torch.Generator().manual_seed(seed)
    images = torch.rand(size, 1, 4, 4, generator=gen)
    return [(img, int(img.mean() > 0.5)) for img in images]


def _smoothed():
    return Smoothed(ThresholdModel(), smoothing.Gaussian(0.25), num_classes=2, device="cpu")


def test_round_trip_and_certified_accuracy(tmp_path):
    out = tmp_path / "run.tsv"
    res = smoothing.certify_dataset(
        _smoothed(),
        _dataset(),
        range(12),
        n0=10,
        n=200,
        alpha=0.01,
        out=out,
        params={"model": "threshold"},
        provenance={"command": "test"},
        progress=False,
    )
    assert len(res) == 12 and res.params["model"] == "threshold" and res.params["noise"]["sigma"] == 0.25
    assert res.provenance == {"command": "test"}
    acc = res.certified_accuracy([0.0, 0.1, 100.0])
    assert acc[0] >= acc[1] >= acc[2] == 0.0
    manual = np.mean([(c == 1) and r >= 0.1 for c, r in zip(res.columns["correct"], res.columns["radius"])])
    assert acc[1] == pytest.approx(manual)
    # The same bounds through the run's own certificate give the same curve; a zero certificate gives none.
    same = res.certified_accuracy_with(lambda p_a, p_b: certificates.gaussian_l2(p_a, sigma=0.25), [0.0, 0.1, 100.0])
    np.testing.assert_allclose(same, acc, atol=1e-12)
    assert res.certified_accuracy_with(lambda p_a, p_b: np.zeros_like(p_a), [0.1]).tolist() == [0.0]


def test_in_memory_run_equals_file_run(tmp_path):
    in_memory = smoothing.certify_dataset(_smoothed(), _dataset(), range(6), 10, 200, 0.01, progress=False)
    on_disk = smoothing.certify_dataset(
        _smoothed(), _dataset(), range(6), 10, 200, 0.01, out=tmp_path / "r.tsv", progress=False
    )
    np.testing.assert_allclose(in_memory.columns["radius"], on_disk.columns["radius"], rtol=1e-5)
    assert list(in_memory.columns["predict"]) == list(on_disk.columns["predict"])


def test_resume_after_a_torn_write_loses_and_repeats_nothing(tmp_path):
    out = tmp_path / "run.tsv"
    full = smoothing.certify_dataset(_smoothed(), _dataset(), range(12), 10, 200, 0.01, progress=False)
    smoothing.certify_dataset(_smoothed(), _dataset(), range(5), 10, 200, 0.01, out=out, progress=False)
    with open(out, "a") as handle:  # a kill in the middle of writing row 5
        handle.write("5\t1\t1\t0.2")
    resumed = smoothing.certify_dataset(_smoothed(), _dataset(), range(12), 10, 200, 0.01, out=out, progress=False)
    assert list(resumed.columns["idx"]) == list(range(12))
    np.testing.assert_allclose(resumed.columns["radius"], full.columns["radius"], rtol=1e-5)


def test_packing_inputs_into_shared_batches_changes_no_row(tmp_path):
    # batch 64 with n0=10, n=200: unpacked, every input ends in a partial batch; packed, batches are full
    kwargs = dict(n0=10, n=200, alpha=0.01, batch_size=64, progress=False)
    alone = smoothing.certify_dataset(_smoothed(), _dataset(), range(12), **kwargs)
    packed = smoothing.certify_dataset(_smoothed(), _dataset(), range(12), pack=5, out=tmp_path / "p.tsv", **kwargs)
    assert list(packed.columns["idx"]) == list(range(12))
    for column in ("predict", "count_a", "seed"):
        assert list(packed.columns[column]) == list(alone.columns[column]), column
    with pytest.raises(ValueError, match="pack must be an integer >= 1, got 0"):
        smoothing.certify_dataset(_smoothed(), _dataset(), range(2), pack=0, **kwargs)


def test_packed_batches_are_full_and_each_inputs_noise_is_its_own():
    seen = []

    class Recorder(ThresholdModel):
        def forward(self, z):
            seen.append(z.shape[0])
            return super().forward(z)

    smoothed = Smoothed(Recorder(), smoothing.Gaussian(0.25), num_classes=2, device="cpu")
    xs = [x for x, _ in _dataset(7)]
    many = smoothed.certify_many(xs, 10, 100, 0.01, batch_size=64, seeds=[3, 1, 4, 1, 5, 9, 2])
    assert seen == [64] * 12 + [7 * 110 - 12 * 64]  # 770 samples: full batches, one partial at the very end
    for x, s, cert in zip(xs, [3, 1, 4, 1, 5, 9, 2], many):
        alone = smoothed.certify(x, 10, 100, 0.01, batch_size=64, seed=s)
        assert (alone.counts == cert.counts).all() and alone.radius == cert.radius
    with pytest.raises(ValueError, match="one shape"):
        smoothed.certify_many([xs[0], torch.rand(1, 5, 5)], 10, 100, 0.01)
    with pytest.raises(ValueError, match="one seed per input"):
        smoothed.certify_many(xs, 10, 100, 0.01, seeds=[1])


def test_a_file_from_other_parameters_is_refused(tmp_path):
    out = tmp_path / "run.tsv"
    smoothing.certify_dataset(_smoothed(), _dataset(), range(3), 10, 200, 0.01, out=out, progress=False)
    with pytest.raises(ValueError, match="other parameters \\(n differ\\)"):
        smoothing.certify_dataset(_smoothed(), _dataset(), range(6), 10, 300, 0.01, out=out, progress=False)


def test_a_file_with_no_row_yet_is_started_afresh_with_the_new_parameters(tmp_path):
    out = tmp_path / "run.tsv"  # a run that failed before its first input leaves only the header
    smoothing.certify_dataset(_smoothed(), _dataset(), [], 10, 200, 0.01, out=out, progress=False)
    res = smoothing.certify_dataset(_smoothed(), _dataset(), range(2), 10, 300, 0.01, out=out, progress=False)
    assert res.params["n"] == 300 and len(res) == 2


def test_malformed_files_are_named(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("idx\tradius\n1\t0.5\n")
    with pytest.raises(ValueError, match="bad.tsv"):
        results.read(bad)
    worse = tmp_path / "worse.tsv"
    worse.write_text("# rslib-params: " + json.dumps({"n": 1}) + "\n" + "\t".join(results.COLUMNS) + "\n1\t2\n")
    with pytest.raises(ValueError, match="worse.tsv: line 3"):
        results.read(worse)


def test_input_seeds_depend_only_on_seed_and_index():
    assert smoothing.input_seed(0, 5) == smoothing.input_seed(0, 5)
    assert len({smoothing.input_seed(0, i) for i in range(1000)}) == 1000
    assert smoothing.input_seed(1, 5) != smoothing.input_seed(0, 5)


def test_topk_dataset_returns_the_true_labels_radius():
    data = _dataset(6)
    out = smoothing.certify_topk_dataset(_smoothed(), data, range(6), n=300, alpha=0.01, ks=(1,), progress=False)
    assert list(out.idx) == list(range(6)) and list(out.label) == [y for _, y in data]
    for i in range(6):
        cert = _smoothed().certify_topk(data[i][0], 300, 0.01, k=1, seed=smoothing.input_seed(0, i))
        assert out.radius[1][i] == cert.radii[data[i][1]]
        assert (out.counts[i] == cert.counts).all()


def test_topk_counts_are_prefixes_of_one_vote_stream():
    data, smoothed = _dataset(4), _smoothed()
    out = smoothing.vote_counts(smoothed, data, range(4), ns=(50, 300, 120), progress=False)
    assert sorted(out.counts) == [50, 120, 300]
    for n, counts in out.counts.items():
        assert counts.shape == (4, 2) and (counts.sum(axis=1) == n).all()
    for i in range(4):
        votes = smoothed.sample_votes(
            data[i][0], 300, batch_size=1000, generator=smoothed.generator(smoothing.input_seed(0, i))
        )
        for n in (50, 120, 300):
            assert (out.counts[n][i] == np.bincount(votes[:n].numpy(), minlength=2)).all()
    radius = smoothing.topk_radii(smoothed, out.counts[300], out.label, 0.01, 1, (1,))
    whole = smoothing.certify_topk_dataset(smoothed, data, range(4), n=300, alpha=0.01, progress=False)
    assert (radius == whole.radius[1]).all()


def test_shards_merge_into_the_unsharded_result(tmp_path):
    whole = smoothing.certify_dataset(
        _smoothed(), _dataset(), range(12), 10, 200, 0.01, out=tmp_path / "whole.tsv", progress=False
    )
    shards = []
    for rank in range(3):
        path = tmp_path / f"run.tsv.rank{rank}"
        smoothing.certify_dataset(
            _smoothed(), _dataset(), list(range(12))[rank::3], 10, 200, 0.01, out=path, progress=False
        )
        shards.append(path)
    merged = results.merge(shards, tmp_path / "merged.tsv")
    assert list(merged.columns["idx"]) == list(range(12))
    np.testing.assert_allclose(merged.columns["radius"], whole.columns["radius"])
    again = results.merge(shards, tmp_path / "merged.tsv")  # idempotent: nothing written twice
    assert len(again) == 12


def test_benchmark_results_and_their_provenance_line():
    from rslib import results

    with pytest.raises(FileNotFoundError, match="no results file .*nope.json; beside it: .*sequential-cpu.json"):
        results.read_json_results(BENCHMARKS / "nope.json")
    line = results.describe(results.provenance(command="rslib certify --model m"))
    assert "`rslib certify --model m`" in line and "torch" in line and "commit" in line


def test_committed_sequential_benchmark_summary_matches_its_rows():
    """The summary chapter 5 prints is recomputed here from the per-image rows of the same file."""
    from rslib import results

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


# --- Files are refused before they are touched; torn headers; lossless floats; every row checked -----------

_PARAMS_LINE = '# rslib-params: {"n": 100, "noise": {"noise": "gaussian", "sigma": 0.25}, "seed": 0}\n'
_HEADER = _PARAMS_LINE + "# rslib-provenance: {}\n" + "\t".join(results.COLUMNS) + "\n"


def _row(index=0, /, **fields) -> str:
    row = {
        "idx": index,
        "label": 1,
        "predict": 1,
        "radius": 0.5,
        "correct": 1,
        "time": 0.1,
        "p_a": 0.9,
        "p_b": 0.1,
        "count_a": 90,
        "n": 100,
        "norm": "l2",
        "seed": smoothing.input_seed(0, index),
        **fields,
    }
    return "\t".join(str(row[c]) for c in results.COLUMNS) + "\n"


def _params(**extra):
    return {"n": 100, "noise": {"noise": "gaussian", "sigma": 0.25}, "seed": 0, **extra}


@pytest.mark.parametrize(
    "content",
    [b"PK\x03\x04 a torch checkpoint\x80\x02 without a final newline", b"notes\nthe last line has no newline"],
    ids=["checkpoint", "text"],
)
def test_a_file_that_is_not_a_results_file_is_refused_byte_identical(tmp_path, content):
    path = tmp_path / "model.pt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="model.pt"):
        results.open_for_append(path, _params(), {})
    assert path.read_bytes() == content


def test_a_torn_last_row_is_dropped_only_when_the_rest_is_valid(tmp_path):
    path = tmp_path / "run.tsv"
    path.write_text(_HEADER + _row(0) + _row(1)[:7])
    done, handle = results.open_for_append(path, _params(), {})
    handle.close()
    assert done == {0} and path.read_text() == _HEADER + _row(0)
    broken = _HEADER + _row(0).replace("0.5", "abc") + _row(1)[:7]
    path.write_text(broken)
    with pytest.raises(ValueError, match="run.tsv: line 4"):
        results.open_for_append(path, _params(), {})
    assert path.read_text() == broken


@pytest.mark.parametrize("torn", ['# rslib-params: {"alp', _PARAMS_LINE, _PARAMS_LINE + "# rslib-prov", _HEADER[:-5]])
def test_a_torn_header_with_no_row_restarts_cleanly(tmp_path, torn):
    path = tmp_path / "run.tsv"
    path.write_text(torn)
    done, handle = results.open_for_append(path, _params(), {"command": "again"})
    handle.close()
    assert done == set() and results.read(path).provenance == {"command": "again"}


def test_a_damaged_header_with_rows_is_refused_and_keeps_its_rows(tmp_path):
    path = tmp_path / "run.tsv"
    damaged = '# rslib-params: {"alp\n' + "\t".join(results.COLUMNS) + "\n" + _row(0)
    path.write_text(damaged)
    with pytest.raises(ValueError, match="run.tsv: line 1"):
        results.open_for_append(path, _params(), {})
    assert path.read_text() == damaged


def test_floats_are_stored_losslessly_and_old_files_still_read(tmp_path):
    path = tmp_path / "run.tsv"
    _, handle = results.open_for_append(path, _params(), {})
    p_a = 0.99999965
    with handle:
        results.append_row(
            handle,
            {
                "idx": 0,
                "label": 1,
                "predict": 1,
                "radius": 0.49999996,
                "correct": 1,
                "time": np.float64(0.1),
                "p_a": p_a,
                "p_b": np.float32(1e-8),
                "count_a": 100,
                "n": 100,
                "norm": "l2",
                "seed": np.uint32(smoothing.input_seed(0, 0)),
            },
        )
    res = results.read(path)
    assert res.columns["radius"][0] == 0.49999996 and res.columns["p_a"][0] == p_a
    assert res.columns["p_b"][0] == float(np.float32(1e-8))
    assert res.certified_accuracy([0.5]).tolist() == [0.0]
    old = tmp_path / "old.tsv"
    old.write_text(_HEADER + _row(0, radius="0.5", p_a="0.99", time="1.23457e-05"))
    assert results.read(old).columns["time"][0] == 1.23457e-05


def test_displayed_bounds_are_rounded_toward_safety():
    assert results.format_down(0.49999996, 3) == "0.499"
    assert results.format_down(0.5, 3) == "0.500"
    assert results.format_up(0.4991, 3) == "0.500"
    assert results.format_down(0.1, 1) == "0.1"  # 0.1 is a hair above 1/10: still shown as 0.1
    assert results.format_down(-0.25, 1) == "-0.3"


@pytest.mark.parametrize(
    "body,match",
    [
        (_row(0, n=200), "line 4: n is 200 but the header's n is 100"),
        (_row(0, norm="l1"), "line 4: norm is 'l1' but the header's noise certifies l2"),
        (_row(0, seed=7), "line 4: seed is 7 but the header's seed 0 gives input 0 the seed"),
        (_PARAMS_LINE, "line 4: a second '# rslib-params:' line"),
        (_row(0) + _row(0), "line 5: idx 0 is already on line 4"),
        (_row(0, radius="nan"), "line 4: radius must be a finite number >= 0, got nan"),
        (_row(0, radius="inf"), "line 4: radius must be a finite number >= 0, got inf"),
        (_row(0, radius="-0.5"), "line 4: radius must be a finite number >= 0, got -0.5"),
        (_row(0, correct=7), "line 4: correct must be 0 or 1, got 7"),
        (_row(0, predict=-1, radius=5), "line 4: an abstained row \\(predict -1\\) must have radius 0 and correct 0"),
        (_row(0, p_a=1.5), "line 4: p_a must lie in \\[0, 1\\], got 1.5"),
        (_row(0, p_b=-0.1), "line 4: p_b must lie in \\[0, 1\\], got -0.1"),
        (_row(0, count_a=101), "line 4: count_a must lie in \\[0, n\\], got 101"),
        (_row(0, radius="abc"), "line 4: radius must be a number, got 'abc'"),
        (_row(0, idx="x"), "line 4: idx must be an integer, got 'x'"),
        (_row(0) + "\n" + _row(1), "line 5 is blank"),
    ],
)
def test_every_row_is_checked(tmp_path, body, match):
    path = tmp_path / "run.tsv"
    path.write_text(_HEADER + body)
    with pytest.raises(ValueError, match="run.tsv: " + match):
        results.read(path)


def test_a_trailing_blank_line_is_accepted(tmp_path):
    path = tmp_path / "run.tsv"
    path.write_text(_HEADER + _row(0) + _row(1) + "\n")
    assert len(results.read(path)) == 2


@pytest.mark.parametrize(
    "content,match",
    [
        (b"\xef\xbb\xbf" + _HEADER.encode(), "run.tsv: starts with a byte-order mark"),
        (_HEADER.encode() + b"0\t1\t\xff\n", "run.tsv: line 4 is not UTF-8"),
        (b"# rslib-params: [1,2]\n", "run.tsv: line 1: the '# rslib-params:' line must hold a JSON object, got a list"),
    ],
)
def test_file_level_errors_name_the_file_and_line(tmp_path, content, match):
    path = tmp_path / "run.tsv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        results.read(path)


def test_a_hand_edited_header_is_refused_on_resume(tmp_path):
    out = tmp_path / "run.tsv"
    smoothing.certify_dataset(_smoothed(), _dataset(), range(3), 10, 200, 0.01, out=out, progress=False)
    out.write_text(out.read_text().replace('"n": 200', '"n": 100'))
    with pytest.raises(ValueError, match="run.tsv: line 4: n is 200 but the header's n is 100"):
        smoothing.certify_dataset(_smoothed(), _dataset(), range(6), 10, 100, 0.01, out=out, progress=False)


def test_merge_refuses_conflicting_duplicates_and_keeps_identical_ones(tmp_path):
    a, b, c = tmp_path / "a.tsv", tmp_path / "b.tsv", tmp_path / "c.tsv"
    a.write_text(_HEADER + _row(0) + _row(1))
    b.write_text(_HEADER + _row(1) + _row(2))
    c.write_text(_HEADER + _row(2, radius=0.25))
    merged = results.merge([a, b], tmp_path / "m.tsv")
    assert merged.columns["idx"].tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="idx 2 differs between .*b.tsv line 5 and .*c.tsv line 4"):
        results.merge([a, b, c], tmp_path / "m2.tsv")
    assert not (tmp_path / "m2.tsv").exists()


def test_a_second_writer_is_refused_at_once_naming_the_file(tmp_path):
    path = tmp_path / "run.tsv"
    _, first = results.open_for_append(path, _params(), {})
    with first:
        before = path.read_bytes()
        with pytest.raises(ValueError, match="run.tsv is in use: another rslib process is writing it"):
            results.open_for_append(path, _params(), {})
        with pytest.raises(ValueError, match="run.tsv is in use"):
            results.merge([path], tmp_path / "merged.tsv")  # a shard still being written is not merged
        assert path.read_bytes() == before
    with results.locked(tmp_path / "out.tsv"):
        with pytest.raises(ValueError, match="out.tsv is in use"):
            results.open_for_append(tmp_path / "out.tsv", _params(), {})
        with results.locked(tmp_path / "out.tsv"):  # the holder itself may take it again (rank 0's merge)
            pass
    assert not (tmp_path / "out.tsv").exists()  # created only for the lock, and removed


def test_merge_replaces_out_atomically_and_keeps_it_locked(tmp_path):
    a, out = tmp_path / "a.tsv", tmp_path / "out.tsv"
    a.write_text(_HEADER + _row(0) + _row(1))
    with results.locked(out):
        results.merge([a], out)
        with pytest.raises(ValueError, match="out.tsv is in use"):  # the lock moved to the renamed file
            results.open_for_append(out, _params(), {})
    assert results.read(out).columns["idx"].tolist() == [0, 1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tsv", "out.tsv"]


@pytest.mark.parametrize("special", ["/dev/null", "folder"])
def test_a_results_file_must_be_a_regular_file(tmp_path, special):
    path = special if special.startswith("/") else tmp_path / special
    if not special.startswith("/"):
        path.mkdir()
    with pytest.raises(ValueError, match=f"{path} is not a regular file"):
        results.open_for_append(path, _params(), {})

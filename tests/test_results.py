"""Results files and dataset certification: round trip, resume after a kill, refusal to mix runs."""
import json

import numpy as np
import pytest
import torch

from rslib import certify, noise, radii, results
from rslib.smooth import Smoothed


class ThresholdModel(torch.nn.Module):
    """Class 1 when the mean pixel exceeds 0.5: smooth enough that certificates vary across inputs."""

    def forward(self, z):
        score = (z.flatten(1).mean(dim=1) - 0.5) * 20
        return torch.stack([-score, score], dim=1)


def _dataset(size=12, seed=0):
    gen = torch.Generator().manual_seed(seed)
    images = torch.rand(size, 1, 4, 4, generator=gen)
    return [(img, int(img.mean() > 0.5)) for img in images]


def _smoothed():
    return Smoothed(ThresholdModel(), noise.Gaussian(0.25), num_classes=2, device="cpu")


def test_round_trip_and_certified_accuracy(tmp_path):
    out = tmp_path / "run.tsv"
    res = certify.certify_dataset(_smoothed(), _dataset(), range(12), n0=10, n=200, alpha=0.01, out=out,
                                  params={"model": "threshold"}, provenance={"command": "test"}, progress=False)
    assert len(res) == 12 and res.params["model"] == "threshold" and res.params["noise"]["sigma"] == 0.25
    assert res.provenance == {"command": "test"}
    acc = res.certified_accuracy([0.0, 0.1, 100.0])
    assert acc[0] >= acc[1] >= acc[2] == 0.0
    manual = np.mean([(c == 1) and r >= 0.1 for c, r in zip(res.columns["correct"], res.columns["radius"])])
    assert acc[1] == pytest.approx(manual)
    # The same bounds through the run's own certificate give the same curve; a zero certificate gives none.
    same = res.certified_accuracy_with(lambda p_a, p_b: radii.gaussian_l2(p_a, 0.25), [0.0, 0.1, 100.0])
    np.testing.assert_allclose(same, acc, atol=1e-12)
    assert res.certified_accuracy_with(lambda p_a, p_b: np.zeros_like(p_a), [0.1]).tolist() == [0.0]


def test_in_memory_run_equals_file_run(tmp_path):
    in_memory = certify.certify_dataset(_smoothed(), _dataset(), range(6), 10, 200, 0.01, progress=False)
    on_disk = certify.certify_dataset(_smoothed(), _dataset(), range(6), 10, 200, 0.01, out=tmp_path / "r.tsv",
                                      progress=False)
    np.testing.assert_allclose(in_memory.columns["radius"], on_disk.columns["radius"], rtol=1e-5)
    assert list(in_memory.columns["predict"]) == list(on_disk.columns["predict"])


def test_resume_after_a_torn_write_loses_and_repeats_nothing(tmp_path):
    out = tmp_path / "run.tsv"
    full = certify.certify_dataset(_smoothed(), _dataset(), range(12), 10, 200, 0.01, progress=False)
    certify.certify_dataset(_smoothed(), _dataset(), range(5), 10, 200, 0.01, out=out, progress=False)
    with open(out, "a") as handle:  # a kill in the middle of writing row 5
        handle.write("5\t1\t1\t0.2")
    resumed = certify.certify_dataset(_smoothed(), _dataset(), range(12), 10, 200, 0.01, out=out, progress=False)
    assert list(resumed.columns["idx"]) == list(range(12))
    np.testing.assert_allclose(resumed.columns["radius"], full.columns["radius"], rtol=1e-5)


def test_packing_inputs_into_shared_batches_changes_no_row(tmp_path):
    # batch 64 with n0=10, n=200: unpacked, every input ends in a partial batch; packed, batches are full
    kwargs = dict(n0=10, n=200, alpha=0.01, batch_size=64, progress=False)
    alone = certify.certify_dataset(_smoothed(), _dataset(), range(12), **kwargs)
    packed = certify.certify_dataset(_smoothed(), _dataset(), range(12), pack=5, out=tmp_path / "p.tsv", **kwargs)
    assert list(packed.columns["idx"]) == list(range(12))
    for column in ("predict", "count_a", "seed"):
        assert list(packed.columns[column]) == list(alone.columns[column]), column
    with pytest.raises(ValueError, match="pack must be an integer >= 1, got 0"):
        certify.certify_dataset(_smoothed(), _dataset(), range(2), pack=0, **kwargs)


def test_packed_batches_are_full_and_each_inputs_noise_is_its_own():
    seen = []

    class Recorder(ThresholdModel):
        def forward(self, z):
            seen.append(z.shape[0])
            return super().forward(z)

    smoothed = Smoothed(Recorder(), noise.Gaussian(0.25), num_classes=2, device="cpu")
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
    certify.certify_dataset(_smoothed(), _dataset(), range(3), 10, 200, 0.01, out=out, progress=False)
    with pytest.raises(ValueError, match="other parameters \\(n differ\\)"):
        certify.certify_dataset(_smoothed(), _dataset(), range(6), 10, 300, 0.01, out=out, progress=False)


def test_a_file_with_no_row_yet_is_started_afresh_with_the_new_parameters(tmp_path):
    out = tmp_path / "run.tsv"  # a run that failed before its first input leaves only the header
    certify.certify_dataset(_smoothed(), _dataset(), [], 10, 200, 0.01, out=out, progress=False)
    res = certify.certify_dataset(_smoothed(), _dataset(), range(2), 10, 300, 0.01, out=out, progress=False)
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
    assert certify.input_seed(0, 5) == certify.input_seed(0, 5)
    assert len({certify.input_seed(0, i) for i in range(1000)}) == 1000
    assert certify.input_seed(1, 5) != certify.input_seed(0, 5)


def test_topk_dataset_returns_the_true_labels_radius():
    data = _dataset(6)
    out = certify.certify_topk_dataset(_smoothed(), data, range(6), n=300, alpha=0.01, ks=(1,), progress=False)
    assert list(out["idx"]) == list(range(6)) and list(out["label"]) == [y for _, y in data]
    for i in range(6):
        cert = _smoothed().certify_topk(data[i][0], 300, 0.01, k=1, seed=certify.input_seed(0, i))
        assert out["radius"][1][i] == cert.radii[data[i][1]]
        assert (out["counts"][i] == cert.counts).all()


def test_topk_counts_are_prefixes_of_one_vote_stream():
    data, smoothed = _dataset(4), _smoothed()
    out = certify.topk_counts(smoothed, data, range(4), ns=(50, 300, 120), progress=False)
    assert sorted(out["counts"]) == [50, 120, 300]
    for n, counts in out["counts"].items():
        assert counts.shape == (4, 2) and (counts.sum(axis=1) == n).all()
    for i in range(4):
        votes = smoothed.sample_votes(data[i][0], 300, 1000, smoothed._generator(certify.input_seed(0, i)))
        for n in (50, 120, 300):
            assert (out["counts"][n][i] == np.bincount(votes[:n].numpy(), minlength=2)).all()
    radius = certify.topk_radii(smoothed, out["counts"][300], out["label"], 0.01, 1, (1,))
    whole = certify.certify_topk_dataset(smoothed, data, range(4), n=300, alpha=0.01, progress=False)
    assert (radius == whole["radius"][1]).all()


def test_shards_merge_into_the_unsharded_result(tmp_path):
    whole = certify.certify_dataset(_smoothed(), _dataset(), range(12), 10, 200, 0.01, out=tmp_path / "whole.tsv",
                                    progress=False)
    shards = []
    for rank in range(3):
        path = tmp_path / f"run.tsv.rank{rank}"
        certify.certify_dataset(_smoothed(), _dataset(), list(range(12))[rank::3], 10, 200, 0.01, out=path, progress=False)
        shards.append(path)
    merged = results.merge(shards, tmp_path / "merged.tsv")
    assert list(merged.columns["idx"]) == list(range(12))
    np.testing.assert_allclose(merged.columns["radius"], whole.columns["radius"])
    again = results.merge(shards, tmp_path / "merged.tsv")  # idempotent: nothing written twice
    assert len(again) == 12


def test_benchmark_results_and_their_provenance_line():
    from rslib import provenance

    with pytest.raises(FileNotFoundError, match="no benchmark results .*nope.json"):
        provenance.benchmark_results("nope")
    line = provenance.describe(provenance.provenance(command="rslib certify --model m"))
    assert "`rslib certify --model m`" in line and "torch" in line and "commit" in line


def test_committed_sequential_benchmark_summary_matches_its_rows():
    """The summary chapter 5 prints is recomputed here from the per-image rows of the same file."""
    from rslib import provenance

    bench = provenance.benchmark_results("sequential-cpu")
    assert len(bench["rows"]) == bench["images"] and bench["provenance"]["command"].startswith("benchmarks/sequential.py")
    for r, summary in bench["summary"].items():
        decisions = [row["sequential"][r] for row in bench["rows"]]
        assert summary["mean_passes"] == pytest.approx(np.mean([d["samples"] for d in decisions]))
        assert summary["passes_ratio"] == pytest.approx(summary["mean_passes"] / (100 + bench["N"]))
        assert summary["agreement"] == pytest.approx(np.mean([d["certified"] == d["fixed_certified"] for d in decisions]))
        assert all(d["samples"] <= 100 + bench["N"] for d in decisions)

"""Dataset certification (rslib.smoothing._dataset): a run into a results file and back, resuming after a kill,
refusing to mix runs, packing and sharding that change no row, top-k runs and their vote streams."""

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


def test_a_hand_edited_header_is_refused_on_resume(tmp_path):
    out = tmp_path / "run.tsv"
    smoothing.certify_dataset(_smoothed(), _dataset(), range(3), 10, 200, 0.01, out=out, progress=False)
    out.write_text(out.read_text().replace('"n": 200', '"n": 100'))
    with pytest.raises(ValueError, match="run.tsv: line 4: n is 200 but the header's n is 100"):
        smoothing.certify_dataset(_smoothed(), _dataset(), range(6), 10, 100, 0.01, out=out, progress=False)


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


class MeanModel(torch.nn.Module):
    """Three classes by the mean of the first channel: enough spread for certificates to vary."""

    def forward(self, z):
        score = (z[:, :1].flatten(1).mean(dim=1) - 0.5) * 20
        return torch.stack([-score, score, torch.zeros_like(score)], dim=1)


def _data(size=5):
    images = torch.rand(size, 1, 6, 6, generator=torch.Generator().manual_seed(0))
    return [(img, int(img.mean() > 0.5)) for img in images]


@pytest.mark.parametrize("noise_", [smoothing.Ablation(10), smoothing.Gaussian(0.5)])
def test_topk_l0_radii(noise_):
    data, smoothed = _data(), Smoothed(MeanModel(), noise_, num_classes=3, device="cpu")
    votes = smoothing.vote_counts(smoothed, data, range(5), ns=(200,), progress=False)
    radius = smoothing.topk_l0_radii(smoothed, votes, 200, 0.01, 1, (1, 6, 6))
    direct = smoothing.topk_radii(smoothed, votes.counts[200], votes.label, 0.01, 1, (1, 6, 6))
    assert list(radius) == list(direct if noise_.norm == "l0" else certificates.l2_to_l0(direct))

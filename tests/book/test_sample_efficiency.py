"""The sample-efficiency tables of chapters 5 and 6 (rslib.book._sample_efficiency): built from a benchmark summary
of known numbers, and the gain of randomized Clopper-Pearson, never negative."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from rslib import book, bounds


def _method(images, passes, agreement, oracle, oracle_certified):
    return {
        "images": images,
        "mean_passes": passes,
        "agreement": agreement,
        "undecided": 0.0,
        "oracle_ratio": oracle,
        "oracle_ratio_fixed_certified": oracle_certified,
    }


SUMMARY = {
    "N": 100_000,
    "n0": 100,
    "alpha": 0.001,
    "loss_sigma": 0.02,
    "models": {
        "m": {
            "sigma": 0.5,
            "radii": {
                "0.25": {"sequential": _method(3, 1001.0, 1.0, 1.25, 1.5), "randomized": {"images": 3}},
                "1.0": {"sequential_shared": _method(3, 0.0, 1.0, None, None)},
            },
            "estimation": {
                "adaptive": {"images": 3, "mean_passes": 50_050.0, "speedup": 2.0, "mean_loss_sigma": 0.01},
                "oracle": {
                    "images": 3,
                    "mean_passes_at_loss": 25_025.0,
                    "speedup_at_loss": 4.0,
                    "least_loss_at_5x": 0.03,
                },
            },
        }
    },
}


def test_fixed_radius_table_shows_each_sequential_method_and_radius():
    table = book.fixed_radius_table(SUMMARY, "m")
    assert table.rows == [
        ["0.25", "sequential, own stream", "3", "1,001", "100.0", "1.0000", "0.000", "1.25", "1.50"],
        ["1.0", "sequential, shared stream", "3", "0", "inf", "1.0000", "0.000", "n/a", "n/a"],
    ]  # the randomized bound decides no radius with fewer votes: it has no row here
    assert "σ = 0.5" in table.caption and "100,000" in table.caption


def test_estimation_table_ends_each_model_with_the_oracle():
    table = book.estimation_table(SUMMARY)
    assert [row[1] for row in table.rows] == [
        "certify_adaptive (tol 0.02 σ)",
        "oracle at loss 0.02 σ",
        "oracle at 5x: least loss",
    ]
    assert table.rows[1][3:] == ["25,025", "4.00", "0.0200"]
    assert table.rows[2][3:] == ["20,020", "5.00", "0.0300"]  # (n0 + N) / 5 passes


def test_randomized_gain_is_never_negative_and_starts_from_clopper_pearson():
    table = book.randomized_gain_table([900, 990, 1000], 1000, alpha=0.05, draws=400, seed=1)
    radius, mean_gain, median_gain, top = (np.array([float(row[j]) for row in table.rows]) for j in (1, 2, 3, 4))
    expected = norm.ppf(bounds.clopper_pearson(np.array([900, 990, 1000]), 1000, 0.05))
    assert radius == pytest.approx(expected, abs=1e-4)
    assert (mean_gain >= 0).all() and (median_gain >= 0).all()
    assert top[:2].tolist() == [0, 0] and 0 < top[2] < 0.15  # only k = n reaches 1, when U <= alpha

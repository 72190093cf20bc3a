"""benchmarks/published_methods.py: the re-implemented ISS asks for no empty batch of votes."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import published_methods  # a script's module, not a package


def test_iss_with_a_size_at_most_the_pilot_draws_no_empty_batch():
    rng = np.random.default_rng(0)
    asked = []

    def count_votes(m):  # like Smoothed.sample_counts: at least one vote
        assert m >= 1, f"asked for {m} votes"
        asked.append(m)
        return np.bincount(rng.random(m) < 0.9, minlength=2)[::-1]

    run = published_methods.input_specific(count_votes, sigma=0.5, alpha=0.001, loss=0.01, n_pilot=2000, max_size=2000)
    assert asked[0] == 2000 and sum(asked) <= 4000
    (label, p_a, passes), (_, _, fresh_passes) = run["pooled"], run["fresh"]
    assert label == 0 and 0.85 < p_a < 0.9 and passes == 2000 and fresh_passes == 2000 + sum(asked[1:])

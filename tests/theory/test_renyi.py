"""Renyi divergences and Li et al.'s Lemma 1 (rslib.theory.renyi)."""

import numpy as np
import pytest


def test_lemma1_minimizer_attains_the_bound_and_no_other_q_beats_it():
    from rslib.theory import renyi

    rng = np.random.default_rng(9)
    for _ in range(20):
        p = np.sort(rng.dirichlet(np.ones(4)))[::-1]
        alpha = float(rng.uniform(1.1, 20))
        bound = renyi.lemma1_bound(p, order=alpha)
        q_star = renyi.lemma1_minimizer(p, order=alpha)
        assert q_star[0] == pytest.approx(q_star[1]) and q_star.sum() == pytest.approx(1.0)
        assert renyi.renyi_divergence(q_star, p, order=alpha) == pytest.approx(bound, rel=1e-9)
        others = rng.dirichlet(np.ones(4), size=3000)
        flipped = others[np.argmax(others, axis=1) != 0]
        assert min(renyi.renyi_divergence(q, p, order=alpha) for q in flipped[:500]) >= bound - 1e-12

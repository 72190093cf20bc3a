"""Renyi divergences and Li et al.'s Lemma 1 (rslib.theory.renyi): the divergence's definition, order and limits,
the lemma's bound and the distribution attaining it, and bad input."""

import numpy as np
import pytest

from rslib.theory import renyi


def test_the_divergence_follows_its_definition():
    q, p = np.array([0.7, 0.3]), np.array([0.4, 0.6])
    assert renyi.renyi_divergence(q, p, order=2) == pytest.approx(np.log(0.7**2 / 0.4 + 0.3**2 / 0.6))
    assert renyi.renyi_divergence(q, p, order=3) == pytest.approx(np.log(0.7**3 / 0.4**2 + 0.3**3 / 0.6**2) / 2)
    assert renyi.renyi_divergence(p, p, order=5) == pytest.approx(0.0, abs=1e-15)
    assert renyi.renyi_divergence([0.5, 0.5], [1.0, 0.0], order=2) == np.inf  # mass where P has none
    assert renyi.renyi_divergence([1.0, 0.0], [0.5, 0.5], order=2) == pytest.approx(np.log(2))


def test_the_divergence_grows_with_the_order_and_tends_to_kl_at_order_1():
    rng = np.random.default_rng(4)
    for _ in range(20):
        q, p = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
        values = [renyi.renyi_divergence(q, p, order=rho) for rho in (1.5, 2, 4, 16)]
        assert all(a <= b + 1e-12 for a, b in zip(values, values[1:]))  # van Erven & Harremoes, Theorem 3
        kl = float(np.sum(q * np.log(q / p)))
        assert renyi.renyi_divergence(q, p, order=1 + 1e-7) == pytest.approx(kl, rel=1e-5)


def test_lemma1_bound_is_its_closed_form_and_ignores_the_order_of_classes():
    # order 2: M_{-1} is the harmonic mean, 2 / (1/0.6 + 1/0.3) = 0.4, so the bound is -log(1 - 0.9 + 0.8)
    assert renyi.lemma1_bound([0.6, 0.3, 0.1], order=2) == pytest.approx(-np.log(0.9))
    assert renyi.lemma1_bound([0.1, 0.6, 0.3], order=2) == renyi.lemma1_bound([0.6, 0.3, 0.1], order=2)
    assert renyi.lemma1_bound([0.5, 0.5], order=3) == pytest.approx(0.0, abs=1e-15)  # a tie needs no move


def test_lemma1_minimizer_attains_the_bound_and_no_other_q_beats_it():
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


def test_the_renyi_radius_stays_strictly_below_cohens():
    from rslib import certificates

    p_b = np.repeat(np.geomspace(1e-6, 0.45, 40), 50)
    p_a = p_b + (1 - 2 * p_b) * np.tile(np.linspace(0.02, 1, 50), 40)
    ratio = renyi.radius_ratio(p_a, p_b)
    assert np.isfinite(ratio).all() and (ratio > 0).all() and (ratio < 1).all()
    # it is the quotient of the two certificates, at any sigma
    sigma = 0.37
    quotient = certificates.renyi_l2(0.9, 0.05, sigma=sigma) / certificates.gaussian_l2(0.9, 0.05, sigma=sigma)
    assert renyi.radius_ratio(0.9, 0.05) == pytest.approx(quotient, rel=1e-12)
    assert np.ndim(renyi.radius_ratio(0.9, 0.05)) == 0
    # where both certificates abstain there is no ratio
    assert np.isnan(renyi.radius_ratio(0.5, 0.5))


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda: renyi.renyi_divergence([0.5, 0.5], [0.5, 0.5], order=1.0), ValueError, "order must be a finite"),
        (lambda: renyi.lemma1_bound([0.5, 0.5], order=np.inf), ValueError, "order must be a finite number > 1"),
        (lambda: renyi.lemma1_bound([0.5, 0.4], order=2), ValueError, "p must be a probability vector"),
        (lambda: renyi.lemma1_minimizer([1.0], order=2), ValueError, "p must be a probability vector"),
        (lambda: renyi.renyi_divergence([[0.5, 0.5]], [0.5, 0.5], order=2), ValueError, "q must be a probability"),
        (lambda: renyi.renyi_divergence([0.5, 0.5], [1.5, -0.5], order=2), ValueError, r"p must lie in \[0, 1\]"),
        (lambda: renyi.lemma1_bound([0.5, 0.5], order="2"), TypeError, "order must be a number"),
    ],
)
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()

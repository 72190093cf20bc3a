"""Chapter 5's figures (rslib.figures._betting): the five lower bounds, their widths, the betting game, and a
confidence sequence beside intervals recomputed at every t."""

import re

import numpy as np
import pytest

from rslib import bounds, figures


def test_lower_bounds_are_the_five_bounds_in_their_named_order():
    x = (np.random.default_rng(0).random(300) < 0.9).astype(float)
    expected = [
        bounds.clopper_pearson(int(x.sum()), 300, 0.01),
        bounds.hoeffding(x.mean(), 300, 0.01),
        bounds.empirical_bernstein(x, 0.01),
        bounds.prpl_eb_lower(x, 0.01, n=300),
        bounds.betting_lower(x, 0.01, n=300),
    ]
    found = figures.lower_bounds(x, 0.01)
    assert len(found) == len(figures.BOUND_NAMES) == 5 and found == [float(b) for b in expected]
    assert all(0 <= b <= x.mean() for b in found)


def test_bound_widths_show_each_bound_s_distance_to_the_mean_on_one_path_per_p():
    ns = np.array([100, 400, 1600])
    fig = figures.bound_widths(p_values=(0.5, 0.99), ns=ns, alpha=0.01, seed=3)
    assert [t.name for t in fig.data] == list(figures.BOUND_NAMES)
    steps = fig.layout.sliders[0].steps
    assert [s.label for s in steps] == ["0.5", "0.99"]
    for step, p in zip(steps, (0.5, 0.99)):
        path = (np.random.default_rng(3).random(ns[-1]) < p).astype(float)
        for i, widths in enumerate(step.args[0]["y"]):
            expected = [path[:n].mean() - figures.lower_bounds(path[:n], 0.01)[i] for n in ns]
            np.testing.assert_allclose(widths, expected, rtol=1e-12)
            assert (np.asarray(widths) >= 0).all()
    np.testing.assert_allclose(fig.data[0].y, steps[0].args[0]["y"][0])  # the figure opens on the first step


def test_the_betting_game_rejects_the_candidates_whose_wealth_passes_log_2_over_alpha():
    fig = figures.betting_game(p=0.8, alpha=0.05, times=(10, 200), seed=1)
    candidates, threshold = np.asarray(fig.data[0].x), np.log(2 / 0.05)
    x = (np.random.default_rng(1).random(200) < 0.8).astype(float)
    for step, t in zip(fig.layout.sliders[0].steps, (10, 200)):
        wealth = np.asarray(step.args[0]["y"][0])
        bets = bounds.plug_in_bets(x[:t], 0.05, truncation=1.0)
        for i in (0, 98, 196):
            m = candidates[i]
            up = bounds.betting_log_capital(x[:t], m, bets)
            down = bounds.betting_log_capital(1 - x[:t], 1 - m, bets)
            assert wealth[i] == pytest.approx(max(up, down))
        kept = candidates[wealth < threshold]
        title = step.args[1]["title.text"]
        assert title.startswith(f"t = {t}: mean of the data {x[:t].mean():.3f}")
        assert title.endswith(f"[{kept.min():.2f}, {kept.max():.2f}]")
    low, high = map(float, re.findall(r"\[(.*), (.*)\]", fig.layout.sliders[0].steps[1].args[1]["title.text"])[0])
    assert high - low < 0.25 and wealth[0] > threshold  # after 200 draws: a narrow set, 0.01 far outside it


def test_the_sequence_and_the_intervals_recomputed_at_every_t():
    fig = figures.sequence_versus_intervals(p=0.6, alpha=0.05, horizon=500, seed=4)
    x = (np.random.default_rng(4).random(500) < 0.6).astype(float)
    t = np.arange(1, 501)
    np.testing.assert_allclose(fig.data[0].y, bounds.clopper_pearson(np.cumsum(x).astype(int), t, 0.05))
    sequence = np.asarray(fig.data[1].y)
    np.testing.assert_allclose(sequence, np.maximum.accumulate(bounds.prpl_eb_sequence(x, 0.05)))
    assert (np.diff(sequence) >= 0).all()  # its running maximum: valid too, and never falls
    assert fig.layout.shapes[0].y0 == 0.6  # the true mean


def test_the_figures_with_a_slider_and_a_long_legend_put_the_legend_below_and_the_slider_above():
    for fig in (figures.bound_widths(p_values=(0.5, 0.99), ns=[100, 1000]), figures.radius_explorer_figure(points=5)):
        assert fig.layout.legend.orientation == "h" and fig.layout.legend.y < 0  # under the x axis, in rows
        assert fig.layout.sliders[0].y == 1.0 and fig.layout.sliders[0].yanchor == "bottom"  # under the title
        assert fig.layout.margin.t >= 150 and fig.layout.height >= 450 + 22 * len(fig.data)
        assert fig.layout.title.text  # the title text survives the layout's title placement

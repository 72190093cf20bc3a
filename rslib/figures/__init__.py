"""Figures and widgets of the book (plotly and ipywidgets; install with ``pip install rslib[book]``).

Plotly figures stay interactive in the static HTML (their sliders switch between precomputed states);
the ipywidgets explorers (`*_explorer`) recompute with rslib in a live kernel.

- Chapter 1 (Gaussian): `radius_vs_p_a`, `half_spaces_2d`, `shifted_probabilities_curve`;
  every certificate side by side: `radius_explorer_figure` (plotly) and `radius_explorer` (widget).
- Chapter 2 (Laplace): `l1_ball_asymmetry`, `likelihood_statistic_cdf`, `half_space_as_level_sets`,
  `lecuyer_comparison_region`, `l1_radius_comparison`, `worst_case_tightness`, `rops_figures`.
- Chapter 3 (Renyi): `radii_against_p_a`, `optimal_order`, `lemma1_minimizer`, `paired_radii`.
- Chapter 4 (ablation): `ablated_views`, `radius_against_p_l`, `rounding_gain`, `radius_against_n`, `l0_curves`.
- Chapter 5 (bounds and betting): `bound_widths`, `betting_game`, `sequence_versus_intervals`.
- Every chapter: `certified_accuracy`, `certified_accuracy_studies`, `certified_accuracy_beside` (a run beside
  one at scale); widgets `half_space_explorer`,
  `certify_explorer`, `ablation_explorer`.
"""

from rslib.figures._ablation import (
    ABLATED_COLOR,
    ablated_image,
    ablated_views,
    l0_curves,
    radius_against_n,
    radius_against_p_l,
    rounding_gain,
)
from rslib.figures._accuracy import (
    LEGEND_BESIDE_MAX,
    certified_accuracy,
    certified_accuracy_beside,
    certified_accuracy_studies,
)
from rslib.figures._betting import BOUND_NAMES, betting_game, bound_widths, lower_bounds, sequence_versus_intervals
from rslib.figures._common import COLORS, DASHES, NORM_NAMES
from rslib.figures._gaussian import half_spaces_2d, radius_explorer_figure, radius_vs_p_a, shifted_probabilities_curve
from rslib.figures._laplace import (
    half_space_as_level_sets,
    l1_ball_asymmetry,
    l1_radius_comparison,
    lecuyer_comparison_region,
    likelihood_statistic_cdf,
    overlap_area,
    rops_figures,
    worst_case_tightness,
)
from rslib.figures._renyi import lemma1_minimizer, optimal_order, paired_radii, radii_against_p_a
from rslib.figures._widgets import ablation_explorer, certify_explorer, half_space_explorer, radius_explorer

__all__ = [
    "COLORS",
    "DASHES",
    "NORM_NAMES",
    "radius_vs_p_a",
    "half_spaces_2d",
    "shifted_probabilities_curve",
    "radius_explorer_figure",
    "radius_explorer",
    "half_space_explorer",
    "certify_explorer",
    "ablation_explorer",
    "LEGEND_BESIDE_MAX",
    "certified_accuracy",
    "certified_accuracy_studies",
    "certified_accuracy_beside",
    "overlap_area",
    "l1_ball_asymmetry",
    "likelihood_statistic_cdf",
    "half_space_as_level_sets",
    "lecuyer_comparison_region",
    "l1_radius_comparison",
    "worst_case_tightness",
    "rops_figures",
    "radii_against_p_a",
    "optimal_order",
    "lemma1_minimizer",
    "paired_radii",
    "ABLATED_COLOR",
    "ablated_image",
    "ablated_views",
    "radius_against_p_l",
    "rounding_gain",
    "radius_against_n",
    "l0_curves",
    "BOUND_NAMES",
    "lower_bounds",
    "bound_widths",
    "betting_game",
    "sequence_versus_intervals",
]

"""The analysis behind each chapter, runnable (numpy and scipy only).

- `neyman_pearson`: the Neyman-Pearson argument behind the Gaussian l2 certificate (chapter 1);
- `norms`: norm equivalences, so that a certificate in one norm implies others (chapter 1);
- `laplace`: the likelihood statistic, worst cases and noise tolerance of Laplace smoothing (chapter 2);
- `renyi`: Renyi divergences and Li et al.'s Lemma 1 (chapter 3);
- `exact`: classifiers whose smoothed version is known exactly, to measure how tight each certificate is
  (the soundness appendix);
- `taylor`: the unsound Taylor-polynomial margin estimator, kept as a counterexample (chapter 5);
- `floating_point`: a false certificate from a floating-point sampler, and the grid sampler's thresholds
  that prevent it (the soundness appendix);
- `sample_size`: how few samples a certificate can need (Wald's bound, the oracle of radius estimation;
  chapter 6).
"""

from rslib.theory import exact, floating_point, laplace, neyman_pearson, norms, renyi, sample_size, taylor

__all__ = ["neyman_pearson", "norms", "laplace", "renyi", "exact", "taylor", "sample_size", "floating_point"]

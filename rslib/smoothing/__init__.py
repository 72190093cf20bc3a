"""The engine: noises, the smoothed classifier, and certification runs (torch).

- `Noise` and its classes `Gaussian`, `Laplace`, `Ablation`; `from_params` rebuilds a saved noise.
- `Smoothed`: a base classifier smoothed by a noise, with Cohen et al.'s `predict` and `certify`, packed
  `certify_many` and top-k `certify_topk`; `Certificate`, `TopKCertificate` are what they return, and
  `certificate_from_counts`, `topk_from_counts` turn votes into them without torch.
- `certify_dataset`: a resumable run over a dataset into a results file; `vote_counts`, `certify_topk_dataset`.
- `certify_at_radius`: sequential certification at a radius (`sequential_decision` on any vote source);
  `compare_with_fixed`.
- `certify_adaptive`: radius estimation with a per-input sample size, to a radius tolerance.
- `certify_soft`: soft smoothing (mean scores); `certify_with_bounds`, `compare_on_dataset`: one sample
  certified under every confidence bound.
"""

from rslib._checks import NonFiniteLogitsError
from rslib.certificates import NOT_CERTIFIED
from rslib.smoothing._adaptive import AdaptiveCertificate, adaptive_certificate, adaptive_sample_size, certify_adaptive
from rslib.smoothing._bound_comparison import (
    COMPARED_BOUNDS,
    SOFT_CERTIFICATES,
    BoundCertificates,
    CertifiedRun,
    certify_with_bounds,
    compare_on_dataset,
    radii_from_votes,
)
from rslib.smoothing._classifier import Smoothed
from rslib.smoothing._dataset import (
    TopKRun,
    VoteCounts,
    certify_dataset,
    certify_topk_dataset,
    input_seed,
    topk_l0_radii,
    topk_radii,
    vote_counts,
)
from rslib.smoothing._device import default_device, generator, tune_cpu_allocator
from rslib.smoothing._noise import NOISES, Ablation, Gaussian, Laplace, Noise, from_params
from rslib.smoothing._sampling import fine_uniforms, gaussian_from_uniforms, laplace_from_uniforms
from rslib.smoothing._sequential import (
    SequentialDecision,
    SequentialSummary,
    certify_at_radius,
    compare_with_fixed,
    sequential_decision,
    summarize,
)
from rslib.smoothing._soft import SoftCertificate, certify_soft
from rslib.smoothing._votes import (
    ABSTAIN,
    Certificate,
    TopKCertificate,
    certificate_from_counts,
    randomization_seed,
    topk_from_counts,
)

__all__ = [
    "Noise",
    "Gaussian",
    "Laplace",
    "Ablation",
    "NOISES",
    "from_params",
    "fine_uniforms",
    "gaussian_from_uniforms",
    "laplace_from_uniforms",
    "Smoothed",
    "Certificate",
    "TopKCertificate",
    "ABSTAIN",
    "NOT_CERTIFIED",
    "NonFiniteLogitsError",
    "certificate_from_counts",
    "randomization_seed",
    "topk_from_counts",
    "default_device",
    "generator",
    "tune_cpu_allocator",
    "certify_dataset",
    "input_seed",
    "VoteCounts",
    "vote_counts",
    "topk_radii",
    "TopKRun",
    "certify_topk_dataset",
    "topk_l0_radii",
    "SequentialDecision",
    "certify_at_radius",
    "sequential_decision",
    "SequentialSummary",
    "compare_with_fixed",
    "summarize",
    "AdaptiveCertificate",
    "certify_adaptive",
    "adaptive_certificate",
    "adaptive_sample_size",
    "SoftCertificate",
    "certify_soft",
    "COMPARED_BOUNDS",
    "SOFT_CERTIFICATES",
    "radii_from_votes",
    "BoundCertificates",
    "certify_with_bounds",
    "CertifiedRun",
    "compare_on_dataset",
]

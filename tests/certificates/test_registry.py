"""The registry of certificates (rslib.certificates._registry): every certificate once, called the same way,
the noise families and their saved parameters, and every radius at equal variance."""

import numpy as np
import pytest

from rslib import certificates
from rslib.certificates import FAMILIES, NOT_CERTIFIED, REGISTRY

FUNCTIONS = {
    "gaussian": ["gaussian_l2", "gaussian_l2_margin", "renyi_l2", "pixeldp_l2", "gaussian_topk_l2", "soft_margin_l2"],
    "laplace": ["laplace_l1", "lecuyer_l1", "renyi_l1"],
    "ablation": ["ablation_l0", "levine_feizi_l0"],
}
LEVELS = {"gaussian": {"sigma": 0.5}, "laplace": {"scale": 0.4}, "ablation": {"d": 784, "keep": 50}}


def test_every_certificate_function_is_registered_once_under_its_name():
    assert sorted(REGISTRY) == sorted([*sum(FUNCTIONS.values(), []), "gaussian_l1"])
    for name, info in REGISTRY.items():
        assert info.name == name and info.function is getattr(certificates, name), name
        assert name in certificates.__all__ and info.title
    helpers = {"renyi_optimal_order", "ablation_delta", "l2_to_l0"}  # no radius from a pair of bounds
    functions = {n for n in certificates.__all__ if callable(getattr(certificates, n)) and n[0].islower()}
    assert functions - set(REGISTRY) - helpers == {"family_from_params", "certificates_for", "radii_at_equal_variance"}


def test_each_entry_knows_its_noise_norm_and_tightness():
    for family, names in FUNCTIONS.items():
        for name in names:
            assert REGISTRY[name].family is FAMILIES[family] and REGISTRY[name].norm == FAMILIES[family].norm, name
    assert REGISTRY["gaussian_l1"].family is FAMILIES["gaussian"] and REGISTRY["gaussian_l1"].norm == "l1"
    assert sorted(n for n, info in REGISTRY.items() if info.tight) == ["ablation_l0", "gaussian_l2", "laplace_l1"]
    assert sorted(n for n, info in REGISTRY.items() if info.from_margin) == ["gaussian_l2_margin", "soft_margin_l2"]


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_an_entry_calls_its_function_with_the_family_s_levels(name):
    info = REGISTRY[name]
    levels = LEVELS[info.family.name]
    if info.from_margin:  # the smallest margin the bounds allow: p_a - p_b, or 2 p_a - 1 for the binary bound
        assert info.radius(0.8, 0.1, **levels) == info.function(0.8 - 0.1, **levels)
        assert info.radius(0.8, **levels) == info.function(2 * 0.8 - 1, **levels)
    else:
        assert info.radius(0.8, 0.1, **levels) == info.function(0.8, 0.1, **levels)
        assert info.radius(0.8, **levels) == info.function(0.8, None, **levels)  # None: the binary bound 1 - p_a
    with pytest.raises(TypeError, match=f"{name} takes the levels {', '.join(info.family.levels)}, got other"):
        info.radius(0.8, 0.1, **levels, other=1)


def test_saved_noise_parameters_are_read_and_checked():
    assert certificates.family_from_params({"noise": "gaussian", "sigma": 0.5}) == (FAMILIES["gaussian"], 0.5)
    family, keep = certificates.family_from_params({"noise": "ablation", "keep": 50, "note": "extra keys are kept"})
    assert family is FAMILIES["ablation"] and keep == 50 and type(keep) is int
    refused = [
        (ValueError, ["gaussian", 0.5], "noise parameters must be a JSON object"),
        (ValueError, {"noise": "uniform"}, "noise must be one of 'gaussian', 'laplace', 'ablation', got 'uniform'"),
        (ValueError, {"sigma": 0.5}, "noise must be one of .* got None"),
        (ValueError, {"noise": "laplace", "sigma": 0.5}, "laplace noise needs its scale"),
        (ValueError, {"noise": "gaussian", "sigma": -1}, "sigma must be a finite number > 0, got -1"),
        (TypeError, {"noise": "ablation", "keep": 2.5}, "keep must be an integer >= 1, got 2.5"),
    ]
    for error, params, message in refused:
        with pytest.raises(error, match=message):
            certificates.family_from_params(params)


def test_certificates_for_a_family_in_registry_order():
    assert certificates.certificates_for("gaussian") == [*FUNCTIONS["gaussian"][:-1], "soft_margin_l2", "gaussian_l1"]
    assert certificates.certificates_for("laplace") == FUNCTIONS["laplace"]
    assert certificates.certificates_for("ablation") == FUNCTIONS["ablation"]
    with pytest.raises(ValueError, match="family must be one of gaussian, laplace, ablation, got 'l2'"):
        certificates.certificates_for("l2")


@pytest.mark.parametrize("p_a,p_b", [(0.9, 0.05), (0.7, None), (0.5, 0.5)])
def test_radii_at_equal_variance_call_every_certificate_but_top_k(p_a, p_b):
    table = certificates.radii_at_equal_variance(p_a, p_b, sigma=0.5, d=100, keep=10)
    levels = {"gaussian": {"sigma": 0.5}, "laplace": {"scale": 0.5 / np.sqrt(2)}, "ablation": {"d": 100, "keep": 10}}
    expected = {
        info.title: (info.norm, float(info.radius(p_a, p_b, **levels[info.family.name])))
        for name, info in REGISTRY.items()
        if name != "gaussian_topk_l2"
    }
    assert table == expected and len(table) == len(REGISTRY) - 1
    if p_a == p_b:  # a tie of bounds on the ablation grid too (1/2 of C(100, 10) subsets is a whole number)
        assert {radius for _, radius in table.values()} == {NOT_CERTIFIED}

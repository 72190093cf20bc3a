"""Every row of the README's "What is rejected" tables, run: the error a user sees must be the row's.

CASES maps the exact text of each row's call column to a zero-argument callable that makes that call.
Each runs in a fresh temporary working directory, so files are named relatively (as in the README), and
with XDG_CACHE_HOME there, so no data set cached by the user is found. A case's outcome is rendered as the
user sees it: `Type: message` for an exception, the `rslib <command>: error: ...` line for an argparse
usage error (exit status 2), and `shown: text` for a widget's displayed message (a case returning a str).
It must match the row's error, `...` standing for any text.
"""

import contextlib
import hashlib
import importlib
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.utils.data import TensorDataset

from rslib import bounds, certificates, cli, figures, results, smoothing, zoo
from rslib.smoothing import Smoothed

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = "## What is rejected"


def readme_rows() -> list[tuple[str, str]]:
    """(call, error) for every row of the tables in the README section, in order; the cells as written,
    except that the error's enclosing backticks are removed."""
    text = README.read_text(encoding="utf-8")
    start = text.find("\n" + SECTION + "\n")
    assert start >= 0, f"README.md has no section {SECTION!r}"
    end = text.find("\n## ", start + 1)
    lines = text[start : end if end >= 0 else None].splitlines()
    rows = []
    for i, line in enumerate(lines):
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        assert len(cells) == 2, f"a row of the {SECTION!r} tables must have two cells: {line!r}"
        if cells == ["call", "error"] or set("".join(cells)) <= {"-", ":"}:
            continue  # the header and its separator
        assert lines[i - 1].startswith("|"), f"a table row without its header: {line!r}"
        call, error = cells
        assert error.startswith("`") and error.endswith("`") and error.count("`") == 2, (
            f"the error must be one code span: {line!r}"
        )
        rows.append((call, error[1:-1]))
    return rows


def matches(expected: str, actual: str) -> bool:
    """Whether actual is expected with each '...' standing for any text (newlines included)."""
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, actual, flags=re.DOTALL) is not None


class _UsageError(Exception):
    """An argparse error of `rslib`: its message is the `rslib <command>: error: ...` line."""


def _cli(*argv):
    """Run `rslib argv` in this process; an argparse error becomes _UsageError, other errors propagate."""
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            cli.main(list(argv))
    except SystemExit as exc:
        lines = stderr.getvalue().strip().splitlines()
        assert exc.code == 2 and lines, f"exit status {exc.code}, stderr {stderr.getvalue()!r}"
        raise _UsageError(lines[-1]) from None


def _digits_model(name="digits-g") -> str:
    """An untrained digits CNN with a Gaussian(0.25) card, saved in the working directory: its .pt path."""
    model = zoo.build("digits_cnn", 1, 10, seed=0)
    card = {
        "arch": "digits_cnn",
        "dataset": "digits",
        "num_classes": 10,
        "in_channels": 1,
        "input_shape": [1, 8, 8],
        "noise": smoothing.Gaussian(0.25).params(),
    }
    return str(zoo.save(model, name, card, "."))


def _certify(*extra):
    return _cli(
        "certify",
        "--model",
        _digits_model(),
        "--N0",
        "10",
        "--N",
        "20",
        "--batch",
        "20",
        "--max",
        "1",
        "--out",
        "out.tsv",
        "--quiet",
        *extra,
    )


def _train(*extra):
    return _cli("train", "--dataset", "digits", "--name", "t", "--out-dir", "models", "--quiet", *extra)


def _smoothed(noise_=None, **kwargs) -> Smoothed:
    return Smoothed(
        zoo.build("digits_cnn", 1, 10, seed=0),
        noise_ or smoothing.Gaussian(0.25),
        num_classes=10,
        device="cpu",
        **kwargs,
    )


def _x():
    return torch.rand(1, 8, 8, generator=torch.Generator().manual_seed(0))


def _dataset(size=3):
    return TensorDataset(torch.rand(size, 1, 8, 8), torch.zeros(size, dtype=torch.long))


def _with_nan():
    x = _x()
    x[0, 0, 0] = float("nan")
    return x


_HEADER = '# rslib-params: {"n": 100}\n# rslib-provenance: {}\n' + "\t".join(results.COLUMNS) + "\n"
_ROW = "\t".join(["0", "1", "1", "0.5", "1", "0.1", "0.9", "0.1", "90", "100", "l2", "7"]) + "\n"


def _write(name, text) -> str:
    Path(name).write_text(text, encoding="utf-8")
    return name


def _resumed_with_other_parameters():
    _certify("--out", "old.tsv")
    _certify("--out", "old.tsv", "--N", "30")


def _merge_other_parameters():
    _write("a.tsv", _HEADER + _ROW)
    _write("b.tsv", _HEADER.replace('"n": 100', '"n": 200') + _ROW)
    return results.merge(["a.tsv", "b.tsv"], "merged.tsv")


def _checkpoint(path, arch, state_dict):
    torch.save({"epoch": 90, "arch": arch, "state_dict": state_dict}, path)
    return path


def _with_card(card_edit, name="m") -> str:
    """A digits model saved as name.pt whose card is card_edit(card), its sha256 kept: its .pt path."""
    weights = _digits_model(name)
    card_path = Path(weights).with_suffix(".json")
    card_path.write_text(json.dumps(card_edit(json.loads(card_path.read_text()))), encoding="utf-8")
    return weights


def _junk_weights():
    junk = b"\x80\x02J\xe8\xd1\r"  # torch.load raises struct.error
    weights = _with_card(lambda card: {**card, "sha256": hashlib.sha256(junk).hexdigest()}, "junk")
    Path(weights).write_bytes(junk)
    return weights


def _truncated_weights():
    weights = Path(_digits_model())
    weights.write_bytes(weights.read_bytes()[:-100])
    return zoo.load_pretrained(weights, device="cpu")


def _shown(html: str) -> str:
    """The message as the reader reads it, a subscript written as in the README (p<sub>A</sub> as p_A)."""
    return re.sub(r"<[^>]+>", "", re.sub(r"<sub>(.*?)</sub>", r"_\1", html))


def _radius_explorer_slider_sum_above_one():
    sliders, _binary, table = figures.radius_explorer(p_a=0.9, p_b=0.05, sigma=0.5).children
    sliders.children[1].value = 0.5  # p_B
    return _shown(table.value)


CASES = {
    # Library calls
    "`certificates.gaussian_l2(1.2, sigma=0.5)`": lambda: certificates.gaussian_l2(1.2, sigma=0.5),
    "`certificates.gaussian_l2(0.8, 0.5, sigma=1.0)`": lambda: certificates.gaussian_l2(0.8, 0.5, sigma=1.0),
    "`certificates.renyi_l2(0.8, 0.15, 0.1)` (sigma in a positional slot)": lambda: certificates.renyi_l2(
        0.8, 0.15, 0.1
    ),
    "`certificates.ablation_l0(0.9, [[0.1]], d=10, keep=11)`": lambda: certificates.ablation_l0(
        0.9, [[0.1]], d=10, keep=11
    ),
    "`certificates.soft_margin_l2(1.5, sigma=0.5)`": lambda: certificates.soft_margin_l2(1.5, sigma=0.5),
    "`bounds.clopper_pearson(11, 10, 0.05)`": lambda: bounds.clopper_pearson(11, 10, 0.05),
    "`smoothing.Gaussian(-1)`": lambda: smoothing.Gaussian(-1),
    "`smoothing.Laplace(0)`": lambda: smoothing.Laplace(0),
    "`smoothing.Ablation(keep=0)`": lambda: smoothing.Ablation(keep=0),
    '`Smoothed(..., precision="fp8")`': lambda: _smoothed(precision="fp8"),
    '`Smoothed(..., compile="x")`': lambda: _smoothed(compile="x"),
    "`Smoothed(...).certify(x, n0=0, ...)`": lambda: _smoothed().certify(_x(), n0=0, n=10, alpha=0.01),
    "`Smoothed(..., input_shape=(1, 28, 28)).certify(x_batch, ...)`": lambda: _smoothed(
        input_shape=(1, 28, 28)
    ).certify(torch.rand(4, 1, 28, 28), n0=10, n=10, alpha=0.01),
    "`Smoothed(...).certify(x_with_nan, ...)`": lambda: _smoothed().certify(_with_nan(), n0=10, n=10, alpha=0.01),
    '`Smoothed(...).certify(x, ..., bound="x")`': lambda: _smoothed().certify(_x(), n0=10, n=10, alpha=0.01, bound="x"),
    "`Smoothed(..., num_classes=10).certify_topk(x, ..., k=10)`": lambda: _smoothed().certify_topk(
        _x(), n=10, alpha=0.01, k=10
    ),
    "`bounds.betting_lower(x, alpha=1.5)`": lambda: bounds.betting_lower(np.full(10, 0.9), alpha=1.5),
    "`bounds.betting_lower(x, 0.05, n=-5)`": lambda: bounds.betting_lower(np.full(10, 0.9), 0.05, n=-5),
    "`bounds.prpl_eb_sequence(x, 0.05, n=0)`": lambda: bounds.prpl_eb_sequence(np.full(10, 0.9), 0.05, n=0),
    "`bounds.betting_rejects(x, m0=1.5, alpha=0.05)`": lambda: bounds.betting_rejects(
        np.full(10, 0.9), m0=1.5, alpha=0.05
    ),
    '`certificates.l2_to_l0(float("nan"))`': lambda: certificates.l2_to_l0(float("nan")),
    "`certificates.l2_to_l0(-0.5)`": lambda: certificates.l2_to_l0(-0.5),
    "`certificates.ablation_delta(800, d=784, keep=50)`": lambda: certificates.ablation_delta(800, d=784, keep=50),
    "`bounds.unanimous_samples_for_radius(-1, sigma=0.25, alpha=0.001)`": lambda: bounds.unanimous_samples_for_radius(
        -1, sigma=0.25, alpha=0.001
    ),
    "`smoothing.radii_from_votes(np.array([1, 1, 2]), label=12, num_classes=10, ...)`": lambda: (
        smoothing.radii_from_votes(np.array([1, 1, 2]), label=12, num_classes=10, sigma=0.5, alpha=0.01)
    ),
    "`smoothing.radii_from_votes(np.array([1, 1, 12]), label=1, num_classes=10, ...)`": lambda: (
        smoothing.radii_from_votes(np.array([1, 1, 12]), label=1, num_classes=10, sigma=0.5, alpha=0.01)
    ),
    "`smoothing.certify_with_bounds(smoothed, x, n0=10, n=1, alpha=0.01)`": lambda: smoothing.certify_with_bounds(
        _smoothed(), _x(), n0=10, n=1, alpha=0.01
    ),
    "`smoothing.certify_at_radius(smoothed, x, 0.5, n_max=0)`": lambda: smoothing.certify_at_radius(
        _smoothed(), _x(), 0.5, n_max=0
    ),
    "`smoothing.certify_soft(smoothed, x, n0=10, n=10, alpha=1.0)`": lambda: smoothing.certify_soft(
        _smoothed(), _x(), n0=10, n=10, alpha=1.0
    ),
    '`zoo.load_pretrained("nope")`': lambda: zoo.load_pretrained("nope"),
    # The command line
    "`rslib certify ... --N 0`": lambda: _certify("--N", "0"),
    "`rslib certify ... --batch 0`": lambda: _certify("--batch", "0"),
    "`rslib certify ... --noise gaussian --sigma 0`": lambda: _certify("--noise", "gaussian", "--sigma", "0"),
    "`rslib certify ... --noise laplace` without `--scale`": lambda: _certify("--noise", "laplace"),
    "`rslib certify ... --alpha 1.5`": lambda: _certify("--alpha", "1.5"),
    "`rslib certify ... --skip 0`": lambda: _certify("--skip", "0"),
    "`rslib certify ... --precision fp8`": lambda: _certify("--precision", "fp8"),
    "`rslib certify ... --compile x`": lambda: _certify("--compile", "x"),
    "`rslib certify --model nope ...`": lambda: _cli("certify", "--model", "nope", "--out", "out.tsv", "--quiet"),
    "`rslib certify --factory nocolon ...`": lambda: _cli(
        "certify",
        "--factory",
        "nocolon",
        "--noise",
        "gaussian",
        "--sigma",
        "0.5",
        "--dataset",
        "digits",
        "--out",
        "out.tsv",
        "--quiet",
    ),
    "`rslib certify --checkpoint c.pth.tar ...` without `--sigma`": lambda: _cli(
        "certify", "--checkpoint", "c.pth.tar", "--out", "out.tsv", "--quiet"
    ),
    "`rslib certify --factory torch.nn:Identity ... --dataset cifar10` without the CIFAR-10 files": lambda: _cli(
        "certify",
        "--factory",
        "torch.nn:Identity",
        "--noise",
        "gaussian",
        "--sigma",
        "0.25",
        "--dataset",
        "cifar10",
        "--out",
        "out.tsv",
        "--quiet",
    ),
    "`rslib certify --model fmnist-gaussian-0.25 --dataset digits ...`": lambda: _cli(
        "certify", "--model", "fmnist-gaussian-0.25", "--dataset", "digits", "--out", "out.tsv"
    ),
    "`rslib certify --model fmnist-gaussian-0.25 --sigma 0.5 ...` (no `--noise`)": lambda: _cli(
        "certify", "--model", "fmnist-gaussian-0.25", "--sigma", "0.5", "--out", "out.tsv"
    ),
    "`rslib certify ... --noise laplace --scale 0.5 --sigma 0.5`": lambda: _certify(
        "--noise", "laplace", "--scale", "0.5", "--sigma", "0.5"
    ),
    "`rslib certify ... --max -5`": lambda: _certify("--max", "-5"),
    "`rslib certify --factory no_such_module:f ...`": lambda: _cli(
        "certify",
        "--factory",
        "no_such_module:f",
        "--noise",
        "gaussian",
        "--sigma",
        "0.5",
        "--dataset",
        "digits",
        "--out",
        "out.tsv",
    ),
    "`rslib certify ... --dataset digits --data-root d`": lambda: _certify("--dataset", "digits", "--data-root", "d"),
    "`rslib certify ... --out old.tsv` with other parameters": _resumed_with_other_parameters,
    "`rslib analyze notes.txt` (not a results file)": lambda: _cli("analyze", _write("notes.txt", "my notes\n")),
    "`rslib train --noise gaussian` without `--sigma`": lambda: _train("--noise", "gaussian"),
    "`rslib train --dataset digits --noise ablation --keep 65 ...`": lambda: _train(
        "--noise", "ablation", "--keep", "65"
    ),
    # Results files and checkpoints
    "`results.read(path)` of a file without the `# rslib-params:` line": lambda: results.read(
        _write("run.tsv", "\t".join(results.COLUMNS) + "\n" + _ROW)
    ),
    "`results.read(path)` of Cohen et al.'s own TSV (other columns)": lambda: results.read(
        _write("zoo.tsv", "idx\tlabel\tpredict\tradius\tcorrect\ttime\n0\t1\t1\t0.5\t1\t0:00:01\n")
    ),
    "`results.read(path)` of a file with a row of 3 fields": lambda: results.read(
        _write("run.tsv", _HEADER + "0\t1\t1\n")
    ),
    "`results.read(path)` of a file with a radius `abc`": lambda: results.read(
        _write("run.tsv", _HEADER + _ROW.replace("0.5", "abc"))
    ),
    '`results.merge(["a.tsv", "b.tsv"], out)` of runs with other parameters': _merge_other_parameters,
    '`zoo.load_checkpoint("notes.txt")` (not a checkpoint)': lambda: zoo.load_checkpoint(
        _write("notes.txt", "hello\n")
    ),
    '`zoo.load_checkpoint("tensor.pth.tar")` (its `state_dict` is a tensor)': lambda: zoo.load_checkpoint(
        _checkpoint("tensor.pth.tar", "cifar_resnet20", torch.zeros(3))
    ),
    '`zoo.load_checkpoint("vgg.pth.tar")` (its `arch` is `vgg16`)': lambda: zoo.load_checkpoint(
        _checkpoint("vgg.pth.tar", "vgg16", {})
    ),
    '`zoo.load_checkpoint("wrong.pth.tar")` (its state_dict is not a `cifar_resnet20`\'s)': lambda: zoo.load_checkpoint(
        _checkpoint("wrong.pth.tar", "cifar_resnet20", {"1.conv1.weight": torch.zeros(1)})
    ),
    "a truncated or altered `.pt`": _truncated_weights,
    '`zoo.load_pretrained("junk.pt")` (not a torch file; its card\'s sha256 matches)': lambda: zoo.load_pretrained(
        _junk_weights(), device="cpu"
    ),
    '`zoo.load_pretrained("m.pt")` of a card without `noise`': lambda: zoo.load_pretrained(
        _with_card(lambda card: {k: v for k, v in card.items() if k != "noise"})
    ),
    '`zoo.load_pretrained("m.pt")` of a card that is a JSON list': lambda: zoo.load_pretrained(
        _with_card(lambda card: list(card))
    ),
    '`zoo.load_pretrained("m.pt")` of a card with `sigma` -1': lambda: zoo.load_pretrained(
        _with_card(lambda card: {**card, "noise": {"noise": "gaussian", "sigma": -1}})
    ),
    '`zoo.save(model, "../evil", card, out_dir)`': lambda: _digits_model("../evil"),
    # Widgets and figures
    "`figures.radius_explorer()` with its p_B slider moved until p_A + p_B > 1": _radius_explorer_slider_sum_above_one,
    "`figures.half_space_explorer(p_a=0.9, p_b=0.5)`": lambda: figures.half_space_explorer(p_a=0.9, p_b=0.5),
    "`figures.radius_explorer(p_a=1.5)`": lambda: figures.radius_explorer(p_a=1.5),
    "`figures.radius_explorer(sigma=0)`": lambda: figures.radius_explorer(sigma=0),
    "`figures.certify_explorer(smoothed, dataset, n=5)`": lambda: figures.certify_explorer(
        {"g": _smoothed()}, _dataset(), n=5
    ),
    "`figures.certify_explorer(smoothed, dataset, alpha=0.05)`": lambda: figures.certify_explorer(
        {"g": _smoothed()}, _dataset(), alpha=0.05
    ),
    "`figures.certify_explorer({}, dataset)`": lambda: figures.certify_explorer({}, _dataset()),
    "`figures.certify_explorer(smoothed, empty_dataset)`": lambda: figures.certify_explorer(
        {"g": _smoothed()}, _dataset(0)
    ),
    "`figures.ablation_explorer(image_8x8)` (no channel axis)": lambda: figures.ablation_explorer(torch.rand(8, 8)),
    "`figures.ablation_explorer(image_1x8x8, keep=0)`": lambda: figures.ablation_explorer(_x(), keep=0),
    "`figures.ablation_explorer(image_1x8x8, keep=1.5)`": lambda: figures.ablation_explorer(_x(), keep=1.5),
    "`figures.ablation_explorer(image_1x8x8, seed=-1)`": lambda: figures.ablation_explorer(_x(), seed=-1),
    "`figures.radius_explorer_figure(sigma=0)`": lambda: figures.radius_explorer_figure(sigma=0),
    "`figures.radius_explorer_figure(p_b_values=(1.5,))`": lambda: figures.radius_explorer_figure(p_b_values=(1.5,)),
    "`figures.half_spaces_2d(delta_norms=[0.5], active=3)`": lambda: figures.half_spaces_2d(
        delta_norms=[0.5], active=3
    ),
}

# Rows added area by area live in their own modules beside this one (each defines CASES, a dict of the
# same form, and may use this module's helpers: they are imported after those are defined).
for _module in ("rejected_maths", "rejected_engine", "rejected_files_cli"):
    _extra = importlib.import_module(_module).CASES
    _both = sorted(set(_extra) & set(CASES))
    assert not _both, f"cases defined twice ({_module}): {_both}"
    CASES.update(_extra)

ROWS = readme_rows()


def outcome(case) -> str:
    """What the user sees when the case runs (see the module docstring)."""
    try:
        shown = case()
    except _UsageError as exc:
        return str(exc)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    if isinstance(shown, str):
        return f"shown: {shown}"
    pytest.fail(f"no error: the call returned {shown!r}")


def test_the_tables_and_the_cases_name_the_same_calls():
    calls = [call for call, _ in ROWS]
    assert len(calls) >= 35, f"only {len(calls)} rows found in the README's {SECTION!r} section"
    twice = sorted({call for call in calls if calls.count(call) > 1})
    assert not twice, f"calls in two rows: {twice}"
    without_case = [call for call in calls if call not in CASES]
    assert not without_case, f"README rows without a case in CASES: {without_case}"
    without_row = [call for call in CASES if call not in calls]
    assert not without_row, f"cases in CASES without a README row: {without_row}"


@pytest.mark.parametrize("call,error", ROWS, ids=[call for call, _ in ROWS])
def test_the_row_is_what_the_user_sees(call, error, tmp_path, monkeypatch):
    assert call in CASES, f"no case in CASES for the README row {call!r}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no data set cached by the user
    seen = outcome(CASES[call])
    assert matches(error, seen), f"README says\n  {error}\nbut the user sees\n  {seen}"


@pytest.mark.parametrize(
    "expected,actual,ok",
    [
        ("ValueError: a ... b", "ValueError: a x\ny b", True),
        ("ValueError: a (...)", "ValueError: a (1, 2)", True),
        ("ValueError: a (...)", "ValueError: a (1, 2); more", False),
        ("ValueError: a.b", "ValueError: aXb", False),
        ("ValueError: a", "TypeError: a", False),
    ],
)
def test_the_wildcard_is_the_only_pattern(expected, actual, ok):
    assert matches(expected, actual) is ok

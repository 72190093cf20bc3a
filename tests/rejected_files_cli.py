"""Cases of the README's "What is rejected" tables for results files and the command line (README: 'The command line' and 'Results files and checkpoints').

Merged into test_rejected.CASES; see that module for the form of a case.
"""

from pathlib import Path

import numpy as np  # noqa: F401
import test_rejected as base

from rslib import results, smoothing

# A header naming the noise and the seed, so that each row's norm and per-input seed are checked too.
_HEADER = (
    '# rslib-params: {"n": 100, "noise": {"noise": "gaussian", "sigma": 0.25}, "seed": 0}\n'
    "# rslib-provenance: {}\n" + "\t".join(results.COLUMNS) + "\n"
)


def _row(idx=0, **fields) -> str:
    """A valid row of _HEADER's experiment for input idx, with some fields replaced."""
    row = {
        "idx": idx,
        "label": 1,
        "predict": 1,
        "radius": 0.5,
        "correct": 1,
        "time": 0.1,
        "p_a": 0.9,
        "p_b": 0.1,
        "count_a": 90,
        "n": 100,
        "norm": "l2",
        "seed": smoothing.input_seed(0, idx),
        **fields,
    }
    return "\t".join(str(row[c]) for c in results.COLUMNS) + "\n"


def _read(text: str):
    return results.read(base._write("run.tsv", text))


def _read_bytes(data: bytes):
    Path("run.tsv").write_bytes(data)
    return results.read("run.tsv")


def _second_writer():
    with results.locked("run.tsv"):  # as another `rslib certify --out run.tsv` would hold it
        base._certify("--out", "run.tsv")


def _nan_factory():
    """`rslib certify --factory nanmodel:f` with nanmodel.py in the working directory: its logits are all NaN."""
    base._write(
        "nanmodel.py",
        "import torch\n\n\nclass NaN(torch.nn.Module):\n    def forward(self, z):\n"
        "        return torch.full((z.shape[0], 10), float('nan'))\n\n\n"
        "def f():\n    return NaN()\n",
    )
    base._cli(
        "certify",
        "--factory",
        "nanmodel:f",
        "--noise",
        "gaussian",
        "--sigma",
        "0.25",
        "--dataset",
        "digits",
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
    )


def _merge_conflicting():
    base._write("a.tsv", _HEADER + _row(0))
    base._write("b.tsv", _HEADER + _row(0, radius=0.25))
    return results.merge(["a.tsv", "b.tsv"], "merged.tsv")


CASES = {
    # The command line
    "`rslib certify ... --device meta`": lambda: base._certify("--device", "meta"),
    "`rslib certify ... --device cuda:64`": lambda: base._certify("--device", "cuda:64"),
    "`rslib certify ... --seed -1`": lambda: base._certify("--seed", "-1"),
    "`rslib certify ... --seed 18446744073709551616` (2**64)": lambda: base._certify("--seed", str(2**64)),
    "`rslib certify ... --out /dev/null`": lambda: base._certify("--out", "/dev/null"),
    "`rslib certify ... --out run.tsv` while another run writes `run.tsv`": _second_writer,
    "`rslib certify ... --out notes.txt` (an existing file that is not a results file; left as it is)": lambda: (
        base._certify("--out", base._write("notes.txt", "my notes\nno final newline"))
    ),
    "`rslib certify --factory nanmodel:f ...` (its model's logits are NaN)": _nan_factory,
    "`rslib analyze run.tsv --radii 0 nan`": lambda: base._cli(
        "analyze", base._write("run.tsv", _HEADER + _row()), "--radii", "0", "nan"
    ),
    "`rslib analyze empty.tsv` (a header, no rows)": lambda: base._cli("analyze", base._write("empty.tsv", _HEADER)),
    "`rslib analyze sigma_0.25` (a Cohen et al. log whose line 3 has time `soon`)": lambda: base._cli(
        "analyze",
        base._write(
            "sigma_0.25",
            "idx\tlabel\tpredict\tradius\tcorrect\ttime\n0\t3\t3\t0.378\t1\t15.4\n20\t7\t-1\t0.0\t0\tsoon\n",
        ),
    ),
    "`rslib analyze run.tsv --names a b`": lambda: base._cli(
        "analyze", base._write("run.tsv", _HEADER + _row()), "--names", "a", "b"
    ),
    "`rslib analyze N_100 --plot c.html` (only predict logs: no radii)": lambda: base._cli(
        "analyze",
        base._write("N_100", "idx\tlabel\tpredict\tcorrect\ttime\n0\t0\t0\t1\t0:00:01.7\n"),
        "--plot",
        "c.html",
    ),
    # Results files and checkpoints
    "`results.read(path)` of a row whose `n` is not the header's": lambda: _read(_HEADER + _row(n=200)),
    "`results.read(path)` of a row whose `norm` is not the header noise's": lambda: _read(_HEADER + _row(norm="l1")),
    "`results.read(path)` of a row whose `seed` is not the header seed's for its idx": lambda: _read(
        _HEADER + _row(seed=7)
    ),
    "`results.read(path)` of a file with a second `# rslib-params:` line": lambda: _read(
        _HEADER + _row() + _HEADER.splitlines(keepends=True)[0]
    ),
    "`results.read(path)` of a file with idx 0 twice": lambda: _read(_HEADER + _row() + _row()),
    "`results.read(path)` of a row with radius `nan`": lambda: _read(_HEADER + _row(radius="nan")),
    "`results.read(path)` of a row with `correct` 7": lambda: _read(_HEADER + _row(correct=7)),
    "`results.read(path)` of a `# rslib-resumed:` line that is not JSON": lambda: _read(
        _HEADER + _row() + "# rslib-resumed: {oops\n"
    ),
    '`results.describe(record, date_is="finished")`': lambda: results.describe({}, date_is="finished"),
    "`results.read(path)` of an abstained row (predict -1) with radius 5": lambda: _read(
        _HEADER + _row(predict=-1, radius=5, correct=0)
    ),
    "`results.read(path)` of a row with `p_a` 1.5": lambda: _read(_HEADER + _row(p_a=1.5)),
    "`results.read(path)` of a row with `count_a` above `n`": lambda: _read(_HEADER + _row(count_a=101)),
    "`results.read(path)` of a file with a blank line among its rows": lambda: _read(
        _HEADER + _row(0) + "\n" + _row(1)
    ),
    "`results.read(path)` of a file starting with a byte-order mark": lambda: _read_bytes(
        b"\xef\xbb\xbf" + (_HEADER + _row()).encode()
    ),
    "`results.read(path)` of a file that is not UTF-8": lambda: _read_bytes(_HEADER.encode() + b"0\t\xff\n"),
    "`results.read(path)` of a file whose `# rslib-params:` is `[1,2]`": lambda: _read("# rslib-params: [1,2]\n"),
    '`results.merge(["a.tsv", "b.tsv"], out)` of two different rows for idx 0': _merge_conflicting,
    '`results.open_for_append("/dev/null", params, provenance)`': lambda: results.open_for_append("/dev/null", {}, {}),
}

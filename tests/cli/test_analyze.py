"""`rslib analyze` (rslib.cli.analyze): certified-accuracy tables of rslib's files and Cohen et al.'s logs, rounded
down, and its usage errors."""

import contextlib
import io

import pytest

from rslib import cli, results

CERTIFY = (
    "idx\tlabel\tpredict\tradius\tcorrect\ttime\n"
    "0\t3\t3\t0.378\t1\t15.4\n20\t7\t-1\t0.0\t0\t15.6\n40\t4\t4\t0.941\t1\t0:00:15.7\n"
    "60\t7\t2\t0.5\t0\t1 day, 2:03:04.500000\n"
)
PREDICT = "idx\tlabel\tpredict\tcorrect\ttime\n0\t0\t0\t1\t0:00:01.737771\n100\t2\t2\t1\t0:00:00.158496\n200\t4\t-1\t0\t0:00:00.1\n"


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _analyze(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main(["analyze", *argv])
        except SystemExit as exc:
            status = exc.code
    return status, out.getvalue(), err.getvalue()


def test_analyze_compares_an_rslib_run_with_a_published_log(tmp_path):
    header = '# rslib-params: {"n": 100}\n# rslib-provenance: {}\n' + "\t".join(results.COLUMNS) + "\n"
    row = "\t".join(["0", "1", "1", "0.5", "1", "0.1", "0.9", "0.1", "90", "100", "l2", "7"]) + "\n"
    ours = _write(tmp_path, "run.tsv", header + row)
    cohen, predict = _write(tmp_path, "sigma_0.25", CERTIFY), _write(tmp_path, "N_100", PREDICT)
    status, out, err = _analyze(
        str(ours),
        str(cohen),
        str(predict),
        "--names",
        "rslib",
        "Cohen",
        "PREDICT",
        "--radii",
        "0",
        "0.5",
        "--markdown",
        str(tmp_path / "t.md"),
        "--latex",
        str(tmp_path / "t.tex"),
        "--plot",
        str(tmp_path / "c.html"),
    )
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["certified", "accuracy", "0", "0.5", "inputs"]
    assert lines[1].split() == ["rslib", "1.000", "1.000", "1"] and lines[2].split() == ["Cohen", "0.500", "0.250", "4"]
    assert lines[3].split() == ["PREDICT", "0.666", "-", "3"]
    assert (tmp_path / "t.md").read_text().startswith("| | r = 0 | r = 0.5 |")
    assert r"\toprule" in (tmp_path / "t.tex").read_text()
    html = (tmp_path / "c.html").read_text()
    assert '"name":"rslib"' in html and '"name":"Cohen"' in html and '"name":"PREDICT"' not in html


def test_analyze_refuses_a_file_of_no_known_format_and_wrong_names(tmp_path):
    bad = _write(tmp_path, "notes.txt", "hello\n")
    status, out, err = _analyze(str(bad))
    assert status == 2 and out == "" and f"rslib analyze: error: {bad}: line 1 is neither" in err
    good = _write(tmp_path, "c", CERTIFY)
    status, _, err = _analyze(str(good), "--names", "a", "b")
    assert status == 2 and "argument --names: give one name per file (1), got 2" in err


def _results_file(path, rows):
    """A results file of digits rows: (idx, predict, radius) with label 0 (correct where predict is 0)."""
    from rslib import smoothing

    header = '# rslib-params: {"n": 100, "seed": 0}\n# rslib-provenance: {}\n' + "\t".join(results.COLUMNS) + "\n"
    lines = [
        f"{i}\t0\t{p}\t{r!r}\t{int(p == 0)}\t0.1\t0.9\t0.1\t90\t100\tl2\t{smoothing.input_seed(0, i)}\n"
        for i, p, r in rows
    ]
    path.write_text(header + "".join(lines))
    return path


@pytest.mark.parametrize("radius", ["nan", "inf", "-0.5"])
def test_analyze_refuses_radii_that_are_not_finite_and_nonnegative(tmp_path, radius):
    run = _results_file(tmp_path / "run.tsv", [(0, 0, 0.5)])
    status, out, err = _analyze(str(run), "--radii", "0", radius)
    assert (
        status == 2 and f"rslib analyze: error: argument --radii: must be a finite number >= 0, got '{radius}'" in err
    )


def test_analyze_rounds_down_and_refuses_a_file_without_rows_before_its_table(tmp_path):
    run = _results_file(tmp_path / "run.tsv", [(0, 0, 0.49999996), (1, 0, 2.0), (2, 1, 2.0)])
    status, out, _ = _analyze(str(run), "--radii", "0", "0.5", "0.33333333")
    header, row = out.splitlines()
    assert status == 0 and header.split()[-4:] == ["0", "0.5", "0.3333", "inputs"]
    assert row.split()[1:] == ["0.666", "0.333", "0.666", "3"]  # 2/3 shown as 0.666, never 0.667
    empty = _results_file(tmp_path / "empty.tsv", [])
    status, out, err = _analyze(str(run), str(empty))
    assert status == 2 and out == "" and f"rslib analyze: error: {empty}: has a header but no result rows yet" in err

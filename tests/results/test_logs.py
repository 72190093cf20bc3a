"""Cohen et al.'s certify and predict logs read beside rslib's files, and the certified-accuracy tables in text,
Markdown and LaTeX (rslib.results._logs)."""

import numpy as np
import pytest

from rslib import results

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


def test_a_certify_log_reads_with_both_time_formats(tmp_path):
    res = results.read_log(_write(tmp_path, "sigma_0.25", CERTIFY))
    assert res.format == "cohen-certify" and len(res) == 4
    assert res.columns["time"].tolist() == [15.4, 15.6, 15.7, 86400 + 2 * 3600 + 3 * 60 + 4.5]
    # certified accuracy as Cohen et al.'s analyze.py computes it: correct and radius >= r
    np.testing.assert_allclose(res.certified_accuracy([0.0, 0.4, 1.0]), [0.5, 0.25, 0.0])


def test_a_predict_log_gives_the_accuracy_at_radius_zero_only(tmp_path):
    res = results.read_log(_write(tmp_path, "N_100", PREDICT))
    assert res.format == "cohen-predict" and "radius" not in res.columns
    table = results.accuracy_table({"predict": res}, [0.0, 0.5])
    assert table.accuracy[0, 0] == pytest.approx(2 / 3) and np.isnan(table.accuracy[0, 1])
    assert "-" in table.text().splitlines()[1]


def test_rslib_files_read_through_the_same_function(tmp_path):
    header = '# rslib-params: {"n": 100}\n# rslib-provenance: {}\n' + "\t".join(results.COLUMNS) + "\n"
    row = "\t".join(["0", "1", "1", "0.5", "1", "0.1", "0.9", "0.1", "90", "100", "l2", "7"]) + "\n"
    res = results.read_log(_write(tmp_path, "run.tsv", header + row))
    assert res.format == "rslib" and res.columns["p_a"][0] == 0.9


@pytest.mark.parametrize(
    "text,message",
    [
        ("idx label predict\n0 1 1\n", r"x: line 1 is neither an rslib results header .* got 'idx label predict'"),
        (
            CERTIFY.replace("15.4", "soon"),
            r"x: line 2: time must be seconds \(a number >= 0\) or H:MM:SS.ffffff, got 'soon'",
        ),
        (
            CERTIFY.replace("0\t3\t3\t0.378", "0\t3\t3\tnan"),
            r"x: line 2: radius must be a finite number >= 0, got 'nan'",
        ),
        (
            CERTIFY.replace("20\t7\t-1\t0.0\t0", "20\t7\t-1\t0.5\t0"),
            r"x: line 3: an abstained row \(predict -1\) must have radius 0",
        ),
        (
            CERTIFY.replace("0\t3\t3\t0.378\t1", "0\t3\t3\t0.378\t0"),
            r"x: line 2: correct must be 1 exactly when predict equals label",
        ),
        (CERTIFY + "0\t1\t1\t0.1\t1\t1.0\n", r"x: line 6: idx 0 is already on line 2"),
        (CERTIFY.replace("\t15.6", ""), r"x: line 3: expected 6 tab-separated fields"),
        (CERTIFY.replace("40\t4", "\n40\t4"), r"x: line 4 is blank"),
        ("", r"x: the file is empty"),
    ],
)
def test_files_of_no_known_format_or_with_bad_rows_are_refused_naming_the_line(tmp_path, text, message):
    with pytest.raises(ValueError, match=message.replace("x:", f"{tmp_path / 'x'}:")):
        results.read_log(_write(tmp_path, "x", text))


def test_a_trailing_blank_line_is_accepted(tmp_path):
    assert len(results.read_log(_write(tmp_path, "c", CERTIFY + "\n\n"))) == 4


def test_tables_mark_the_best_value_per_radius_and_round_down(tmp_path):
    ours = results.read_log(_write(tmp_path, "a", CERTIFY))
    theirs = results.read_log(_write(tmp_path, "b", CERTIFY.replace("0.941", "0.3")))
    table = results.accuracy_table({"rslib": ours, "Cohen et al.": theirs}, [0.0, 0.5])
    markdown = table.markdown()
    assert markdown.splitlines()[0] == "| | r = 0 | r = 0.5 |"
    assert "| rslib | **0.50** | **0.25** |" in markdown and "| Cohen et al. | **0.50** | 0.00 |" in markdown
    latex = table.latex()
    assert r"\begin{tabular}{lcc}" in latex and r"rslib & \textbf{0.50} & \textbf{0.25} \\" in latex
    one_third = results.accuracy_table(
        {"x": results.read_log(_write(tmp_path, "c", CERTIFY.rsplit("\n", 2)[0] + "\n"))}, [0.0]
    )
    assert one_third.markdown(decimals=3).splitlines()[2] == "| x | 0.666 |"  # 2/3 shown rounded down

"""Results files (rslib.results._files): refused before they are touched, torn headers and rows, lossless
floats, every row checked, merges and the lock against a second writer."""

import json

import numpy as np
import pytest

from rslib import results, smoothing

_PARAMS_LINE = '# rslib-params: {"n": 100, "noise": {"noise": "gaussian", "sigma": 0.25}, "seed": 0}\n'
_HEADER = _PARAMS_LINE + "# rslib-provenance: {}\n" + "\t".join(results.COLUMNS) + "\n"


def _row(index=0, /, **fields) -> str:
    row = {
        "idx": index,
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
        "seed": smoothing.input_seed(0, index),
        **fields,
    }
    return "\t".join(str(row[c]) for c in results.COLUMNS) + "\n"


def _params(**extra):
    return {"n": 100, "noise": {"noise": "gaussian", "sigma": 0.25}, "seed": 0, **extra}


def test_malformed_files_are_named(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("idx\tradius\n1\t0.5\n")
    with pytest.raises(ValueError, match="bad.tsv"):
        results.read(bad)
    worse = tmp_path / "worse.tsv"
    worse.write_text("# rslib-params: " + json.dumps({"n": 1}) + "\n" + "\t".join(results.COLUMNS) + "\n1\t2\n")
    with pytest.raises(ValueError, match="worse.tsv: line 3"):
        results.read(worse)


@pytest.mark.parametrize(
    "content",
    [b"PK\x03\x04 a torch checkpoint\x80\x02 without a final newline", b"notes\nthe last line has no newline"],
    ids=["checkpoint", "text"],
)
def test_a_file_that_is_not_a_results_file_is_refused_byte_identical(tmp_path, content):
    path = tmp_path / "model.pt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="model.pt"):
        results.open_for_append(path, _params(), {})
    assert path.read_bytes() == content


def test_a_torn_last_row_is_dropped_only_when_the_rest_is_valid(tmp_path):
    path = tmp_path / "run.tsv"
    path.write_text(_HEADER + _row(0) + _row(1)[:7])
    done, handle = results.open_for_append(path, _params(), {})
    handle.close()
    assert done == {0} and path.read_text() == _HEADER + _row(0) + "# rslib-resumed: {}\n"
    broken = _HEADER + _row(0).replace("0.5", "abc") + _row(1)[:7]
    path.write_text(broken)
    with pytest.raises(ValueError, match="run.tsv: line 4"):
        results.open_for_append(path, _params(), {})
    assert path.read_text() == broken


def test_each_resume_records_its_provenance_before_its_rows(tmp_path):
    path = tmp_path / "run.tsv"
    first, second = {"date": "2026-12-07T01:00:00+00:00", "git_commit": "a" * 40}, {"date": "2026-12-07T02:00:00"}
    for provenance, index in ((first, 0), (first, 1), (second, 2)):
        done, handle = results.open_for_append(path, _params(), provenance)
        results.append_row(handle, dict(zip(results.COLUMNS, _row(index)[:-1].split("\t"))))
        handle.close()
    lines = path.read_text().splitlines()
    assert lines[4] == "# rslib-resumed: " + json.dumps(first, sort_keys=True) and lines[6].startswith(
        "# rslib-resumed"
    )
    res = results.read(path)
    assert list(res.columns["idx"]) == [0, 1, 2] and res.provenance["date"] == first["date"]
    assert res.provenance["resumed"] == [first, second]
    assert "; resumed 2 times, last 2026-12-07T02:00:00 on ?" in results.describe(res.provenance, date_is="started")
    path.write_text(_HEADER + _row(0) + "\n# rslib-resumed: {}\n" + _row(1))
    with pytest.raises(ValueError, match="line 5 is blank"):
        results.read(path)


@pytest.mark.parametrize("torn", ['# rslib-params: {"alp', _PARAMS_LINE, _PARAMS_LINE + "# rslib-prov", _HEADER[:-5]])
def test_a_torn_header_with_no_row_restarts_cleanly(tmp_path, torn):
    path = tmp_path / "run.tsv"
    path.write_text(torn)
    done, handle = results.open_for_append(path, _params(), {"command": "again"})
    handle.close()
    assert done == set() and results.read(path).provenance == {"command": "again"}


def test_a_damaged_header_with_rows_is_refused_and_keeps_its_rows(tmp_path):
    path = tmp_path / "run.tsv"
    damaged = '# rslib-params: {"alp\n' + "\t".join(results.COLUMNS) + "\n" + _row(0)
    path.write_text(damaged)
    with pytest.raises(ValueError, match="run.tsv: line 1"):
        results.open_for_append(path, _params(), {})
    assert path.read_text() == damaged


def test_floats_are_stored_losslessly_and_old_files_still_read(tmp_path):
    path = tmp_path / "run.tsv"
    _, handle = results.open_for_append(path, _params(), {})
    p_a = 0.99999965
    with handle:
        results.append_row(
            handle,
            {
                "idx": 0,
                "label": 1,
                "predict": 1,
                "radius": 0.49999996,
                "correct": 1,
                "time": np.float64(0.1),
                "p_a": p_a,
                "p_b": np.float32(1e-8),
                "count_a": 100,
                "n": 100,
                "norm": "l2",
                "seed": np.uint32(smoothing.input_seed(0, 0)),
            },
        )
    res = results.read(path)
    assert res.columns["radius"][0] == 0.49999996 and res.columns["p_a"][0] == p_a
    assert res.columns["p_b"][0] == float(np.float32(1e-8))
    assert res.certified_accuracy([0.5]).tolist() == [0.0]
    old = tmp_path / "old.tsv"
    old.write_text(_HEADER + _row(0, radius="0.5", p_a="0.99", time="1.23457e-05"))
    assert results.read(old).columns["time"][0] == 1.23457e-05


@pytest.mark.parametrize(
    "body,match",
    [
        (_row(0, n=200), "line 4: n is 200 but the header's n is 100"),
        (_row(0, norm="l1"), "line 4: norm is 'l1' but the header's noise certifies l2"),
        (_row(0, seed=7), "line 4: seed is 7 but the header's seed 0 gives input 0 the seed"),
        (_PARAMS_LINE, "line 4: a second '# rslib-params:' line"),
        (_row(0) + _row(0), "line 5: idx 0 is already on line 4"),
        (_row(0, radius="nan"), "line 4: radius must be a finite number >= 0, got nan"),
        (_row(0, radius="inf"), "line 4: radius must be a finite number >= 0, got inf"),
        (_row(0, radius="-0.5"), "line 4: radius must be a finite number >= 0, got -0.5"),
        (_row(0, correct=7), "line 4: correct must be 0 or 1, got 7"),
        (_row(0, predict=-1, radius=5), "line 4: an abstained row \\(predict -1\\) must have radius 0 and correct 0"),
        (_row(0, p_a=1.5), "line 4: p_a must lie in \\[0, 1\\], got 1.5"),
        (_row(0, p_b=-0.1), "line 4: p_b must lie in \\[0, 1\\], got -0.1"),
        (_row(0, count_a=101), "line 4: count_a must lie in \\[0, n\\], got 101"),
        (_row(0, radius="abc"), "line 4: radius must be a number, got 'abc'"),
        (_row(0, idx="x"), "line 4: idx must be an integer, got 'x'"),
        (_row(0) + "\n" + _row(1), "line 5 is blank"),
    ],
)
def test_every_row_is_checked(tmp_path, body, match):
    path = tmp_path / "run.tsv"
    path.write_text(_HEADER + body)
    with pytest.raises(ValueError, match="run.tsv: " + match):
        results.read(path)


def test_a_trailing_blank_line_is_accepted(tmp_path):
    path = tmp_path / "run.tsv"
    path.write_text(_HEADER + _row(0) + _row(1) + "\n")
    assert len(results.read(path)) == 2


@pytest.mark.parametrize(
    "content,match",
    [
        (b"\xef\xbb\xbf" + _HEADER.encode(), "run.tsv: starts with a byte-order mark"),
        (_HEADER.encode() + b"0\t1\t\xff\n", "run.tsv: line 4 is not UTF-8"),
        (b"# rslib-params: [1,2]\n", "run.tsv: line 1: the '# rslib-params:' line must hold a JSON object, got a list"),
    ],
)
def test_file_level_errors_name_the_file_and_line(tmp_path, content, match):
    path = tmp_path / "run.tsv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        results.read(path)


def test_merge_refuses_conflicting_duplicates_and_keeps_identical_ones(tmp_path):
    a, b, c = tmp_path / "a.tsv", tmp_path / "b.tsv", tmp_path / "c.tsv"
    a.write_text(_HEADER + _row(0) + _row(1))
    b.write_text(_HEADER + _row(1) + _row(2))
    c.write_text(_HEADER + _row(2, radius=0.25))
    merged = results.merge([a, b], tmp_path / "m.tsv")
    assert merged.columns["idx"].tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="idx 2 differs between .*b.tsv line 5 and .*c.tsv line 4"):
        results.merge([a, b, c], tmp_path / "m2.tsv")
    assert not (tmp_path / "m2.tsv").exists()


def test_merge_keeps_every_sources_provenance_and_resumes(tmp_path):
    def header(command):
        return _PARAMS_LINE + f'# rslib-provenance: {{"command": "{command}"}}\n' + "\t".join(results.COLUMNS) + "\n"

    a, b, out = tmp_path / "a.tsv", tmp_path / "b.tsv", tmp_path / "out.tsv"
    a.write_text(header("rank 0") + _row(0))
    b.write_text(header("rank 1") + _row(1) + '# rslib-resumed: {"command": "rank 1, again"}\n' + _row(3))
    out.write_text(header("earlier") + _row(2))
    merged = results.merge([a, b], out)
    assert merged.columns["idx"].tolist() == [0, 1, 2, 3]
    sources = merged.provenance["merged_from"]
    assert [s["path"] for s in sources] == [str(out), str(a), str(b)]
    assert [s["provenance"]["command"] for s in sources] == ["earlier", "rank 0", "rank 1"]
    assert sources[2]["provenance"]["resumed"] == [{"command": "rank 1, again"}]
    assert merged.provenance["command"] == "rank 0"


def test_a_second_writer_is_refused_at_once_naming_the_file(tmp_path):
    path = tmp_path / "run.tsv"
    _, first = results.open_for_append(path, _params(), {})
    with first:
        before = path.read_bytes()
        with pytest.raises(ValueError, match="run.tsv is in use: another rslib process is writing it"):
            results.open_for_append(path, _params(), {})
        with pytest.raises(ValueError, match="run.tsv is in use"):
            results.merge([path], tmp_path / "merged.tsv")  # a shard still being written is not merged
        assert path.read_bytes() == before
    with results.locked(tmp_path / "out.tsv"):
        with pytest.raises(ValueError, match="out.tsv is in use"):
            results.open_for_append(tmp_path / "out.tsv", _params(), {})
        with results.locked(tmp_path / "out.tsv"):  # the holder itself may take it again (rank 0's merge)
            pass
    assert not (tmp_path / "out.tsv").exists()  # created only for the lock, and removed


def test_merge_replaces_out_atomically_and_keeps_it_locked(tmp_path):
    a, out = tmp_path / "a.tsv", tmp_path / "out.tsv"
    a.write_text(_HEADER + _row(0) + _row(1))
    with results.locked(out):
        results.merge([a], out)
        with pytest.raises(ValueError, match="out.tsv is in use"):  # the lock moved to the renamed file
            results.open_for_append(out, _params(), {})
    assert results.read(out).columns["idx"].tolist() == [0, 1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tsv", "out.tsv"]


@pytest.mark.parametrize("special", ["/dev/null", "folder"])
def test_a_results_file_must_be_a_regular_file(tmp_path, special):
    path = special if special.startswith("/") else tmp_path / special
    if not special.startswith("/"):
        path.mkdir()
    with pytest.raises(ValueError, match=f"{path} is not a regular file"):
        results.open_for_append(path, _params(), {})


def test_certified_accuracy_counts_correct_rows_at_or_beyond_each_radius(tmp_path):
    radius, correct = [0.0, 0.3, 0.5, 2.0], [1, 1, 0, 1]  # the third is certified, but for a wrong class
    np.testing.assert_allclose(
        results.certified_accuracy(radius, correct, [0.0, 0.3, 0.31, 2.0, 2.5]), [3 / 4, 2 / 4, 1 / 4, 1 / 4, 0]
    )
    with pytest.raises(ValueError, match="radius must contain at least one result"):
        results.certified_accuracy([], [], [0.0])
    path = tmp_path / "run.tsv"
    rows = [_row(0, radius=0.5), _row(1, radius=1.0), _row(2, predict=-1, radius=0, correct=0, p_a=0.4, p_b=0.6)]
    path.write_text(_HEADER + "".join(rows))
    run = results.read(path)
    assert len(run) == 3 and run.certified_accuracy([0.5, 0.75]).tolist() == [2 / 3, 1 / 3]
    # another certificate on the same bounds: the abstained row stays uncertified whatever radius_fn says
    assert run.certified_accuracy_with(lambda p_a, p_b: np.full_like(p_a, 9.0), [9.0]).tolist() == [2 / 3]

"""rslib.book: the chapters' set-up and the glue that keeps exercise answers inside their solutions."""

from __future__ import annotations

import pytest

from rslib import book


def test_answer_glues_what_the_block_prints_and_shows_nothing(monkeypatch, capsys):
    glued = {}
    monkeypatch.setattr(book, "glue", lambda name, obj, display: glued.update({name: (obj, display)}))
    with book.answer("ex1_8"):
        print("r = 1.0: n = 301")
        print("r = 2.0: n = 218,105")
    obj, display = glued["ex1_8"]
    assert display is False
    assert obj.data == "r = 1.0: n = 301\nr = 2.0: n = 218,105"
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("name", ["", "1st", "ex 1", "ex-1", None])
def test_answer_refuses_names_glue_cannot_reference(name):
    with pytest.raises(ValueError, match="name must be letters, digits and _"):
        with book.answer(name):
            print("x")


def test_answer_refuses_a_check_that_prints_nothing(monkeypatch):
    monkeypatch.setattr(book, "glue", lambda *a, **k: pytest.fail("nothing should be glued"))
    with pytest.raises(ValueError, match="printed nothing"):
        with book.answer("ex1_1"):
            pass


def test_quote_glues_a_plain_float_that_takes_a_format(monkeypatch):
    import numpy as np

    glued = {}
    monkeypatch.setattr(book, "glue", lambda name, obj, display: glued.update({name: (obj, display)}))
    assert book.quote("crossing", np.float64(0.95361)) == 0.95361
    obj, display = glued["crossing"]
    assert type(obj) is float and display is False
    assert format(float(repr(obj)), ".4f") == "0.9536"  # what {glue:text}`crossing:.4f` renders


def test_table_renders_html_with_numeric_columns_aligned_and_text_for_terminals():
    t = book.table(
        ["model", "radius", "n"],
        [("σ = 0.25", 0.51234, 1000), ("a<b", 1.0, 20000)],
        formats=["", ".3f", ",d"],
        caption="60 images",
    )
    html = t._repr_html_()
    assert "<caption>60 images</caption>" in html and "a&lt;b" in html
    assert '<td class="rsbook-num">0.512</td>' in html and '<td class="rsbook-num">20,000</td>' in html
    assert "<td>σ = 0.25</td>" in html
    assert repr(t).splitlines() == [
        "60 images",
        "model     radius       n",
        "σ = 0.25   0.512   1,000",
        "a<b        1.000  20,000",
    ]


def test_table_refuses_rows_that_do_not_match_the_columns():
    with pytest.raises(ValueError, match="row 1 has 1 cells, the table 2 columns"):
        book.table(["a", "b"], [(1, 2), (3,)])
    with pytest.raises(ValueError, match="formats must give one spec per column"):
        book.table(["a", "b"], [(1, 2)], formats=[".1f"])

"""rslib.book: the chapters' set-up (plotly's offline renderer for the static book, its own when reading live), the
glue that keeps exercise answers inside their solutions, quoted numbers and tables."""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.io._base_renderers import NotebookRenderer

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


def test_table_aligns_a_numeric_column_with_missing_values_as_numbers():
    t = book.table(["method", "ratio"], [("a", "1.61"), ("b", "n/a"), ("c", "12.05")])
    assert '<td class="rsbook-num">n/a</td>' in t._repr_html_()
    assert repr(t).splitlines() == ["method  ratio", "a        1.61", "b         n/a", "c       12.05"]


def test_table_typesets_p_a_and_p_b_in_headings_and_caption_as_the_prose_does():
    t = book.table(["p_A", "lower bound on p_A − p_B", "p_a"], [("p_A", 0.5, 1)], caption="p_A = 0.9 & p_B < 1")
    html = t._repr_html_()
    assert "<th>p<sub>A</sub></th>" in html and "lower bound on p<sub>A</sub> − p<sub>B</sub>" in html
    assert "<caption>p<sub>A</sub> = 0.9 &amp; p<sub>B</sub> &lt; 1</caption>" in html
    assert '<th class="rsbook-num">p_a</th>' in html and "<td>p_A</td>" in html  # a column name, a cell: as written
    assert repr(t).splitlines()[0] == "p_A = 0.9 & p_B < 1"


def test_table_refuses_rows_that_do_not_match_the_columns():
    with pytest.raises(ValueError, match="row 1 has 1 cells, the table 2 columns"):
        book.table(["a", "b"], [(1, 2), (3,)])
    with pytest.raises(ValueError, match="formats must give one spec per column"):
        book.table(["a", "b"], [(1, 2)], formats=[".1f"])


@pytest.fixture
def plotly_state(monkeypatch):
    """Give back plotly's renderer and template and numpy's print options after a test that calls setup()."""
    monkeypatch.setattr(pio.renderers, "default", pio.renderers.default)
    monkeypatch.setattr(pio.templates, "default", pio.templates.default)
    options = np.get_printoptions()
    yield pio
    np.set_printoptions(**options)


def test_setup_selects_the_offline_renderer_for_the_static_book(plotly_state, monkeypatch):
    monkeypatch.delenv(book.LIVE_ENV, raising=False)
    assert book.setup() is None  # nothing printed as a cell's last line
    assert plotly_state.renderers.default == book.RENDERER == "rsbook_offline"
    assert isinstance(plotly_state.renderers[book.RENDERER], book.OfflineNotebookRenderer)
    assert plotly_state.templates.default == "plotly_white" and np.get_printoptions()["precision"] == 4


def test_live_reading_keeps_plotly_s_own_renderer(plotly_state, monkeypatch):
    plotly_state.renderers.default = "json"
    monkeypatch.setenv(book.LIVE_ENV, "1")  # `make live`
    book.setup()
    assert plotly_state.renderers.default == "json"
    monkeypatch.delenv(book.LIVE_ENV)
    book.setup(live=True)
    assert plotly_state.renderers.default == "json" and plotly_state.templates.default == "plotly_white"


def test_the_offline_renderer_emits_html_without_remote_scripts():
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4])).to_dict()
    plain = NotebookRenderer(connected=False).to_mimebundle(fig)["text/html"]
    ours = book.OfflineNotebookRenderer().to_mimebundle(fig)
    assert '<script src="https://' in plain  # plotly adds MathJax from a CDN to every figure
    assert list(ours) == ["text/html"] and 'src="https://' not in ours["text/html"]
    assert ours["text/html"] == book._REMOTE_SCRIPT.sub("", plain).replace(_div_id(plain), _div_id(ours["text/html"]))
    with pytest.raises(ValueError, match="never loads plotly.js from a CDN"):
        book.OfflineNotebookRenderer(connected=True)


def _div_id(html: str) -> str:
    return re.search(r'<div id="([^"]+)"', html).group(1)  # a fresh id per rendering

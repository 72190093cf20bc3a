"""book/_ext/rsbook_sheets.py: turning a chapter's Exercises section into the two printable sheets."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import rsbook_sheets

SECTION = """<section id="exercises"><h2>Exercises<a class="headerlink" href="#exercises">#</a></h2>
<p><strong>Exercise 1.1.</strong> Compute it.</p>
<div class="dropdown admonition"><p class="admonition-title">Solution</p><p>It is 3.</p>
<div class="output text_plain"><pre>n = 301</pre></div></div>
<div class="cell tag_hide-input docutils container"><pre>print(301)</pre></div>
<div class="dropdown admonition"><p class="admonition-title">Hint</p><p>Count.</p></div>
</section>"""


def _section():
    return BeautifulSoup(SECTION, "html.parser").find("section")


def test_sheet_without_solutions_keeps_prompts_and_hints_only():
    sheet = str(rsbook_sheets.build_sheet(_section(), kind="exercises"))
    assert "Exercise 1.1." in sheet and "Count." in sheet
    assert "It is 3." not in sheet and "n = 301" not in sheet and "print(301)" not in sheet
    assert "<h2>" not in sheet and "headerlink" not in sheet


def test_sheet_with_solutions_opens_them_and_keeps_their_answers():
    sheet = rsbook_sheets.build_sheet(_section(), kind="solutions")
    solution = sheet.find("p", string="Solution").parent
    assert "dropdown" not in solution["class"] and "rsbook-solution" in solution["class"]
    assert "n = 301" in str(sheet) and "print(301)" not in str(sheet)
    assert "dropdown" in sheet.find("p", string="Hint").parent["class"]  # only solutions are opened


def test_building_a_sheet_leaves_the_page_untouched():
    section = _section()
    before = str(section)
    rsbook_sheets.build_sheet(section, kind="exercises")
    assert str(section) == before


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        rsbook_sheets.build_sheet(_section(), kind="answers")


def test_links_point_into_the_sheets_folder_next_to_the_chapter():
    links = rsbook_sheets.links_html("book/02_laplace_l1")
    for kind in ("exercises", "solutions"):
        for suffix in ("pdf", "html"):
            assert f'href="sheets/02_laplace_l1-{kind}.{suffix}"' in links

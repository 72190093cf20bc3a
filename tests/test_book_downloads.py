"""book/_ext/rsbook_downloads.py: the download menu gains the chapter as .ipynb; both links save, not show."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import rsbook_downloads

MENU = """<ul class="dropdown-menu">
      <li><a href="../_sources/book/02_laplace_l1.md" target="_blank"
   class="btn btn-sm btn-download-source-button dropdown-item"
   title="Download source file"
   data-bs-placement="left" data-bs-toggle="tooltip"
>
<span class="btn__text-container">.md</span>
</a>
</li>
      <li><button onclick="window.print()" class="btn btn-sm btn-download-pdf-button dropdown-item">.pdf</button></li>
</ul>"""


def test_notebook_entry_follows_the_markdown_one_and_both_download():
    page = rsbook_downloads.add_notebook_download(MENU)
    md, ipynb = (
        page.index('href="../_sources/book/02_laplace_l1.md" download'),
        page.index('href="../_sources/book/02_laplace_l1.ipynb" download'),
    )
    assert md < ipynb < page.index("window.print()")
    assert '<span class="btn__text-container">.ipynb</span>' in page
    assert rsbook_downloads.add_notebook_download(page) == page  # applied once only


def test_plain_markdown_page_gets_no_notebook_entry():
    page = rsbook_downloads.add_notebook_download(MENU, notebook=False)
    assert ".ipynb" not in page and 'l1.md" download target' in page

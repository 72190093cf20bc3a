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


def _serve_book():
    """scripts/serve_book.py as a module (a script, not part of a package)."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "scripts" / "serve_book.py"
    spec = importlib.util.spec_from_file_location("serve_book", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_served_markdown_declares_utf8(tmp_path):
    """`make serve` sends a chapter's copied source with its charset: shown in the browser, σ stays σ.

    A UTF-8 byte-order mark in the copied .md would make any static server's page right as well, but jupytext
    then no longer sees the file's front matter (the notebook loses its kernel and gains a cell), so the
    sources are copied as they are and the .md link saves rather than shows (test above)."""
    import threading
    import urllib.request

    source = Path(__file__).resolve().parents[1] / "book" / "02_laplace_l1.md"
    copied = tmp_path / "_sources" / "book" / source.name
    copied.parent.mkdir(parents=True)
    copied.write_bytes(source.read_bytes())
    server = _serve_book().BookServer(0, tmp_path, {})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/_sources/book/{source.name}"
        with urllib.request.urlopen(url, timeout=10) as response:
            content_type = response.headers.get("Content-Type", "")
            body = response.read()
    finally:
        server.shutdown()
        server.server_close()
    assert content_type.replace(" ", "").lower() == "text/markdown;charset=utf-8", content_type
    assert body.decode(response.headers.get_content_charset()) == source.read_text(encoding="utf-8")
    assert "σ" in body.decode("utf-8")

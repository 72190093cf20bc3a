"""A chapter whose cell fails must fail the book build, and the output must name the chapter."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_failing_cell_fails_the_build_naming_the_chapter(tmp_path):
    (tmp_path / "_config.yml").write_text(
        "title: t\nonly_build_toc_files: true\nexecute:\n  execute_notebooks: force\n"
        "  allow_errors: false\nsphinx:\n  config:\n    nb_execution_show_tb: true\n"
    )
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: broken_chapter\n")
    (tmp_path / "intro.md").write_text("# Intro\n")
    (tmp_path / "broken_chapter.md").write_text(
        "---\njupytext:\n  text_representation:\n    format_name: myst\nkernelspec:\n  name: python3\n"
        "  display_name: Python 3\n---\n\n# Broken\n\n```{code-cell} ipython3\nraise RuntimeError('deliberate')\n```\n"
    )
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    done = subprocess.run(
        [str(jupyter_book), "build", "--all", "-W", "-n", "--keep-going", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "broken_chapter" in output and "deliberate" in output

"""The version (rslib._version), written in one place and quoted by the citation file and the changelog."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_version_is_written_once():
    import rslib
    from rslib._version import __version__

    assert rslib.__version__ == __version__
    assert "version =" not in (ROOT / "pyproject.toml").read_text().split("[project.optional-dependencies]")[0]
    assert f"version: {__version__}" in (ROOT / "CITATION.cff").read_text()
    assert f"## {__version__} " in (ROOT / "CHANGELOG.md").read_text()

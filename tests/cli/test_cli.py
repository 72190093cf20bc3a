"""The `rslib` command (rslib.cli): subcommands, and errors found while running as usage errors."""

import pytest

from rslib import cli


def test_a_subcommand_is_required(capsys):
    with pytest.raises(SystemExit):
        cli.main([])
    assert "required" in capsys.readouterr().err

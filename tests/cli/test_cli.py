"""The `rslib` command (rslib.cli): subcommands, and errors found while running as usage errors."""

import types

import pytest

from rslib import cli


def test_a_subcommand_is_required(capsys):
    with pytest.raises(SystemExit):
        cli.main([])
    assert "required" in capsys.readouterr().err


def test_every_command_is_a_pair_of_add_parser_and_run():
    assert sorted(cli.COMMANDS) == ["analyze", "certify", "train"]
    for name, command in cli.COMMANDS.items():
        assert command.__name__ == f"rslib.cli.{name}" and callable(command.add_parser) and callable(command.run)


def _command(failure):
    """A command `fail` whose run records its arguments, then raises `failure` (if any)."""
    seen = {}

    def add_parser(subparsers):
        p = subparsers.add_parser("fail")
        p.add_argument("words", nargs="*")
        p.set_defaults(run=run, parser=p)

    def run(args):
        seen.update(vars(args))
        if failure is not None:
            raise failure

    return types.SimpleNamespace(add_parser=add_parser, run=run), seen


def test_a_command_that_runs_returns_0_and_sees_its_command_line(monkeypatch):
    command, seen = _command(None)
    monkeypatch.setitem(cli.COMMANDS, "fail", command)
    assert cli.main(["fail", "a b", "c"]) == 0
    assert seen["words"] == ["a b", "c"] and seen["command_line"] == "rslib fail 'a b' c"  # as a reader retypes it


@pytest.mark.parametrize("failure", [ValueError("n must be >= 1"), FileNotFoundError("no file x.tsv")])
def test_bad_input_found_while_running_is_a_usage_error_without_traceback(monkeypatch, capsys, failure):
    command, _ = _command(failure)
    monkeypatch.setitem(cli.COMMANDS, "fail", command)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["fail"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == f"rslib fail: error: {failure}\n"


def test_other_errors_are_not_hidden(monkeypatch):
    command, _ = _command(RuntimeError("a bug"))
    monkeypatch.setitem(cli.COMMANDS, "fail", command)
    with pytest.raises(RuntimeError, match="a bug"):  # a bug keeps its traceback
        cli.main(["fail"])

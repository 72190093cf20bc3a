"""Argument types shared by the commands (rslib.cli._args): each refuses bad input naming the rule."""

import contextlib
import io

from rslib import cli


def _main(*argv):
    """(exit status, stdout, stderr) of `rslib argv` run in this process."""

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main(list(argv))
        except SystemExit as exc:
            status = exc.code
    return status, out.getvalue(), err.getvalue()


def test_a_missing_gpu_is_a_usage_error(monkeypatch, tmp_path):
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    status, _, err = _main("train", "--noise", "gaussian", "--sigma", "0.5", "--name", "t", "--device", "cuda")
    assert (
        status == 2
        and "rslib train: error: argument --device: must be cpu or a GPU of this machine (none), got 'cuda'" in err
    )

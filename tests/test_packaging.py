"""rslib as a user installs it: a wheel that carries the shipped models, loads every one of them from any
directory, and declares only the core dependencies (the book's are extras)."""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (found,) = out.glob("rslib-*.whl")
    return found


def test_the_wheel_loads_every_shipped_model_from_another_directory(wheel, tmp_path):
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import rslib, sys; assert rslib.__file__.startswith(sys.argv[1]), rslib.__file__; "
        "names = rslib.list_pretrained(); assert len(names) == 12, names; "
        "[rslib.load_pretrained(n, device='cpu') for n in names]; print(len(names))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(site)],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "12"


def test_the_core_depends_on_numpy_scipy_and_torch_only(wheel):
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith("METADATA"))).decode()
        assert "rslib/py.typed" in archive.namelist()
    requires = re.findall(r"^Requires-Dist: ([A-Za-z0-9_-]+)(.*)$", metadata, flags=re.M)
    core = {name.lower() for name, rest in requires if "extra ==" not in rest}
    assert core == {"numpy", "scipy", "torch", "torchvision", "tqdm"}, core
    book = {name.lower() for name, rest in requires if 'extra == "book"' in rest}
    assert {"plotly", "ipywidgets"} <= book


def test_every_import_of_rslib_is_declared():
    """Each third-party module rslib imports is a dependency of the core or of an extra."""
    import ast

    declared = {
        "numpy",
        "scipy",
        "torch",
        "torchvision",
        "tqdm",
        "plotly",
        "ipywidgets",
        "anywidget",
        "IPython",
        "myst_nb",
        "PIL",
        "sklearn",
    }
    stdlib = set(sys.stdlib_module_names)
    used = set()
    for path in (ROOT / "rslib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                used |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                used.add(node.module.split(".")[0])
    assert used - stdlib - {"rslib"} <= declared, used - stdlib - {"rslib"} - declared

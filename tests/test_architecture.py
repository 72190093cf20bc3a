"""The layout rules of rslib, checked on its source: the maths knows no torch, plotly or ipywidgets; imports
only go down the layers; there is no import cycle; every public module lists its API; chapters stay short
on imports; `import rslib` costs no torch."""

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "rslib"

# The layers, bottom up: a module may import rslib modules of its own layer or of a lower one.
LAYERS = {
    "rslib._checks": 0,
    "rslib._seeds": 0,
    "rslib._version": 0,
    "rslib.certificates": 1,
    "rslib.bounds": 1,
    "rslib.theory": 1,
    "rslib.results": 2,
    "rslib.smoothing": 3,
    "rslib.zoo": 4,
    "rslib.figures": 5,
    "rslib.book": 5,
    "rslib.cli": 6,
    "rslib.__main__": 6,
}
MATHS = ("rslib.certificates", "rslib.bounds", "rslib.theory", "rslib._checks", "rslib._seeds", "rslib._version")
HEAVY = ("torch", "torchvision", "plotly", "ipywidgets", "anywidget", "IPython", "myst_nb")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path) -> set[str]:
    """Every module imported anywhere in the file (top level or inside functions), as absolute names."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module.startswith("rslib"):  # `from rslib import certificates` imports rslib.certificates
                found |= {
                    f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" in MODULES
                }
    return found


def layer(name: str) -> int | None:
    for prefix, rank in LAYERS.items():
        if name == prefix or name.startswith(prefix + "."):
            return rank
    return None


def rslib_imports(name: str) -> set[str]:
    return {m for m in imports(MODULES[name]) if m in MODULES and m != "rslib"}


@pytest.mark.parametrize("name", [m for m in MODULES if m.startswith(MATHS)])
def test_the_maths_imports_no_torch_plotly_or_ipywidgets(name):
    heavy = sorted(m for m in imports(MODULES[name]) if m.split(".")[0] in HEAVY)
    assert not heavy, f"{name} imports {heavy}"


@pytest.mark.parametrize("name", [m for m in MODULES if m != "rslib"])
def test_imports_go_down_the_layers(name):
    own = layer(name)
    assert own is not None, f"{name} is in no layer of this test"
    upward = sorted(m for m in rslib_imports(name) if layer(m) > own)
    assert not upward, f"{name} (layer {own}) imports {upward} from higher layers"


def test_nothing_below_the_figures_imports_figures_book_or_cli():
    for name in MODULES:
        if name != "rslib" and layer(name) < LAYERS["rslib.figures"]:
            bad = [m for m in rslib_imports(name) if m.startswith(("rslib.figures", "rslib.book", "rslib.cli"))]
            assert not bad, f"{name} imports {bad}"


def test_there_is_no_import_cycle():
    graph = {name: rslib_imports(name) for name in MODULES}
    # a package's __init__ imports its own modules; a module importing its package's name means the __init__
    state, path = {}, []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for nxt in graph.get(node, ()):
            if nxt == node:
                continue
            if state.get(nxt) == "open":
                cycle = path[path.index(nxt) :] + [nxt]
                if not all(n.startswith(nxt) or nxt.startswith(n) for n in cycle):  # a package and its own modules
                    raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = "done"

    for name in graph:
        if name not in state:
            visit(name)


def public_modules() -> list[str]:
    return [
        name
        for name in MODULES
        if not any(part.startswith("_") for part in name.split(".")[1:]) and name not in ("rslib.cli.__main__",)
    ]


@pytest.mark.parametrize("name", public_modules())
def test_every_public_module_lists_its_api(name):
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what it lacks: {missing}"
    assert len(set(module.__all__)) == len(module.__all__), f"{name}.__all__ repeats names"


@pytest.mark.parametrize(
    "name", [m for m in MODULES if m.rsplit(".", 1)[-1].startswith("_") and not m.endswith(("__main__", "__init__"))]
)
def test_every_private_module_lists_its_exports_too(name):
    source = MODULES[name].read_text(encoding="utf-8")
    assert "__all__" in source or name.startswith("rslib.cli._"), f"{name} has no __all__"


def test_import_rslib_and_the_maths_load_no_torch():
    code = (
        "import sys, rslib; rslib.certificates.gaussian_l2(0.9, sigma=0.5); rslib.bounds.clopper_pearson(9, 10, 0.1); "
        "import rslib.theory, rslib.results; "
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}); assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


@pytest.mark.parametrize("chapter", sorted((ROOT / "book").glob("*.md")), ids=lambda p: p.stem)
def test_each_chapter_needs_at_most_three_import_lines_of_rslib(chapter):
    lines = [
        line
        for line in chapter.read_text(encoding="utf-8").splitlines()
        if re.match(r"\s*(from rslib\b|import rslib\b)", line)
    ]
    assert len(lines) <= 3, f"{chapter.name} imports rslib in {len(lines)} lines: {lines}"

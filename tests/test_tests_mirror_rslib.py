"""The tests mirror the package (tests/README.md): every module of rslib has a test module at the mirrored path,
`rslib/<sub>/_<name>.py` or `rslib/<sub>/<name>.py` -> `tests/<sub>/test_<name>.py`, a package's
`__init__.py` with code of its own -> `tests/<sub>/test_<sub>.py`, a top-level module -> `tests/test_<name>.py`;
its docstring names the module it tests. Every test module of a subpackage folder mirrors a module, and
each such folder is a package, so that modules of one name in two folders (certificates/test_gaussian.py,
figures/test_gaussian.py) do not clash."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE, TESTS = ROOT / "rslib", ROOT / "tests"


def dotted_name(module: Path) -> str:
    parts = module.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def mirrored_test_module(module: Path) -> Path:
    """Where the tests of an rslib module live."""
    folder = module.parent.relative_to(PACKAGE)
    name = (module.parent.name if module.stem == "__init__" else module.stem).strip("_")
    return TESTS / folder / f"test_{name}.py"


def only_reexports(module: Path) -> bool:
    """Whether a package's __init__.py only gathers its modules' names (imports, a docstring and __all__)."""
    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        exports = isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["__all__"]
        if not (docstring or exports or isinstance(node, (ast.Import, ast.ImportFrom))):
            return False
    return True


MODULES = sorted(PACKAGE.rglob("*.py"))
TESTED = [m for m in MODULES if not (m.name == "__init__.py" and only_reexports(m))]


@pytest.mark.parametrize("module", TESTED, ids=lambda m: str(m.relative_to(ROOT)))
def test_every_module_of_rslib_has_a_test_module_naming_it(module):
    tests = mirrored_test_module(module)
    assert tests.is_file(), f"{module.relative_to(ROOT)} has no tests: write {tests.relative_to(ROOT)}"
    tree = ast.parse(tests.read_text(encoding="utf-8"))
    assert any(isinstance(n, ast.FunctionDef) and n.name.startswith("test_") for n in tree.body), (
        f"{tests.relative_to(ROOT)} defines no test"
    )
    names = (dotted_name(module), str(module.relative_to(ROOT)))
    assert any(name in (ast.get_docstring(tree) or "") for name in names), (
        f"the docstring of {tests.relative_to(ROOT)} must name the module it tests ({' or '.join(names)})"
    )


def test_every_test_module_of_a_subpackage_folder_mirrors_a_module():
    mirrored = {mirrored_test_module(m) for m in MODULES}
    strays = [str(t.relative_to(ROOT)) for t in sorted(TESTS.glob("*/**/test_*.py")) if t not in mirrored]
    assert not strays, (
        f"test modules of no rslib module (move them, or to the top of tests/ if about the whole): {strays}"
    )


def test_every_test_folder_is_a_package():
    folders = [f for f in sorted(TESTS.iterdir()) if f.is_dir() and any(f.glob("test_*.py"))]
    assert folders, "no test folders found"
    assert all((f / "__init__.py").is_file() for f in folders), [f.name for f in folders]


def test_the_mirror_rule_maps_each_kind_of_module():
    cases = {
        "rslib/certificates/_gaussian.py": "tests/certificates/test_gaussian.py",
        "rslib/theory/neyman_pearson.py": "tests/theory/test_neyman_pearson.py",
        "rslib/cli/train.py": "tests/cli/test_train.py",
        "rslib/book/__init__.py": "tests/book/test_book.py",
        "rslib/cli/__main__.py": "tests/cli/test_main.py",
        "rslib/_checks.py": "tests/test_checks.py",
        "rslib/__init__.py": "tests/test_rslib.py",
    }
    assert {m: str(mirrored_test_module(ROOT / m).relative_to(ROOT)) for m in cases} == cases
    assert only_reexports(PACKAGE / "bounds" / "__init__.py") and not only_reexports(PACKAGE / "cli" / "__init__.py")

"""Every public name of rslib is documented and annotated, in numpydoc that Sphinx's napoleon renders.

The names checked are those of `__all__` in each subpackage's ``__init__``, in the public modules of
`rslib.theory` and in the command modules of `rslib.cli`, with the public methods of the classes among them.
A function or method has a docstring, a "Parameters" section when it takes parameters and a "Returns" (or
"Yields") section when it returns something; a class's constructor parameters are its "Parameters", a
dataclass's fields its "Attributes". Every function of the maths (certificates, bounds, theory) that
implements a published result names it under "References". No docstring points to a source a reader
cannot find ("the l1 paper", "the betting document", "the errata") or to the project's issue tracker.
Every parameter and return value is annotated. The `rslib cli` commands' ``add_parser``/``run`` need a
paragraph only, not sections.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import io
import re
import types

import pytest

import rslib

# Functions of the maths that implement no published result: bookkeeping, definitions and numerical checks.
NOT_PUBLISHED = {
    "rslib.certificates._registry.family_from_params",  # reads saved noise parameters
    "rslib.certificates._registry.certificates_for",  # lists the registry
    "rslib.certificates._registry.radii_at_equal_variance",  # calls every registered certificate
    "rslib.bounds._margin.margin_lower_cost",  # times `margin_lower`
    "rslib.theory.norms.lp_norm",  # the definition of a norm
    "rslib.theory.norms.largest_observed_ratio",  # a Monte Carlo check of `tightest_constant`
    "rslib.theory.neyman_pearson.monte_carlo_region_probabilities",  # a Monte Carlo estimate
    # rslib's own exactly solvable classifiers, against which every certificate's tightness is measured
    "rslib.theory.exact.slab_probabilities",
    "rslib.theory.exact.exact_slab_radii",
    "rslib.theory.exact.exact_slab_radius",
    "rslib.theory.exact.slab_cases",
    "rslib.theory.exact.certificates",
    "rslib.theory.exact.closeness",
}
MATHS = ("rslib.certificates", "rslib.bounds", "rslib.theory")
UNFINDABLE = ("the l1 paper", "betting document", "the errata", "issue 1")
NOTHING_RETURNED = ("None", "Iterator[None]", "Generator[None, None, None]")


def public_modules() -> list[types.ModuleType]:
    names = [f"rslib.{name}" for name in rslib._SUBPACKAGES]
    names += [f"rslib.theory.{name}" for name in importlib.import_module("rslib.theory").__all__]
    names += [module.__name__ for module in importlib.import_module("rslib.cli").COMMANDS.values()]
    return [importlib.import_module(name) for name in names]


@dataclasses.dataclass(frozen=True)
class Item:
    """A public function, class, method or property, as `documented_objects` finds it."""

    name: str  # where a reader finds it: module.name or module.Class.member
    obj: object
    paragraph_only: bool  # the command modules of rslib.cli: add_parser/run need one paragraph, no sections
    member: bool = False  # a method or property of a public class
    bound: bool = False  # its first parameter is self or cls

    @property
    def function(self):
        return self.obj.fget if isinstance(self.obj, property) else self.obj

    @property
    def module(self) -> str:
        return getattr(self.function, "__module__", "") or ""

    @property
    def qualified(self) -> str:
        return f"{self.module}.{self.function.__qualname__}"


def documented_objects() -> list[Item]:
    """Every public function and class, and the public methods and properties of those classes, once each."""
    seen: dict[int, Item] = {}
    for module in public_modules():
        paragraph_only = module.__name__.startswith("rslib.cli.")
        for name in module.__all__:
            obj = getattr(module, name)
            if id(obj) in seen or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue  # constants and submodules (the modules are checked through their own __all__)
            seen[id(obj)] = Item(f"{module.__name__}.{name}", obj, paragraph_only)
            if inspect.isclass(obj):
                for member, value in vars(obj).items():
                    bound = not isinstance(value, staticmethod)
                    if isinstance(value, (staticmethod, classmethod)):
                        value = value.__func__
                    if not member.startswith("_") and (inspect.isfunction(value) or isinstance(value, property)):
                        seen[id(value)] = Item(f"{module.__name__}.{name}.{member}", value, False, True, bound)
    return sorted(seen.values(), key=lambda item: item.name)


OBJECTS = documented_objects()
CHECKED = OBJECTS


def ids(items: list[Item]) -> list[str]:
    return [item.name for item in items]


def sections(doc: str) -> dict[str, str]:
    """The numpydoc section headers of doc, each with its underline."""
    lines = inspect.cleandoc(doc).splitlines()
    return {
        lines[i].strip(): lines[i + 1].strip()
        for i in range(len(lines) - 1)
        if re.fullmatch(r"-{3,}", lines[i + 1].strip()) and re.fullmatch(r"[A-Z][A-Za-z ]+", lines[i].strip())
    }


def arguments(item: Item) -> list[inspect.Parameter]:
    """The parameters a caller passes (a method's self or a classmethod's cls left out)."""
    parameters = list(inspect.signature(item.function).parameters.values())
    return parameters[1:] if item.bound else parameters


def constructor(cls: type):
    """The class's own __init__ written by hand (not one generated for a dataclass or a NamedTuple), or None."""
    init = vars(cls).get("__init__")
    if init is None or dataclasses.is_dataclass(cls) or hasattr(cls, "_fields"):
        return None
    return init


def fields(cls: type) -> list[str]:
    if hasattr(cls, "_fields"):
        return list(cls._fields)
    return [f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else []


def docstring_problems(item: Item) -> list[str]:
    return [] if item.obj.__doc__ and item.obj.__doc__.strip() else [f"{item.name} has no docstring"]


def section_problems(item: Item) -> list[str]:
    """What a numpydoc reader would miss: a badly underlined header, or the Parameters/Returns/Attributes."""
    found = sections(item.obj.__doc__ or "")
    problems = [
        f"{item.name}: {header!r} is underlined by {len(underline)} dashes"
        for header, underline in found.items()
        if len(underline) != len(header)
    ]
    if item.paragraph_only or isinstance(item.obj, property):
        return problems
    if inspect.isclass(item.obj):
        init = constructor(item.obj)
        if init is not None and len(inspect.signature(init).parameters) > 1 and "Parameters" not in found:
            problems.append(f"{item.name} takes constructor parameters but has no Parameters section")
        if fields(item.obj) and "Attributes" not in found:
            problems.append(f"{item.name} has fields {fields(item.obj)} but no Attributes section")
        return problems
    parameters = arguments(item)
    if parameters and "Parameters" not in found:
        problems.append(f"{item.name} takes {[p.name for p in parameters]} but has no Parameters section")
    text = inspect.cleandoc(item.obj.__doc__ or "")
    undocumented = [p.name for p in parameters if not re.search(rf"\b{p.name}\b", text)]
    if undocumented:
        problems.append(f"{item.name} does not document {undocumented}")
    returned = inspect.signature(item.function).return_annotation
    if str(returned) not in NOTHING_RETURNED and not {"Returns", "Yields"} & set(found):
        what = "something (no return annotation)" if returned is inspect.Signature.empty else returned
        problems.append(f"{item.name} returns {what} but has no Returns section")
    return problems


def annotation_problems(item: Item) -> list[str]:
    if inspect.isclass(item.obj):
        init = constructor(item.obj)
        if init is None:
            return []
        bare = [p.name for p in list(inspect.signature(init).parameters.values())[1:] if p.annotation is p.empty]
        return [f"{item.name}.__init__ leaves {bare} unannotated"] if bare else []
    problems = []
    bare = [p.name for p in arguments(item) if p.annotation is p.empty]
    if bare:
        problems.append(f"{item.name} leaves the parameters {bare} unannotated")
    if inspect.signature(item.function).return_annotation is inspect.Signature.empty:
        problems.append(f"{item.name} has no return annotation")
    return problems


def unfindable_sources(name: str, doc: str) -> list[str]:
    found = [phrase for phrase in UNFINDABLE if phrase in doc.lower()]
    return [f"{name} says {found}: name the work (authors, year, venue), or say what the error is"] if found else []


@pytest.mark.parametrize("item", CHECKED, ids=ids(CHECKED))
def test_every_public_function_class_and_method_has_a_docstring(item):
    assert not docstring_problems(item)


@pytest.mark.parametrize("item", CHECKED, ids=ids(CHECKED))
def test_numpydoc_sections_say_what_goes_in_and_what_comes_out(item):
    problems = section_problems(item)
    assert not problems, "; ".join(problems)


PUBLISHED = [
    item
    for item in CHECKED
    if inspect.isfunction(item.obj)
    and not item.member
    and item.module.startswith(MATHS)
    and item.qualified not in NOT_PUBLISHED
]


@pytest.mark.parametrize("item", PUBLISHED, ids=ids(PUBLISHED))
def test_the_maths_cites_the_published_result_it_implements(item):
    found = sections(item.obj.__doc__ or "")
    assert "References" in found, f"{item.name} implements a published result but has no References section"
    references = inspect.cleandoc(item.obj.__doc__).split("References\n----------", 1)[1]
    dated = re.search(r"\b(1[89]|20)\d\d\b", references) or "manuscript" in references.lower()
    assert dated, f"{item.name}: its references give no year (nor say that the work is an unpublished manuscript)"


@pytest.mark.parametrize("item", CHECKED, ids=ids(CHECKED))
def test_every_parameter_and_return_value_is_annotated(item):
    problems = annotation_problems(item)
    assert not problems, "; ".join(problems)


def all_docstrings() -> list[tuple[str, str]]:
    docs = [(module.__name__, module.__doc__ or "") for module in public_modules()]
    return docs + [(item.name, item.obj.__doc__ or "") for item in CHECKED]


@pytest.mark.parametrize("name,doc", all_docstrings(), ids=[name for name, _ in all_docstrings()])
def test_no_docstring_points_to_a_source_a_reader_cannot_find(name, doc):
    problems = unfindable_sources(name, doc)
    assert not problems, problems[0]


def test_napoleon_renders_every_docstring_without_warnings(tmp_path):
    """A Sphinx build (autodoc, napoleon in numpy style) of every public module and name: no warning."""
    pytest.importorskip("sphinx.ext.napoleon")
    from sphinx.application import Sphinx
    from sphinx.util.console import nocolor

    nocolor()

    (tmp_path / "conf.py").write_text(
        "extensions = ['sphinx.ext.autodoc', 'sphinx.ext.napoleon']\n"
        "napoleon_google_docstring = False\nnapoleon_numpy_docstring = True\n",
        encoding="utf-8",
    )
    lines = ["API", "===", ""]
    for module in public_modules():
        lines += [f".. automodule:: {module.__name__}", "   :no-index:", ""]
    for item in CHECKED:
        if item.member:
            continue
        directive = ["autoclass", "   :members:"] if inspect.isclass(item.obj) else ["autofunction"]
        lines += [f".. {directive[0]}:: {item.name}", *directive[1:], "   :no-index:", ""]
    (tmp_path / "index.rst").write_text("\n".join(lines), encoding="utf-8")
    warnings = io.StringIO()
    app = Sphinx(
        str(tmp_path),
        str(tmp_path),
        str(tmp_path / "out"),
        str(tmp_path / "doctrees"),
        "dummy",
        status=None,
        warning=warnings,
        freshenv=True,
    )
    app.build()
    assert warnings.getvalue() == "", warnings.getvalue()

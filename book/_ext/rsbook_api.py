"""Sphinx extension (loaded from _config.yml): the library reference, written from rslib's own API lists.

Each page ``book/api/<part>.md`` holds one directive, in an ``{eval-rst}`` block (docstrings are
reStructuredText, so autodoc's output must be parsed as such, not as MyST)::

    .. rslib-api:: rslib.certificates

which writes, in the order of the subpackage's ``__all__``, an autosummary table (each name with the first
line of its docstring, linked to its entry) and then the full autodoc entry of every name: signature and
docstring (numpydoc sections through napoleon, equations through the book's local MathJax). The pages
cannot fall behind the library: a name added to ``__all__`` appears on the next build.

autodoc imports rslib in the build's own process. So that the reference documents this checkout and not
another copy installed in the environment (an editable install may point to another clone), the book's
root goes first on ``sys.path``, and the build stops if rslib was imported from anywhere else. It also goes
first on ``PYTHONPATH``, which the kernels that execute the chapters inherit: the chapters and the
reference describe the same code.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import pkgutil
import sys
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docstrings import prepare_docstring
from sphinx.util.docutils import SphinxDirective, switch_source_input

# Values shown after a constant's name (`NOT_CERTIFIED = -1`); others (dicts of classes, paths of this
# machine, long tuples) are left to the docstring.
_SHOWN_VALUE_TYPES = (bool, int, float, str)
_SHOWN_VALUE_CHARS = 60
_AFTER_NAPOLEON = 600  # napoleon's docstring handler has Sphinx's default priority, 500


def _value_is_shown(value) -> bool:
    plain = isinstance(value, _SHOWN_VALUE_TYPES) or (
        isinstance(value, tuple) and all(isinstance(item, _SHOWN_VALUE_TYPES) for item in value)
    )
    return plain and len(repr(value)) <= _SHOWN_VALUE_CHARS


def entry_lines(name: str, value) -> list[str]:
    """The autodoc directive documenting `value`, named `name` in the current module, with its options."""
    if inspect.ismodule(value):  # a module entry has no signature line: a heading names it
        lines = [f".. rubric:: Module {value.__name__}", "", f".. automodule:: {value.__name__}", ""]
        for member in getattr(value, "__all__", []):  # each as at the top level (values shown or not alike)
            lines += [*entry_lines(member, getattr(value, member)), ""]
        return lines
    if inspect.isclass(value):
        kind = "autoexception" if issubclass(value, BaseException) else "autoclass"
        lines = [f".. {kind}:: {name}", "   :members:"]
        if any(base is not object for base in value.__bases__):
            lines.append("   :show-inheritance:")
        return lines
    if callable(value):
        return [f".. autofunction:: {name}"]
    return [f".. autodata:: {name}"] + ([] if _value_is_shown(value) else ["   :no-value:"])


def documented_names(module) -> list[str]:
    """The module's ``__all__``, then its public submodules that ``__all__`` does not name (the commands of
    `rslib.cli`): a module without a leading underscore is API too."""
    names = list(getattr(module, "__all__", None) or [])
    if not names:
        raise ExtensionError(f"rslib-api: {module.__name__} has no __all__ to document")
    for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
        if not info.name.startswith("_") and info.name not in names:
            importlib.import_module(f"{module.__name__}.{info.name}")
            names.append(info.name)
    return names


def api_lines(module_name: str) -> list[str]:
    """reStructuredText for the reference of a module: its API as a table, then one entry per name."""
    module = importlib.import_module(module_name)
    names = documented_names(module)
    context = [f".. currentmodule:: {module_name}", ""]
    lines = [
        f".. automodule:: {module_name}",
        "",
        *context,
        ".. autosummary::",
        "   :nosignatures:",
        "",
        *(f"   {name}" for name in names),
        "",
    ]
    for name in names:
        # an automodule entry moves the current module into itself: every entry starts from the page's own
        lines += [*context, *entry_lines(name, getattr(module, name)), ""]
    return lines


def attribute_doc(module_name: str, name: str, *, depth: int = 4) -> list[str] | None:
    """The docstring written under ``name = ...`` where `name` is defined, following the package's imports.

    autodoc looks for a constant's docstring only in the module it documents it from (the subpackage's
    ``__init__``), while rslib defines its constants in private modules and imports them from there.
    """
    docs = ModuleAnalyzer.for_module(module_name).find_attr_docs()
    if ("", name) in docs:
        return list(docs[("", name)])
    if depth == 0:
        return None
    source = ModuleAnalyzer.for_module(module_name).code
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and any(alias.name == name for alias in node.names):
            return attribute_doc(node.module, name, depth=depth - 1)
    return None


def _plain_docstring(app, what, name, obj, options, lines) -> None:
    """Constants and properties keep their docstring as written.

    A constant's docstring is its own, never that of its type (`dict`'s or `int`'s, which autodoc falls back
    to). napoleon reads the first line of a constant's or a property's docstring as "type: description"
    (Google style), which would turn "The norm of its certificates: ..." into a type; these docstrings are
    prose, so napoleon's version is replaced by the original (this handler runs after napoleon's).
    """
    if what == "data":
        module_name, _, attribute = name.rpartition(".")
        lines[:] = attribute_doc(module_name, attribute) or []
    elif what == "property":
        lines[:] = prepare_docstring(inspect.getdoc(obj) or "")


def _skip_namedtuple_fields(app, what, name, obj, skip, options):
    """A NamedTuple's fields carry Python's generated "Alias for field number 0": the class's docstring
    describes them instead."""
    doc = getattr(obj, "__doc__", None)
    if isinstance(doc, str) and doc.startswith("Alias for field number"):
        return True
    return None


def soft_reference(name, rawtext, text, lineno, inliner, options=None, content=None):
    """The default role of docstrings, where single backticks mark both names of rslib and parameter or
    column names (`p_a`, `time`): a link to the entry of that name where the reference has one, else the
    text in italics. Never an error, so a parameter that shares a module's name is no broken link."""
    role = inliner.document.settings.env.get_domain("py").role("obj")
    result, messages = role("py:obj", rawtext, text, lineno, inliner, options or {}, content or [])
    for node in result:
        if isinstance(node, addnodes.pending_xref):
            node["rsbook_soft"] = True
    return result, messages


def _unresolved_soft_reference(app, env, node, contnode):
    if node.get("rsbook_soft"):
        return nodes.emphasis(contnode.astext(), contnode.astext())
    return None


class RslibApi(SphinxDirective):
    """``.. rslib-api:: <module>``: the module's ``__all__``, as a table and as full entries."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        module_name = self.arguments[0]
        source = f"<rslib-api {module_name}>"
        content = StringList(api_lines(module_name), source=source)
        parsed = nodes.Element()
        with switch_source_input(self.state, content):
            self.state.nested_parse(content, 0, parsed)
        for node in parsed.children:
            # Docstrings quote code: "lower" and --radii stay as typed, never curly quotes or an en dash.
            node["support_smartquotes"] = False
        return parsed.children


def _check_rslib_origin(app) -> None:
    import rslib

    root = Path(app.srcdir).resolve()
    origin = Path(rslib.__file__).resolve()
    if root not in origin.parents:
        raise ExtensionError(
            f"rslib is imported from {origin}, not from the book's checkout {root}: the reference would "
            "document another copy (set PYTHONPATH to the book's root, or import rslib after this extension)"
        )


def setup(app):
    for extension in ("sphinx.ext.autodoc", "sphinx.ext.autosummary", "sphinx.ext.napoleon"):
        app.setup_extension(extension)
    root = str(Path(app.srcdir).resolve())
    sys.path.insert(0, root)
    paths = [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path]
    os.environ["PYTHONPATH"] = os.pathsep.join([root, *(path for path in paths if path != root)])
    _check_rslib_origin(app)
    app.add_directive("rslib-api", RslibApi)
    app.add_role("rslib-soft", soft_reference)
    app.connect("missing-reference", _unresolved_soft_reference)
    app.connect("autodoc-process-docstring", _plain_docstring, priority=_AFTER_NAPOLEON)
    app.connect("autodoc-skip-member", _skip_namedtuple_fields)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

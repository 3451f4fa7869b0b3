"""Quality gate: the public API is documented with examples, and tested.

Two rules, over :mod:`slmsurvey` and every public submodule (``pkgutil``
walks them all; a module or package whose name starts with ``_`` is
private and skipped):

1. **Examples.** Every function and class listed in a module's ``__all__``
   and defined in ``slmsurvey`` has a numpydoc docstring with an
   ``Examples`` section (the header ``Examples`` underlined by dashes).
   A class's example covers its methods. The examples run as doctests in
   ``make test``.
2. **Tests.** Every module file ``slmsurvey/**/*.py`` other than
   ``__init__.py`` and private ``_*.py`` is imported by some test: a file
   ``tests/**/*.py`` imports the module itself (``import slmsurvey.x.y``,
   ``from slmsurvey.x import y``) or one of the public names it defines,
   directly or through its package (``from slmsurvey.x import f`` counts
   for the module where ``f`` is defined).
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import slmsurvey

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = re.compile(r"^\s*Examples\n\s*-{3,}\s*$", re.MULTILINE)


def public_modules() -> list[str]:
    names = ["slmsurvey"] + [
        m.name for m in pkgutil.walk_packages(slmsurvey.__path__, "slmsurvey.")
    ]
    return [n for n in names if not any(p.startswith("_") for p in n.split("."))]


@functools.cache
def public_objects() -> dict[str, object]:
    """Qualified name -> each function or class in some ``__all__``."""
    found = {}
    for module in map(importlib.import_module, public_modules()):
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and getattr(
                obj, "__module__", ""
            ).startswith("slmsurvey"):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return dict(sorted(found.items()))


def module_files() -> list[str]:
    """Dotted names of the module files that rule 2 covers."""
    return sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in (ROOT / "slmsurvey").rglob("*.py")
        if not path.name.startswith("_")
    )


@functools.cache
def modules_imported_by_tests() -> set[str]:
    """Modules that tests import, or whose public names they import."""
    imported = set()
    for path in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module)
                if not node.module.startswith("slmsurvey"):
                    continue
                package = importlib.import_module(node.module)
                for alias in node.names:
                    obj = getattr(package, alias.name, None)
                    if inspect.ismodule(obj):
                        imported.add(obj.__name__)
                    elif obj is not None:
                        imported.add(getattr(obj, "__module__", node.module))
    return imported


def test_the_walk_finds_the_package():
    assert "slmsurvey.lm.ngram" in public_modules()
    assert "slmsurvey.lm.ngram.NGramLM" in public_objects()
    assert "slmsurvey.lm.ngram" in module_files()


def test_only_a_numpydoc_header_counts_as_examples():
    assert EXAMPLES.search("Summary.\n\nExamples\n--------\n>>> 1\n1\n")
    assert not EXAMPLES.search("Summary.\n\nSee the examples below.\n")


@pytest.mark.parametrize("name", list(public_objects()))
def test_public_object_has_an_examples_section(name):
    doc = inspect.getdoc(public_objects()[name]) or ""
    assert doc, f"{name} has no docstring"
    assert EXAMPLES.search(doc), f"{name}: add an Examples section (numpydoc)"


@pytest.mark.parametrize("module", module_files())
def test_module_is_imported_by_a_test(module):
    assert module in modules_imported_by_tests(), f"no test imports {module}"

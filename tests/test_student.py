"""The student edition keeps every exercise and drops every solution."""

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import student  # noqa: E402  (tools/student.py)

NOTEBOOKS = [ROOT / p for p in student.chapters()]


def md(text):
    return nbformat.v4.new_markdown_cell(text)


def code(text, tags=()):
    return nbformat.v4.new_code_cell(text, metadata={"tags": list(tags)})


def test_gated_solution_spanning_cells_is_removed():
    nb = nbformat.v4.new_notebook(
        cells=[
            md("```{exercise} E\n:label: ex-e\n\nDo it.\n```"),
            md("```{solution-start} ex-e\n:class: dropdown\n```\nThe idea."),
            code("answer = 42", tags=["solution"]),
            md("More of the solution."),
            md("```{solution-end}\n```\n\n## Summary\n\nKept."),
            code("print('kept')"),
        ]
    )
    out = student.strip_solutions(nb)
    assert [c.source for c in out.cells] == [
        nb.cells[0].source,
        "## Summary\n\nKept.",
        "print('kept')",
    ]
    assert len(nb.cells) == 6, "the input is not modified"


def test_text_solution_directive_is_removed():
    nb = nbformat.v4.new_notebook(
        cells=[
            md("Before.\n\n````{solution} ex-e\n:class: dropdown\n\nX\n````\nAfter.")
        ]
    )
    assert student.strip_solutions(nb).cells[0].source == "Before.\n\nAfter."


def test_unclosed_solution_is_an_error():
    nb = nbformat.v4.new_notebook(cells=[md("```{solution-start} ex\n```\nOops.")])
    with pytest.raises(ValueError, match="solution-end"):
        student.strip_solutions(nb)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_loses_its_solutions_and_keeps_its_exercises(path):
    nb = nbformat.read(path, as_version=4)
    out = student.strip_solutions(nb)
    text = "\n".join(c.source for c in out.cells)
    assert "{solution" not in text
    assert not any("solution" in c.metadata.get("tags", []) for c in out.cells)
    before = "\n".join(c.source for c in nb.cells)
    assert text.count("{exercise}") == before.count("{exercise}") >= 2
    kept = {c.source for c in out.cells if c.cell_type == "code"}
    removed = [c for c in nb.cells if c.cell_type == "code" and c.source not in kept]
    assert removed, "every chapter has at least one code solution"
    assert all("solution" in c.metadata.get("tags", []) for c in removed), (
        "code cells inside a solution must be tagged 'solution'"
    )

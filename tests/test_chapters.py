"""Chapter metadata is the one source of objectives, timings and the guide."""

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import chapters  # noqa: E402  (tools/chapters.py)

NOTEBOOKS = chapters.notebooks()


@pytest.fixture(scope="module")
def all_chapters():
    return chapters.chapters()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_has_metadata(path):
    c = chapters.load(path)
    assert len(c.objectives) >= 3, "at least three learning objectives"
    assert all(o and o[0].islower() and o[-1] not in ".;" for o in c.objectives), (
        "objectives complete 'After this chapter you can ...' without punctuation"
    )
    assert 10 <= c.read <= 90 and 5 <= c.exercises_minutes <= 60
    assert len(c.exercises) >= 2, "at least two labelled exercises"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_objectives_block_is_generated_from_metadata(path, all_chapters):
    by_number = {c.number: c for c in all_chapters}
    chapter = by_number[chapters.chapter_number(path)]
    block = chapters.objectives_block(chapter, by_number)
    nb = nbformat.read(path, as_version=4)
    found = [c.source for c in nb.cells if block in c.source]
    assert found, "run python tools/chapters.py"


def test_guide_is_generated_from_metadata(all_chapters):
    chapters.check_courses(all_chapters)
    assert chapters.GUIDE.read_text() == chapters.guide(all_chapters), (
        "run python tools/chapters.py"
    )


def test_prerequisites_come_from_earlier_or_other_chapters(all_chapters):
    for c in all_chapters:
        assert c.number not in c.prerequisites


def test_course_check_names_missing_chapters(all_chapters, tmp_path, monkeypatch):
    courses = tmp_path / "courses.yml"
    courses.write_text(
        "c:\n  title: t\n  unit: Week\n  description: d\n"
        "  covers_every_chapter: true\n"
        "  sessions:\n    - topic: x\n      chapters: ['2.1.1']\n"
    )
    monkeypatch.setattr(chapters, "COURSES", courses)
    with pytest.raises(ValueError, match="does not teach"):
        chapters.check_courses(all_chapters)
    courses.write_text(courses.read_text().replace("'2.1.1'", "'9.9.9'"))
    with pytest.raises(ValueError, match="unknown chapters"):
        chapters.check_courses(all_chapters)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_marks_its_slides(path):
    """Slide metadata names a key equation, a figure, an interactive figure
    and speaker notes (tools/slides.py makes the deck from them)."""
    cells = nbformat.read(path, as_version=4).cells

    def marked(kind):
        return [
            c
            for c in cells
            if c.metadata.get("slideshow", {}).get("slide_type") == kind
        ]

    shown = marked("slide") + marked("subslide")
    assert any(c.cell_type == "markdown" and "$$" in c.source for c in shown), (
        "a slide with the key equation"
    )
    code = [c.source for c in shown if c.cell_type == "code"]
    assert any("interact(" in s for s in code), "a slide with an interactive figure"
    assert any("plt." in s and "interact(" not in s for s in code), "a key figure"
    assert marked("notes"), "speaker notes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_conclusion_row_links_the_chapter_and_glues_a_result(path):
    """Part 6's table: one row per chapter, its result glued, never typed."""
    text = (ROOT / "book" / "conclusion.md").read_text()
    notebook = "../" + str(path.relative_to(ROOT))
    row = next(
        (
            r
            for r in text.splitlines()
            if r.startswith("| [") and f"]({notebook}) |" in r
        ),
        None,
    )
    assert row, f"no row in book/conclusion.md links {notebook}"
    result = row.rstrip(" |").rsplit(" | ", 1)[1]
    assert f"{{glue:text}}`{notebook}::" in result, "a result glued from the chapter"
    typed = re.sub(r"\{glue:text\}`[^`]*`", "", result)
    assert not re.search(r"\d", typed), (
        f"a number typed into the result column: {typed!r}"
    )

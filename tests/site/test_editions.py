"""The student edition and the slides, as `make student` and `make slides`
leave them (run by `make test` after the book build)."""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
STUDENT = ROOT / "_build" / "student"
SLIDES = ROOT / "_build" / "slides"
CHAPTERS = sorted(
    p.relative_to(ROOT)
    for p in (ROOT / "notebooks").rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_student_notebook_has_exercises_and_no_solution(chapter):
    nb = nbformat.read(STUDENT / chapter, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "{exercise}" in text
    assert "{solution" not in text
    assert not any("solution" in c.metadata.get("tags", []) for c in nb.cells)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_student_website_hides_solutions(chapter):
    full = (ROOT / "_build" / "html" / chapter.with_suffix(".html")).read_text()
    page = (STUDENT / "_build" / "html" / chapter.with_suffix(".html")).read_text()
    solution = r'class="[^"]*\bsolution\b'
    assert re.search(solution, full), "the full edition shows solutions"
    assert re.search(r'class="[^"]*\bexercise\b', page), "exercises are shown"
    assert not re.search(solution, page), "a solution is shown"
    assert "student edition" in page


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_deck_has_title_equation_figures_and_notes(chapter):
    deck = (SLIDES / f"{chapter.stem}.slides.html").read_text()
    assert deck.count("<section>") >= 5
    assert "After this chapter you can" in deck  # objectives from the metadata
    assert r"\[" in deck, "a display equation"
    assert "data:image/png;base64" in deck, "a figure"
    assert 'class="slmsurvey-widget"' in deck, "an interactive figure"
    notes = re.findall(r'<aside class="notes">(.*?)</aside>', deck, flags=re.S)
    assert any(n.strip() for n in notes), "speaker notes"
    sources = re.findall(r'(?:src|href)="([^"]+)"', deck)
    assert not [s for s in sources if re.match(r"(https?:)?//", s)], "offline"
    for s in sources:
        if not s.startswith(("data:", "#")):
            assert (SLIDES / s).exists(), s

"""Checks of the built website (run by `make test` after the book build)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
CHAPTERS = sorted(
    str(p.relative_to(ROOT).with_suffix(".html"))
    for p in (ROOT / "notebooks").rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    assert (HTML / "index.html").exists(), "build the book first: make book"
    return {p: (HTML / p).read_text() for p in CHAPTERS}


def widgets(page: str) -> list[str]:
    return re.findall(r'<div class="slmsurvey-widget".*?</script>', page, flags=re.S)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_working_kernel_free_slider(pages, chapter):
    found = widgets(pages[chapter])
    assert found, "no interactive figure on the page"
    for widget in found:
        assert '<input type="range"' in widget
        assert widget.count("<img") >= 2
        assert not re.search(r"(https?:)?//[\w.-]+\.\w", widget.split("<script")[1])
        assert 'src="http' not in widget


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_rendered_completely(pages, chapter):
    page = pages[chapter]
    assert "{glue" not in page and "glue:text" not in page
    assert "Traceback" not in page
    assert 'class="exercise' in page
    assert re.search(r'class="[^"]*solution[^"]*dropdown', page)
    assert "data:image/png" in page or "<img" in page
    if "|---" in (ROOT / chapter).with_suffix(".ipynb").read_text():
        assert "<table" in page, "MyST tables and Markdown table outputs render"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_audio_players_are_embedded_in_the_page(pages, chapter):
    if "Audio(" not in (ROOT / chapter).with_suffix(".ipynb").read_text():
        pytest.skip("this chapter plays no audio")
    players = re.findall(r"<audio.*?</audio>", pages[chapter], flags=re.S)
    assert players
    assert all('src="data:audio/wav;base64,' in p for p in players)


def test_execution_statistics_page_lists_both_tables():
    page = (HTML / "book" / "execution-statistics.html").read_text()
    assert "2-1-1-historical-development" in page
    assert "peak memory" in page


def test_bibliography_is_rendered():
    page = (HTML / "book" / "bibliography.html").read_text()
    assert "Kneser" in page and "Rabiner" in page


def test_conclusion_table_has_a_rendered_row_per_chapter():
    """A blank line inside a Markdown table ends it: the rest renders as text."""
    page = (HTML / "book" / "conclusion.html").read_text()
    rows = re.findall(r"<tr.*?</tr>", page, flags=re.S)
    for chapter in CHAPTERS:
        link = "../" + chapter
        assert any(link in row for row in rows), f"no table row links {chapter}"
    assert "{glue" not in page and "glue:text" not in page

"""Chapter metadata: one source for objectives, timings and prerequisites.

Every chapter notebook carries ``metadata["slmsurvey"]``::

    objectives:    [str, ...]   each completes "After this chapter you can"
    minutes:       {read: int, exercises: int}
    prerequisites: ["2.1.2", ...]   chapter numbers

From it this tool writes the learning-objectives block at the top of each
chapter and the teaching guide, ``book/teaching-guide.md``, whose course
plans come from ``book/courses.yml``. Run it after changing either:

    python tools/chapters.py

``tests/test_chapters.py`` checks that every chapter has the metadata and
that the chapters and the guide are what this tool writes.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "book" / "teaching-guide.md"
COURSES = ROOT / "book" / "courses.yml"
BLOCK = re.compile(
    r"```\{admonition\} Learning objectives\n.*?\n\*\*Estimated time:\*\*[^\n]*", re.S
)
EXERCISE = re.compile(r"```\{exercise\}\s*(.*?)\n:label:\s*(\S+)")


@dataclass(frozen=True)
class Chapter:
    number: str  # "2.1.1"
    title: str  # without the number
    path: Path  # the notebook
    objectives: list[str]
    read: int  # minutes to read and run
    exercises_minutes: int
    prerequisites: list[str]
    exercises: list[tuple[str, str]]  # (title, label)

    @property
    def doc(self) -> str:
        """The chapter's Sphinx document name, from the book's root."""
        return str(self.path.relative_to(ROOT).with_suffix(""))

    @property
    def minutes(self) -> int:
        return self.read + self.exercises_minutes


def chapter_number(path: Path) -> str:
    return ".".join(path.stem.split("-")[:3])


def notebooks() -> list[Path]:
    return sorted(
        p
        for p in (ROOT / "notebooks").rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    )


def load(path: Path) -> Chapter:
    nb = nbformat.read(path, as_version=4)
    meta = nb.metadata.get("slmsurvey")
    if not meta:
        raise ValueError(
            f"{path.name}: no metadata['slmsurvey'] (see tools/chapters.py)"
        )
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    heading = re.search(r"^# (\S+) (.+)$", markdown, re.M)
    number = chapter_number(path)
    if heading is None or heading.group(1) != number:
        raise ValueError(f"{path.name}: the title must read '# {number} ...'")
    return Chapter(
        number=number,
        title=heading.group(2).strip(),
        path=path,
        objectives=list(meta["objectives"]),
        read=int(meta["minutes"]["read"]),
        exercises_minutes=int(meta["minutes"]["exercises"]),
        prerequisites=list(meta.get("prerequisites", [])),
        exercises=[(t.strip(), label) for t, label in EXERCISE.findall(markdown)],
    )


def chapters() -> list[Chapter]:
    return [load(p) for p in notebooks()]


def _link(chapter: Chapter) -> str:
    target = Path("/") / chapter.doc
    return f"{{doc}}`{chapter.number} {chapter.title} <{target}>`"


def objectives_block(chapter: Chapter, by_number: dict[str, Chapter]) -> str:
    """The chapter's learning objectives, time and prerequisites, as MyST."""
    items = []
    for i, objective in enumerate(chapter.objectives):
        end = "." if i == len(chapter.objectives) - 1 else ";"
        text = f"- {objective}{end}"
        items.append(
            textwrap.fill(text, 79, subsequent_indent="  ", break_on_hyphens=False)
        )
    time = (
        f"**Estimated time:** {chapter.minutes} minutes ({chapter.read} to read"
        f" and run, {chapter.exercises_minutes} for the exercises)."
    )
    if chapter.prerequisites:
        links = ", ".join(_link(by_number[n]) for n in chapter.prerequisites)
        time += f" **Before this chapter:** {links}."
    return "\n".join(
        [
            "```{admonition} Learning objectives",
            ":class: tip",
            "After this chapter you can",
            *items,
            "```",
            "",
            time,
        ]
    )


def write_chapter(chapter: Chapter, by_number: dict[str, Chapter]) -> bool:
    """Rewrite the objectives block of ``chapter``; True if the file changed."""
    nb = nbformat.read(chapter.path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and BLOCK.search(cell.source):
            new = BLOCK.sub(
                lambda _: objectives_block(chapter, by_number), cell.source, count=1
            )
            if new == cell.source:
                return False
            cell.source = new
            nbformat.write(nb, chapter.path)
            return True
    raise ValueError(f"{chapter.path.name}: no learning-objectives block found")


def _exercise_refs(chapter: Chapter) -> str:
    return ", ".join(f"{{ref}}`{label}`" for _, label in chapter.exercises)


def guide(all_chapters: list[Chapter]) -> str:
    """The teaching guide page, from the chapters' metadata and the courses."""
    by_number = {c.number: c for c in all_chapters}
    courses = yaml.safe_load(COURSES.read_text())
    out = [
        "# Teaching guide",
        "",
        "<!-- Written by tools/chapters.py from the chapters' metadata and"
        " book/courses.yml. Edit those, not this page. -->",
        "",
        "This page is for lecturers. Each chapter is one notebook that runs in",
        "under a minute on a laptop CPU, so it can be executed live in a lecture",
        "(Binder, Colab or JupyterLab, where `jupyterlab_rise` presents it as",
        "slides) or assigned as reading with exercises. Three commands prepare a",
        "course without editing anything:",
        "",
        "- `make student` writes the student edition to `_build/student/`:",
        "  notebooks without the solution cells, and a website whose solutions",
        "  are hidden. The exercises stay, and so do the self-checks",
        "  (`slmsurvey.check`), which tell a learner whether an answer is right",
        "  and, if not, what differs, without showing the solution.",
        "- `make slides` writes one reveal.js deck per chapter to",
        "  `_build/slides/` (title, key equation, key figure, an interactive",
        "  figure, speaker notes). The decks work offline.",
        "- `make book` builds this website; it too works offline.",
        "",
        "Times are estimates for a reader who runs every cell: the first",
        "number is reading and running, the second the exercises.",
        "",
        "## Chapters at a glance",
        "",
        "| Chapter | Read and run (min) | Exercises (min) | Before this chapter |",
        "| --- | ---: | ---: | --- |",
    ]
    for c in all_chapters:
        before = ", ".join(c.prerequisites) or "none"
        out.append(f"| {_link(c)} | {c.read} | {c.exercises_minutes} | {before} |")
    out += ["", "## Learning objectives and exercises", ""]
    for c in all_chapters:
        out += [f"**{_link(c)}.** After this chapter a learner can", ""]
        out += [
            f"- {o};" if i < len(c.objectives) - 1 else f"- {o}."
            for i, o in enumerate(c.objectives)
        ]
        out += ["", f"Exercises: {_exercise_refs(c)}.", ""]
    out += ["## Course plans", ""]
    for plan in courses.values():
        out += [f"### {plan['title']}", "", plan["description"].strip(), ""]
        out += [
            f"| {plan['unit']} | Topic | Chapters | Time (min) | Exercises |",
            "| ---: | --- | --- | ---: | --- |",
        ]
        for i, session in enumerate(plan["sessions"], start=1):
            parts = [by_number[n] for n in session["chapters"]]
            links = "; ".join(_link(c) for c in parts)
            minutes = sum(c.minutes for c in parts)
            refs = ", ".join(_exercise_refs(c) for c in parts)
            out.append(f"| {i} | {session['topic']} | {links} | {minutes} | {refs} |")
        out.append("")
    out += [
        "The slides of a session are the decks of its chapters,",
        "`_build/slides/<chapter>.slides.html`.",
        "",
    ]
    return "\n".join(out)


def check_courses(all_chapters: list[Chapter]) -> None:
    """Every chapter is taught in the 12-week course; plans name real chapters."""
    known = {c.number for c in all_chapters}
    courses = yaml.safe_load(COURSES.read_text())
    for key, plan in courses.items():
        named = [n for s in plan["sessions"] for n in s["chapters"]]
        unknown = set(named) - known
        if unknown:
            raise ValueError(f"course {key!r} names unknown chapters {sorted(unknown)}")
        if plan.get("covers_every_chapter") and set(named) != known:
            missing = sorted(known - set(named))
            raise ValueError(f"course {key!r} does not teach {missing}")
    for c in all_chapters:
        unknown = set(c.prerequisites) - known
        if unknown:
            raise ValueError(f"{c.path.name}: unknown prerequisites {sorted(unknown)}")


def main() -> None:
    all_chapters = chapters()
    check_courses(all_chapters)
    by_number = {c.number: c for c in all_chapters}
    for c in all_chapters:
        if write_chapter(c, by_number):
            print(f"updated {c.path.relative_to(ROOT)}")
    GUIDE.write_text(guide(all_chapters))
    print(f"wrote {GUIDE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

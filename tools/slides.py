"""Lecture slides: one reveal.js deck per chapter, working offline.

    python tools/slides.py        # _build/slides/<chapter>.slides.html

A deck is made from the chapter that the book build executed
(``_build/jupyter_execute``), so nothing runs twice. Its first slide is the
title with the learning objectives from the chapter's metadata (the source
tools/chapters.py also writes the chapter and the teaching guide from).
Then come the cells whose ``slideshow.slide_type`` metadata is ``slide``,
``subslide`` or ``fragment``, the standard Jupyter slide metadata that
JupyterLab's property inspector edits and RISE presents live:

- a markdown cell shows its headings, display equations and lists; its
  paragraphs become the slide's speaker notes;
- a code cell shows its outputs (figures, kernel-free interactive figures,
  audio, short text), not its code;
- a ``notes`` cell adds its text to the speaker notes of the slide before it
  (press ``s`` in the deck to open the speaker view).

The last slide lists the chapter's exercises. reveal.js and MathJax come
from the npm registry (tools/vendor.sh) and are copied beside the decks.
"""

from __future__ import annotations

import ast
import html
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chapters  # noqa: E402

ROOT = chapters.ROOT
OUT = ROOT / "_build" / "slides"
EXECUTED = ROOT / "_build" / "jupyter_execute"
VENDOR = ROOT / "_build" / "vendor"
SHOWN = {"slide", "subslide", "fragment"}
ROLE = re.compile(r"\{(\w+)(?::(\w+))?\}`([^`]*)`")
FENCE = re.compile(
    r"^(`{3,}|:{3,})\{(\w[\w-]*)\}[ \t]*([^\n]*)\n(.*?)^\1[ \t]*$", re.M | re.S
)
EQ_LABEL = re.compile(r"(\$\$)[ \t]*\(([\w-]+)\)")
MAX_TEXT_LINES = 12

_md = (
    MarkdownIt("commonmark").enable("table").use(dollarmath_plugin, double_inline=True)
)
_md.add_render_rule(
    "math_inline",
    lambda self, tokens, idx, *_: rf"\({html.escape(tokens[idx].content)}\)",
)
_md.add_render_rule(
    "math_block",
    lambda self, tokens, idx, *_: rf"<p>\[{html.escape(tokens[idx].content)}\]</p>",
)
_md.add_render_rule(
    "math_block_label",
    lambda self, tokens, idx, *_: rf"<p>\[{html.escape(tokens[idx].content)}\]</p>",
)


def slide_type(cell) -> str | None:
    return cell.metadata.get("slideshow", {}).get("slide_type")


def _glue_text(glue: dict, spec: str) -> str:
    name, _, fmt = spec.partition(":")
    if name not in glue:
        return spec
    value = glue[name]["data"]["text/plain"]
    try:
        value = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value
    return format(value, fmt) if fmt else str(value)


def myst_to_markdown(text: str, glue: dict) -> str:
    """Plain Markdown from MyST: roles to text, directives to bold titles."""

    def role(m: re.Match) -> str:
        name, sub, body = m.groups()
        if name == "glue":
            return _glue_text(glue, body)
        if name == "cite":
            return f"({body.replace(',', ', ')})" if sub != "t" else body
        if name in {"doc", "ref", "numref", "eq"}:
            return re.sub(r"\s*<[^>]*>$", "", body)
        return f"`{body}`"

    def directive(m: re.Match) -> str:
        _, name, title, body = m.groups()
        if name.startswith(("solution", "exercise")):
            return ""  # exercises have their own slide; solutions none
        body = "\n".join(
            line for line in body.splitlines() if not re.match(r":\w[\w-]*:", line)
        )
        if name in {"math"}:
            return f"$$\n{body}\n$$"
        heading = title or name.replace("-", " ").capitalize()
        return f"**{heading}**\n\n{body}"

    text = re.sub(r"^\([\w-]+\)=\s*$", "", text, flags=re.M)  # (label)=
    text = EQ_LABEL.sub(r"\1", text)
    text = FENCE.sub(directive, text)
    return ROLE.sub(role, text)


def split_markdown(text: str) -> tuple[str, str]:
    """(slide, notes): headings, equations and lists vs the other paragraphs."""
    slide, notes = [], []
    for block in re.split(r"\n\s*\n", text.strip()):
        first = block.lstrip()
        title = first.startswith("**") and "\n" not in first and len(first) < 80
        keep = title or first.startswith(("#", "$$", "- ", "* ", "1. ", "|"))
        (slide if keep else notes).append(block)
    return "\n\n".join(slide), "\n\n".join(notes)


def render_outputs(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "scrapbook" in out.get("metadata", {}):
            continue  # glue records are not for display
        if "text/html" in data:
            parts.append(data["text/html"])
        elif "image/png" in data:
            parts.append(f'<img src="data:image/png;base64,{data["image/png"]}">')
        elif "image/svg+xml" in data:
            parts.append(data["image/svg+xml"])
        elif "text/markdown" in data:
            parts.append(_md.render(data["text/markdown"]))
        elif out.get("output_type") == "stream" and out.get("name") == "stdout":
            lines = out["text"].splitlines()[:MAX_TEXT_LINES]
            parts.append(f"<pre>{html.escape(chr(10).join(lines))}</pre>")
        elif "text/plain" in data and out.get("output_type") == "execute_result":
            parts.append(f"<pre>{html.escape(data['text/plain'])}</pre>")
    return "\n".join(parts)


def slides_for(chapter: chapters.Chapter, nb, glue: dict) -> list[tuple[str, str]]:
    """The deck as (slide HTML, speaker notes HTML) pairs."""
    objectives = "".join(f"<li>{_md.renderInline(o)}</li>" for o in chapter.objectives)
    deck = [
        (
            f"<h2>{chapter.number} {html.escape(chapter.title)}</h2>"
            f"<p>After this chapter you can</p><ul>{objectives}</ul>",
            f"<p>About {chapter.minutes} minutes, including the exercises.</p>",
        )
    ]
    for cell in nb.cells:
        kind = slide_type(cell)
        if kind == "notes":
            text = myst_to_markdown(cell.source, glue)
            body, notes = deck[-1]
            deck[-1] = (body, notes + _md.render(text))
        elif kind in SHOWN:
            if cell.cell_type == "markdown":
                shown, notes = split_markdown(myst_to_markdown(cell.source, glue))
                body = _md.render(shown)
                notes = _md.render(notes)
            else:
                body, notes = render_outputs(cell), ""
            if kind == "fragment" and len(deck) > 1:
                prev, prev_notes = deck[-1]
                deck[-1] = (
                    prev + f'<div class="fragment">{body}</div>',
                    prev_notes + notes,
                )
            else:
                deck.append((body, notes))
    exercises = "".join(f"<li>{html.escape(t)}</li>" for t, _ in chapter.exercises)
    deck.append((f"<h2>Exercises</h2><ol>{exercises}</ol>", ""))
    return deck


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="reveal.js/dist/reveal.css">
<link rel="stylesheet" href="reveal.js/dist/theme/white.css">
<style>
.reveal {{ font-size: 28px; }}
.reveal img {{ max-height: 520px; }}
.reveal pre {{ font-size: 0.55em; box-shadow: none; }}
.reveal .slmsurvey-widget figure {{ margin: 0; }}
.reveal .slmsurvey-widget img {{ max-height: 460px; }}
</style>
<script>
window.MathJax = {{ tex: {{ inlineMath: [["\\\\(", "\\\\)"]] }} }};
</script>
<script defer src="mathjax/tex-mml-chtml.js"></script>
</head>
<body>
<div class="reveal"><div class="slides">
{slides}
</div></div>
<script src="reveal.js/dist/reveal.js"></script>
<script src="reveal.js/plugin/notes/notes.js"></script>
<script>
Reveal.initialize({{ hash: true, slideNumber: true, width: 1200, height: 800,
  plugins: [RevealNotes] }});
</script>
</body>
</html>
"""


def write_deck(chapter: chapters.Chapter) -> Path:
    executed = EXECUTED / chapter.path.relative_to(ROOT)
    if not executed.exists():
        raise FileNotFoundError(f"{executed} is missing: run `make book` first")
    nb = nbformat.read(executed, as_version=4)
    glue_file = executed.with_suffix(".glue.json")
    glue = json.loads(glue_file.read_text()) if glue_file.exists() else {}
    sections = [
        f'<section>\n{body}\n<aside class="notes">{notes}</aside>\n</section>'
        for body, notes in slides_for(chapter, nb, glue)
    ]
    target = OUT / f"{chapter.path.stem}.slides.html"
    title = html.escape(f"{chapter.number} {chapter.title}")
    target.write_text(PAGE.format(title=title, slides="\n".join(sections)))
    return target


def main() -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, source in (
        ("reveal.js", VENDOR / "reveal.js"),
        ("mathjax", VENDOR / "site" / "vendor" / "mathjax"),
    ):
        if not source.exists():
            raise FileNotFoundError(f"{source} is missing: run tools/vendor.sh")
        shutil.rmtree(OUT / name, ignore_errors=True)
        shutil.copytree(source, OUT / name)
    return [write_deck(c) for c in chapters.chapters()]


if __name__ == "__main__":
    decks = main()
    print(f"{len(decks)} decks in {OUT}")

"""Tests for slmsurvey.text.corpus: the book's prose as a corpus."""

import json
from pathlib import Path

import pytest

from slmsurvey.text.corpus import book_sentences, book_text, markdown_to_prose

PAGE = """\
---
title: Introduction
kernelspec:
  name: python3
---

(sec-intro)=
# Speech *language* models

% a MyST comment, not prose
A **speech language model** predicts [audio tokens](https://example.org)
{cite}`lakhotia2021`. Its loss is $\\mathcal{L} = -\\sum_t \\log p(x_t)$ as in
{eq}`eq-loss`, see {doc}`other` and {ref}`sec-x`.
We fit {glue:text}`n_params` weights; it costs \\$5 with `snake_case_name`.

$$
p(x) = \\prod_t p(x_t \\mid x_{<t})
$$

```{note}
:class: dropdown
Tokens are _discrete_ units.
```

````{admonition} A titled box
:class: tip
Body of the box.
```{code-cell} python
print("nested code, dropped")
```
````

:::{exercise}
:label: ex-1
Compute the WER.
:::

```{solution} ex-1
:class: dropdown
It is 0.25.
```

```python
x = 1  # plain code
```

```{math}
:label: eq-x
a = b
```

```{figure} fig.png
:name: fig-x
A caption that is dropped.
```

```{glue:figure} fig_glued
```

```{list-table}
* - a
  - b
```

```{bibliography}
```

```{toctree}
intro
```

| a | b |
|---|---|
| 1 | 2 |

- first item
- second *item* with <span class="x">inline html</span>

<!-- a hidden
comment -->

![an image](img.png)

+++

> quoted line one
> quoted line two

---

## Summary

Done.
"""

PAGE_PROSE = [
    "Speech language models",
    "A speech language model predicts audio tokens. Its loss is as in, see and. "
    "We fit weights; it costs $5 with snake_case_name.",
    "Tokens are discrete units.",
    "A titled box",
    "Body of the box.",
    "Compute the WER.",
    "It is 0.25.",
    "first item",
    "second item with inline html",
    "quoted line one quoted line two",
    "Summary",
    "Done.",
]


def notebook(cells):
    """A minimal nbformat-4 notebook as a JSON string."""
    return json.dumps(
        {
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": source}
                for kind, source in cells
            ],
            "metadata": {"kernelspec": {"name": "python3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


NOTEBOOK = notebook(
    [
        ("markdown", ["# 2.1.1 N-gram models\n", "\n", "An n-gram model counts. "]),
        ("code", ["print('code cells are not prose')\n"]),
        ("markdown", "It uses $P(w_t | w_{t-1})$, e.g. Bigrams. Next step!"),
        ("raw", "raw cells are not prose"),
        ("markdown", "```{math}\n:label: eq-ngram\nP = 1\n```\n"),
    ]
)
NOTEBOOK_PROSE = [
    "2.1.1 N-gram models",
    "An n-gram model counts.",
    "It uses, e.g. Bigrams. Next step!",
]


@pytest.fixture
def fake_root(tmp_path: Path) -> Path:
    (tmp_path / "book" / "part1").mkdir(parents=True)
    (tmp_path / "book" / "intro.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "book" / "part1" / "a.md").write_text("Part one.\n", encoding="utf-8")
    (tmp_path / "book" / "references.bib").write_text("@misc{x}", encoding="utf-8")
    nb_dir = tmp_path / "notebooks" / "part2"
    (nb_dir / ".ipynb_checkpoints").mkdir(parents=True)
    (nb_dir / "ngram.ipynb").write_text(NOTEBOOK, encoding="utf-8")
    (nb_dir / ".ipynb_checkpoints" / "ngram-checkpoint.ipynb").write_text(
        notebook([("markdown", "Stale checkpoint.")]), encoding="utf-8"
    )
    return tmp_path


def test_book_text_exact(fake_root):
    # sorted path order: book/intro.md < book/part1/a.md < notebooks/...
    expected = PAGE_PROSE + ["Part one."] + NOTEBOOK_PROSE
    assert book_text(fake_root).split("\n\n") == expected
    assert book_text(str(fake_root)) == book_text(fake_root)


def test_book_sentences_exact(fake_root):
    sentences = book_sentences(fake_root)
    assert sentences[:4] == [
        ["speech", "language", "models"],
        ["a", "speech", "language", "model", "predicts", "audio", "tokens", "."],
        ["its", "loss", "is", "as", "in", ",", "see", "and", "."],
        ["we", "fit", "weights", ";", "it", "costs", "$", "5", "with"]
        + ["snake", "_", "case", "_", "name", "."],
    ]
    assert sentences[-4:] == [
        ["2.1.1", "n-gram", "models"],
        ["an", "n-gram", "model", "counts", "."],
        ["it", "uses", ",", "e", ".", "g", ".", "bigrams", "."],
        ["next", "step", "!"],
    ]
    assert all(sentences)
    assert book_sentences(fake_root, lower=False)[0] == ["Speech", "language", "models"]


def test_no_markup_survives(fake_root):
    text = book_text(fake_root)
    for leftover in ["```", ":::", "{", "}", "$$", "\\", "<", ">", "*", "|", "#"]:
        assert leftover not in text
    for dropped in ["print", "caption", "ex-1", ":class:", "hidden", "image", "Stale"]:
        assert dropped not in text


@pytest.mark.parametrize(
    ("markdown", "prose"),
    [
        ("---\ntitle: x\n---\nBody.", "Body."),
        (
            "Text *em* **strong** _em_ __strong__ ***both***.",
            "Text em strong em strong both.",
        ),
        ("See [the docs](https://x.org/a_(b)) now.", "See the docs now."),
        ("A [ref link][r] here.\n\n[r]: https://x.org", "A ref link here."),
        ("Cited {cite:p}`a,b` here.", "Cited here."),
        ("Per {numref}`fig-1` (see {cite}`k`).", "Per (see)."),
        ("Only {cite}`k` ({cite}`j`).", "Only."),
        ("![alt](a_(b).png) Kept.", "Kept."),
        ("Value $x$ and $$y$$ inline.", "Value and inline."),
        ("Costs $5 and $10 today.", "Costs $5 and $10 today."),
        ("Line<br/>break and <b>bold</b>.", "Linebreak and bold."),
        ("Use `x * y` and `__init__`.", "Use x * y and __init__."),
        ("A note[^1].\n\n[^1]: The footnote.", "A note."),
        ("Text {{ subst }} here.", "Text here."),
        ("Title\n=====\n\nBody.", "Title\n\nBody."),
        ("1. first\n2) second", "first\n\nsecond"),
        ("~~~{tip}\nTip body.\n~~~", "Tip body."),
        ("```{important}\n---\nclass: x\n---\nKept.\n```", "Kept."),
        ("```{unknown-directive}\nDropped.\n```", ""),
        ("```\nunclosed code fence", ""),
        ("Windows\r\nline endings.", "Windows line endings."),
    ],
)
def test_markdown_to_prose_constructs(markdown, prose):
    assert markdown_to_prose(markdown) == prose


def test_missing_notebooks_folder_is_fine(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "p.md").write_text("Only a page.")
    assert book_text(tmp_path) == "Only a page."


def test_default_root_is_this_checkout():
    text = book_text()  # the repository's own book/ folder
    assert isinstance(text, str)
    assert "```" not in text and "{cite}" not in text


def test_missing_book_folder_explains_itself(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"(?s)book.*git clone"):
        book_text(tmp_path)
    with pytest.raises(FileNotFoundError, match="checkout of the repository"):
        book_sentences(tmp_path / "nowhere")


def test_root_must_be_path_like():
    with pytest.raises(TypeError, match="root must be a str or path-like, got int"):
        book_text(3)

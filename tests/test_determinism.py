"""Quality gate: a chapter gives the same text every time it runs.

The two cheapest notebooks in the benchmark (``book/generated/benchmark.json``)
are executed twice, each time in a fresh kernel, and the text of their
outputs must be identical: streams, and the ``text/plain``, ``text/markdown``
and ``text/html`` representations (the inline PNGs of the kernel-free
figures included). ``slmsurvey.setup()`` seeds everything, so only timings
and memory addresses may differ between runs; :func:`normalise` masks them,
by this rule:

1. a tqdm progress rate or clock (``12.3it/s``, ``1.2s/it``,
   ``[00:01<00:02,``) becomes ``<time>``;
2. a number followed by a time unit (``3.2 s``, ``12ms``, ``0.5 µs``,
   ``2 min``, ``1.5 seconds``) becomes ``<time>``;
3. an HTML attribute that carries a timing in milliseconds
   (``data-max-callback-ms="14"``, any ``data-*-ms``) gets the value
   ``<time>``;
4. a memory address (``0x`` and at least six hex digits, as in
   ``<object at 0x7f3a...>``) becomes ``0x<address>``.

Everything else must match character for character. (The book's prose is a
corpus for some chapters: edit ``book/`` or ``notebooks/`` between the two
runs and their outputs change. Run this on a quiet checkout.)
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
BENCHMARK = ROOT / "book" / "generated" / "benchmark.json"
TEXT_TYPES = ("text/plain", "text/markdown", "text/html")
_TIME = "<time>"
RULES = [  # in the order of the module docstring
    (re.compile(r"\d+(?:\.\d+)?\s*(?:it/s|s/it)"), _TIME),
    (re.compile(r"\[\d+:\d+(?::\d+)?<\d+:\d+(?::\d+)?"), "[" + _TIME),
    (re.compile(r"\d+(?:\.\d+)?\s*(?:ms|µs|us|ns|s|sec|seconds?|min)\b"), _TIME),
    (re.compile(r'(data-[\w-]*-ms=")[^"]*"'), rf'\g<1>{_TIME}"'),
    (re.compile(r"0x[0-9a-fA-F]{6,}"), "0x<address>"),
]


def normalise(text: str) -> str:
    """Mask what may legitimately differ between two runs (module docstring).

    >>> normalise("fit in 3.25 s, 1.2s/it at <Model at 0x7f3a2b1c9d00>")
    'fit in <time>, <time> at <Model at 0x<address>>'
    >>> normalise(" 40%|####      | 4/10 [00:01<00:02,  2.50it/s]")
    ' 40%|####      | 4/10 [<time>, <time>]'
    >>> normalise('<div data-max-callback-ms="14">2 layers</div>')
    '<div data-max-callback-ms="<time>">2 layers</div>'
    """
    for pattern, replacement in RULES:
        text = pattern.sub(replacement, text)
    return text


def cheapest_notebooks(n: int = 2) -> list[Path]:
    """The ``n`` notebooks that ran fastest in the last benchmark."""
    rows = json.loads(BENCHMARK.read_text())["notebooks"]
    paths = [ROOT / r["notebook"] for r in sorted(rows, key=lambda r: r["wall_s"])]
    return [p for p in paths if p.exists()][:n]


def text_outputs(path: Path) -> list[tuple[int, str, str]]:
    """Execute ``path`` in a fresh kernel; (cell, kind, normalised text) for
    every text output."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": path.parent}},
    ).execute()
    texts = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream":
                texts.append((i, out["name"], normalise(out["text"])))
            for kind in TEXT_TYPES:
                if kind in out.get("data", {}):
                    texts.append((i, kind, normalise(out["data"][kind])))
    return texts


def test_normalise_keeps_what_is_not_a_timing():
    text = "WER 12.5 %, 3 layers, seed 0, 40 ms windows at 16 kHz, mean 0x12"
    assert (
        normalise(text)
        == "WER 12.5 %, 3 layers, seed 0, <time> windows at 16 kHz, mean 0x12"
    )
    assert normalise("6 sentences, 2 steps") == "6 sentences, 2 steps"


@pytest.mark.parametrize("path", cheapest_notebooks(), ids=lambda p: p.name)
def test_notebook_gives_the_same_text_twice(path, monkeypatch):
    monkeypatch.setenv("SLMSURVEY_WIDGETS", "static")  # as `make` runs them
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    first, second = text_outputs(path), text_outputs(path)
    assert first, "the notebook printed nothing to compare"
    assert len(first) == len(second)
    for a, b in zip(first, second, strict=True):
        diff = difflib.unified_diff(a[2].splitlines(), b[2].splitlines(), lineterm="")
        assert a == b, f"cell {a[0]} ({a[1]}) differs:\n" + "\n".join(list(diff)[:20])

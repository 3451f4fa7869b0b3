"""The student edition: chapters without their solutions.

    python tools/student.py notebooks   # _build/student/notebooks/
    python tools/student.py site        # _build/student/html/ (needs make book)

A solution is what lies between ``{solution-start}`` and ``{solution-end}``
(markdown and code cells, tagged ``solution``) and every ``{solution}``
directive. Exercises stay, and so do the self-checks (``slmsurvey.check``)
that the exercises name, so learners can test their own answers.

The notebooks are stored without outputs, for learners to run. The website is
built from the chapters the book build has already executed
(``_build/jupyter_execute``), minus their solutions, with sphinx-exercise's
``hide_solutions`` on as well: no chapter is executed twice.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "student"
EXECUTED = ROOT / "_build" / "jupyter_execute"
START = re.compile(r"(`{3,})\{solution-start\}.*?\n\1[ \t]*(\n|$)", re.S)
END = re.compile(r"(`{3,})\{solution-end\}.*?\n?\1[ \t]*(\n|$)", re.S)
TEXT_SOLUTION = re.compile(r"(`{3,}|:{3,})\{solution\}.*?\n\1[ \t]*(\n|$)", re.S)


def strip_solutions(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` without solutions; raises if a solution is unclosed."""
    nb = nbformat.from_dict(nb)
    cells, inside = [], False
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            if not inside and "solution" not in cell.metadata.get("tags", []):
                cells.append(cell)
            continue
        text, kept = cell.source, []
        while text:
            if inside:
                end = END.search(text)
                if end is None:
                    text = ""
                else:
                    text, inside = text[end.end() :], False
            else:
                start = START.search(text)
                if start is None:
                    kept.append(text)
                    text = ""
                else:
                    kept.append(text[: start.start()])
                    text, inside = text[start.end() :], True
        source = TEXT_SOLUTION.sub("", "".join(kept)).strip()
        if source:
            cell.source = source
            cells.append(cell)
    if inside:
        raise ValueError("a {solution-start} without its {solution-end}")
    nb.cells = cells
    return nb


def chapters() -> list[Path]:
    return sorted(
        p.relative_to(ROOT)
        for p in (ROOT / "notebooks").rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    )


def write_notebooks() -> list[Path]:
    """Student notebooks under ``_build/student/notebooks``, without outputs."""
    written = []
    for path in chapters():
        nb = strip_solutions(nbformat.read(ROOT / path, as_version=4))
        target = OUT / path
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        written.append(target)
    return written


def _restore_glue(nb: nbformat.NotebookNode, glue_file: Path) -> None:
    """Put back the glued values that the book build moved to a side file.

    MyST-NB takes the outputs of ``glue`` out of the executed notebook and
    keeps them in ``<chapter>.glue.json``; a build that does not execute
    reads them from the cells' outputs, so they go back into the first code
    cell (glue outputs are never displayed, wherever they sit).
    """
    if not glue_file.exists():
        return
    first = next(c for c in nb.cells if c.cell_type == "code")
    for output in json.loads(glue_file.read_text()).values():
        prefix = output["metadata"]["scrapbook"]["mime_prefix"]  # as glue wrote it
        output["data"] = {prefix + mime: v for mime, v in output["data"].items()}
        first.outputs.append(nbformat.from_dict(output))


def write_site() -> Path:
    """The student website, from the executed chapters of the last book build."""
    src = OUT / "src"
    shutil.rmtree(src, ignore_errors=True)
    for name in ("book", "_toc.yml"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, src / name)
    for path in chapters():
        executed = EXECUTED / path
        if not executed.exists():
            raise FileNotFoundError(f"{executed} is missing: run `make book` first")
        nb = strip_solutions(nbformat.read(executed, as_version=4))
        _restore_glue(nb, executed.with_suffix(".glue.json"))
        target = src / path
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] += " (student edition)"
    config["execute"]["execute_notebooks"] = "off"
    sphinx = config["sphinx"]["config"]
    sphinx["hide_solutions"] = True
    sphinx["html_extra_path"] = [str(ROOT / p) for p in sphinx["html_extra_path"]]
    extensions = config["sphinx"].get("local_extensions", {})
    for name, folder in extensions.items():  # paths are relative to the book
        extensions[name] = str(ROOT / folder)
    (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    (src / "slmsurvey").symlink_to(ROOT / "slmsurvey")  # literalinclude paths
    jb = Path(sys.executable).with_name("jupyter-book")
    subprocess.run(
        [
            str(jb),
            "build",
            str(src),
            "--builder",
            "html",
            "-W",
            "-n",
            "--keep-going",
            "--path-output",
            str(OUT),
        ],
        check=True,
    )
    return OUT / "_build" / "html"


if __name__ == "__main__":
    what = sys.argv[1:] or ["notebooks", "site"]
    if "notebooks" in what:
        print(f"{len(write_notebooks())} student notebooks in {OUT / 'notebooks'}")
    if "site" in what:
        print(f"student website in {write_site()}")

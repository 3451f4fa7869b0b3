"""Create a chapter notebook with the book's anatomy, ready to fill in.

    python tools/new_chapter.py notebooks/3-advances/3-1-1-rnns.ipynb "3.1.1 RNNs"

Then list it in ``_toc.yml``. The first cell installs the package on Colab
only (tagged ``remove-cell`` so the website does not show it); the second
calls ``slmsurvey.setup()``. ``tests/test_repository.py`` checks that every
chapter keeps this shape.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]


def colab_cell() -> str:
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    return f'''# On Colab only: fetch the book's package. Elsewhere it is installed.
import sys

if "google.colab" in sys.modules:
    import subprocess

    repo, path = "{url}", "/content/slmsurvey"
    subprocess.run(["git", "clone", "--depth=1", repo, path], check=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "-e", path], check=True
    )
    sys.path.insert(0, path)'''


def skeleton(title: str) -> nbformat.NotebookNode:
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    cells = [
        code(colab_cell(), metadata={"tags": ["remove-cell"]}),
        md(
            f"# {title}\n\nOne-paragraph summary.\n\n"
            "```{admonition} Learning objectives\n```\n\n"
            "**Estimated time:** (written by tools/chapters.py)"
        ),
        code("import slmsurvey\n\ndevice = slmsurvey.setup()"),
        md("## Exercises\n\n```{exercise} Title\n:label: ex-...\n\n...\n```"),
        md("## Summary and further reading\n\n..."),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["slmsurvey"] = {  # tools/chapters.py writes the objectives
        "objectives": ["...", "...", "..."],
        "minutes": {"read": 30, "exercises": 15},
        "prerequisites": [],
    }
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


if __name__ == "__main__":
    path, title = Path(sys.argv[1]), sys.argv[2]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(skeleton(title), path)
    print(
        f"wrote {path}; fill in its metadata, run tools/chapters.py, add it to _toc.yml"
    )

"""The repository's own rules: Binder in step with pyproject, notebooks clean."""

import json
import os
import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p
    for p in (ROOT / "notebooks").rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)
CONDA_NAMES = {
    "torch": "pytorch-cpu",
    "matplotlib": "matplotlib-base",
    "soundfile": "pysoundfile",
}


def requirement_name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement, maxsplit=1)[0].lower()


def conda_packages() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"], "Binder uses conda-forge only"
    names = {requirement_name(d) for d in env["dependencies"] if isinstance(d, str)}
    for d in env["dependencies"]:  # the pip: section, for what conda-forge lacks
        if isinstance(d, dict):
            names |= {requirement_name(r) for r in d.get("pip", [])}
    return names


def test_environment_pins_python_311_and_cpu_torch():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    assert not any("cuda" in str(d).lower() for d in env["dependencies"])
    assert "/" not in json.dumps(env["dependencies"]), "no local paths"


@pytest.mark.parametrize("extra", [None, "book"])
def test_environment_has_every_dependency_of_pyproject(extra):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    required = (
        project["dependencies"]
        if extra is None
        else project["optional-dependencies"][extra]
    )
    missing = {
        name
        for name in map(requirement_name, required)
        if CONDA_NAMES.get(name, name) not in conda_packages()
    }
    assert not missing, f"environment.yml lacks {sorted(missing)}"


def test_postbuild_installs_package_without_dependencies():
    post = ROOT / "postBuild"
    assert os.access(post, os.X_OK)
    text = post.read_text()
    assert "set -euo pipefail" in text
    assert "pip install --no-deps -e ." in text


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    for cell in load(path)["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], "strip outputs before committing"
            assert cell["execution_count"] is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_starts_with_colab_install_then_setup(path):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    cells = [c for c in load(path)["cells"] if c["cell_type"] == "code"]
    first = "".join(cells[0]["source"])
    assert "remove-cell" in cells[0]["metadata"].get("tags", [])
    assert 'if "google.colab" in sys.modules' in first
    assert config["repository"]["url"] in first
    assert "slmsurvey.setup(" in "".join(cells[1]["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_chapter_anatomy(path):
    cells = load(path)["cells"]
    markdown = "\n".join(
        "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
    )
    title = re.sub(r"^\(\S+\)=\n", "", markdown.lstrip())  # an optional label
    assert title.startswith("# "), "a title comes first"
    assert "Learning objectives" in markdown
    assert "Estimated time" in markdown
    assert markdown.count("```{exercise}") >= 2
    assert markdown.count("{solution-start}") + markdown.count("```{solution}") >= 2
    assert "{cite" in markdown
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert "slmsurvey.widgets" in code or "interact(" in code, "a kernel-free figure"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_code_fits_79_columns(path):
    for cell in load(path)["cells"]:
        if cell["cell_type"] == "code" and "remove-cell" not in cell["metadata"].get(
            "tags", []
        ):
            for line in "".join(cell["source"]).splitlines():
                assert len(line) <= 79, line


def toc_files(node) -> list[str]:
    if isinstance(node, dict):
        return ([node["file"]] if "file" in node else []) + toc_files(
            [v for k, v in node.items() if k != "file"]
        )
    if isinstance(node, list):
        return [f for item in node for f in toc_files(item)]
    return []


def test_toc_lists_every_notebook_and_every_entry_exists():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = toc_files(toc) + [toc["root"]]
    for f in files:
        assert any((ROOT / f).with_suffix(s).exists() for s in (".md", ".ipynb")), f
    listed = {f for f in files if f.startswith("notebooks/")}
    on_disk = {str(p.relative_to(ROOT).with_suffix("")) for p in NOTEBOOKS}
    assert listed == on_disk


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_no_control_characters(path):
    """A "\\approx" written in a non-raw Python string becomes BEL + "pprox"."""
    for i, cell in enumerate(load(path)["cells"]):
        text = "".join(cell["source"])
        bad = re.search(r"[\x00-\x08\x0b-\x1f]", text)
        assert bad is None, f"cell {i}: control character {bad.group()!r}"

"""Quality gate: the notebook benchmark is current and within the memory budget.

``make bench`` (``tools/bench.py``) runs every chapter in a fresh kernel and
writes ``book/generated/benchmark.json``, which the book's
execution-statistics page shows. These tests read that file; they never
time anything (timings are reported, not tested).

- **Memory ceiling.** The chapter with the largest peak resident memory
  stays within the 1 GB budget. Unlike a wall time, peak memory hardly
  depends on the machine, so it is a fair pass/fail check: a chapter that
  starts to need 2 GB fails here, not on a learner's laptop.
- **Current.** Every notebook on disk appears in the file, so a new chapter
  cannot land without being benchmarked (run ``make bench``).
"""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARK = ROOT / "book" / "generated" / "benchmark.json"


def budget_mb() -> int:
    """The per-chapter memory budget, as tools/bench.py defines it."""
    spec = importlib.util.spec_from_file_location("bench", ROOT / "tools" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.BUDGET_MB


def rows() -> list[dict]:
    return json.loads(BENCHMARK.read_text())["notebooks"]


def test_largest_notebook_within_memory_ceiling():
    largest, budget = max(rows(), key=lambda r: r["peak_mb"]), budget_mb()
    assert budget == 1024  # DESIGN.md: 1 GB per chapter
    assert largest["peak_mb"] <= budget, (
        f"{largest['notebook']} peaks at {largest['peak_mb']} MB, "
        f"over the {budget} MB budget"
    )


def test_every_notebook_on_disk_is_benchmarked():
    on_disk = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "notebooks").rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    }
    benchmarked = {r["notebook"] for r in rows()}
    missing = sorted(on_disk - benchmarked)
    assert not missing, f"run `make bench`: {missing} not in {BENCHMARK.name}"


def test_benchmark_names_its_hardware():
    hardware = json.loads(BENCHMARK.read_text())["hardware"]
    assert "CPU cores" in hardware and "torch" in hardware

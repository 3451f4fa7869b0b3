"""Benchmark: run every chapter headless, record wall time and peak memory.

    python tools/bench.py            # all notebooks -> book/generated/
    python tools/bench.py --one NB   # one notebook, prints one JSON line
    python tools/bench.py --only 5-  # rerun chapters whose path contains
                                     # "5-", keep the other rows

Each notebook runs in a fresh process whose kernel is its only child, so the
peak resident memory of the kernel is ``getrusage(RUSAGE_CHILDREN)`` once the
kernel has exited. Results go to ``book/generated/benchmark.json`` and a
Markdown table that the book's execution-statistics page includes. Timings
are reported, never turned into pass/fail tests.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "book" / "generated"
BUDGET_S, BUDGET_MB, BUDGET_TOTAL_S, BUDGET_CALLBACK_MS = 60, 1024, 600, 150


def run_one(path: Path) -> dict:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": path.parent}},
    ).execute()
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    callbacks = [
        int(ms)
        for cell in nb.cells
        for out in cell.get("outputs", [])
        for ms in re.findall(
            r'data-max-callback-ms="(\d+)"', out.get("data", {}).get("text/html", "")
        )
    ]
    return {
        "notebook": str(path.relative_to(ROOT)),
        "wall_s": round(wall, 1),
        "peak_mb": round(peak_mb),
        "max_callback_ms": max(callbacks, default=None),
    }


def corpus_generation(n: int = 1000) -> dict:
    """Time ``make_spoken_corpus`` on ``n`` grammar sentences, cache off."""
    from slmsurvey.speech import make_spoken_corpus
    from slmsurvey.text import ToyGrammar

    start = time.perf_counter()
    corpus = make_spoken_corpus(
        ToyGrammar.english_like(), n_utterances=n, cache_dir=False
    )
    wall = time.perf_counter() - start
    audio_s = float(corpus.durations().sum())
    return {
        "utterances": n,
        "wall_s": round(wall, 1),
        "utterances_per_s": round(n / wall),
        "audio_minutes": round(audio_s / 60, 1),
        "realtime_factor": round(audio_s / wall),
    }


def hardware() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import torch

    return (
        f"{cpu}, {len(os.sched_getaffinity(0))} CPU cores, Python "
        f"{platform.python_version()}, torch {torch.__version__}, "
        f"{datetime.date.today().isoformat()}"
    )


def within_budget(row: dict) -> bool:
    callback = row["max_callback_ms"]
    return (
        row["wall_s"] <= BUDGET_S
        and row["peak_mb"] <= BUDGET_MB
        and (callback is None or callback <= BUDGET_CALLBACK_MS)
    )


def markdown(rows: list[dict], total: float, where: str, corpus: dict) -> str:
    lines = [
        f"Measured by `make bench` on {where}.",
        "",
        "| chapter | wall time (s) | peak memory (MB) "
        "| slowest widget callback (ms) | within budget |",
        "|---|---:|---:|---:|---|",
    ]
    for r in rows:
        callback = "-" if r["max_callback_ms"] is None else r["max_callback_ms"]
        lines.append(
            f"| `{r['notebook']}` | {r['wall_s']:.1f} | {r['peak_mb']} | "
            f"{callback} | {'yes' if within_budget(r) else '**no**'} |"
        )
    verdict = "within" if total <= BUDGET_TOTAL_S else "**over**"
    lines += [
        "",
        f"All chapters together: {total:.1f} s, {verdict} the "
        f"{BUDGET_TOTAL_S // 60}-minute budget. Budgets: {BUDGET_S} s and "
        f"{BUDGET_MB} MB per chapter, {BUDGET_CALLBACK_MS} ms per widget callback.",
        "",
        f"Generating a spoken corpus of {corpus['utterances']:,} grammar sentences "
        f"({corpus['audio_minutes']} minutes of 16 kHz speech, "
        "`make_spoken_corpus`, no cache) took "
        f"{corpus['wall_s']} s: {corpus['utterances_per_s']} utterances per second, "
        f"{corpus['realtime_factor']} times faster than real time.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", type=Path, help="run one notebook, print JSON")
    parser.add_argument(
        "--only", help="rerun notebooks whose path contains this; keep the rest"
    )
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one.resolve())))
        return
    # As in `make test`: static widgets, one BLAS thread per notebook.
    env = {**os.environ, "SLMSURVEY_WIDGETS": "static"}
    env.setdefault("OMP_NUM_THREADS", "1")
    old = {}
    if args.only:
        saved = json.loads((OUT / "benchmark.json").read_text())["notebooks"]
        old = {r["notebook"]: r for r in saved}
    rows = []
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        name = str(path.relative_to(ROOT))
        if args.only and args.only not in name and name in old:
            rows.append(old[name])
            continue
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(path)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    total = sum(r["wall_s"] for r in rows)
    where = hardware()
    corpus = corpus_generation()
    print(corpus, flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "benchmark.json").write_text(
        json.dumps(
            {
                "hardware": where,
                "total_s": round(total, 1),
                "notebooks": rows,
                "corpus_generation": corpus,
            },
            indent=1,
        )
        + "\n"
    )
    (OUT / "benchmark.md").write_text(markdown(rows, total, where, corpus))
    print(f"total {total:.1f} s; wrote {OUT.relative_to(ROOT)}/benchmark.md")


if __name__ == "__main__":
    main()

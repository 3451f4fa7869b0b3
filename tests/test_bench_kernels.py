"""tools/bench_kernels.py: its report, on made-up timings (nothing is timed
here: the benchmark reports timings, tests never judge them)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import bench_kernels  # noqa: E402

MEASURED = {
    "kernel": "CTC loss",
    "size": "T = 200",
    "ours_ms": 25.0,
    "reference": "torch.nn.functional.ctc_loss",
    "reference_ms": 10.0,
    "ratio": 2.5,
    "target_ratio": 3.0,
    "met": True,
}
MISSED = {
    **MEASURED,
    "kernel": "n-gram",
    "ratio": 0.2,
    "target_ratio": 0.1,
    "met": False,
}
MISSING = {
    "kernel": "corpus BLEU",
    "size": "2 pairs",
    "status": bench_kernels.NOT_YET,
    "reference": "sacrebleu.corpus_bleu",
    "target_ratio": 1.0,
    "met": None,
}
REPORT = {
    "hardware": "a test machine, 2 CPU cores",
    "threads": 1,
    "repeats": 7,
    "kernels": [MEASURED, MISSED, MISSING],
    "widget_callbacks": {
        "max_ms": 200,
        "notebook": "nb.ipynb",
        "target_ms": 150,
        "met": False,
    },
}


def test_markdown_names_the_hardware_and_every_kernel():
    text = bench_kernels.markdown(REPORT)
    assert "a test machine, 2 CPU cores" in text and "1 thread(s)" in text
    assert "| CTC loss | T = 200 | 25.00 | `torch.nn.functional.ctc_loss` " in text
    assert "| 2.5 | ≤ 3 | yes |" in text
    assert "| corpus BLEU | 2 pairs | not implemented yet (issue 6) |" in text


def test_targets_say_met_missed_and_not_implemented():
    lines = bench_kernels.targets(REPORT)
    assert lines[0].endswith("≤ 3: met (2.5).")
    assert lines[1].endswith("≤ 0.1: **missed** (0.2).")
    assert lines[2].endswith("not measured, not implemented yet (issue 6).")
    assert "widget callbacks ≤ 150 ms: **missed** (slowest 200 ms" in lines[3]


def test_median_ms_warms_up_then_takes_turns():
    calls = []
    times = bench_kernels.median_ms(
        lambda: calls.append("a"), lambda: calls.append("b"), repeats=3
    )
    assert calls == ["a", "b"] * 4
    assert len(times) == 2 and all(t >= 0 for t in times)


def test_row_computes_ratio_verdict_and_throughput(monkeypatch):
    monkeypatch.setattr(bench_kernels, "median_ms", lambda *fns: [30.0, 10.0])
    r = bench_kernels.row("k", "s", None, "ref", None, target=2.0, unit=(600, "tok"))
    assert (r["ratio"], r["met"]) == (3.0, False)
    assert r["throughput"] == {"unit": "tok/s", "ours": 20000, "reference": 60000}


@pytest.mark.parametrize("present", [True, False])
def test_bleu_row_is_measured_only_once_bleu_exists(monkeypatch, present):
    monkeypatch.setattr(bench_kernels, "noisy_pairs", lambda: (["a b"], ["a b"]))
    monkeypatch.setattr(bench_kernels, "median_ms", lambda *fns: [1.0, 2.0])
    if not present:  # as before issue 6: importing the module fails
        monkeypatch.setitem(sys.modules, "slmsurvey.metrics.bleu", None)
    r = bench_kernels.bleu()
    assert r.get("status") == (None if present else bench_kernels.NOT_YET)
    assert r["met"] is (True if present else None)

"""Benchmark: the from-scratch kernels against their reference libraries.

    python tools/bench_kernels.py    # -> book/generated/kernels.{json,md}

Each kernel and its reference run in this one process, on the same inputs,
at a size the book uses; each is called once to warm up, then timed
``REPEATS`` times, and the table reports the medians and the ratio
ours / reference (below 1: ours is faster). torch runs on as many threads as
``OMP_NUM_THREADS`` says (1 by default, as in ``make``). The book's page
"How fast is from scratch?" includes the Markdown table. Timings are
reported, never turned into pass/fail tests.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from collections.abc import Callable

import torch
from bench import BUDGET_CALLBACK_MS, OUT, hardware

REPEATS = 7
NOT_YET = "not implemented yet (issue 6)"


def median_ms(*fns: Callable[[], object], repeats: int = REPEATS) -> list[float]:
    """Median wall time of each ``fn()`` in milliseconds, after one warm-up
    call each. The functions take turns, so a busy machine slows all alike."""
    times: list[list[float]] = [[] for _ in fns]
    for fn in fns:
        fn()
    for _ in range(repeats):
        for fn, t in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            t.append(time.perf_counter() - start)
    return [1e3 * statistics.median(t) for t in times]


def row(kernel, size, ours, reference, theirs, *, target=None, unit=None) -> dict:
    """One line of the table: time both, then the ratio and the verdict.

    ``target`` is the largest acceptable ratio ours / reference; ``unit``
    is ``(count, name)`` to report a throughput such as tokens per second.
    """
    ours_ms, theirs_ms = median_ms(ours, theirs)
    ratio = ours_ms / theirs_ms
    result = {
        "kernel": kernel,
        "size": size,
        "ours_ms": round(ours_ms, 2),
        "reference": reference,
        "reference_ms": round(theirs_ms, 2),
        "ratio": round(ratio, 3),
        "target_ratio": target,
        "met": None if target is None else ratio <= target,
    }
    if unit:
        count, name = unit
        result["throughput"] = {
            "unit": f"{name}/s",
            "ours": round(count / ours_ms * 1e3),
            "reference": round(count / theirs_ms * 1e3),
        }
    print(result, flush=True)
    return result


# ---------------------------------------------------------------- kernels
def ctc(T: int = 200, B: int = 16, V: int = 32, U: int = 50) -> dict:
    """CTC loss, forward and backward, through a log_softmax as in training."""
    import torch.nn.functional as F

    from slmsurvey.asr import ctc_loss

    g = torch.Generator().manual_seed(0)
    logits = torch.randn(T, B, V, generator=g)
    targets = torch.randint(1, V, (B, U), generator=g)
    input_lengths = torch.full((B,), T)
    target_lengths = torch.randint(U // 2, U + 1, (B,), generator=g)

    def step(loss_fn):
        x = logits.clone().requires_grad_(True)
        loss_fn(x.log_softmax(-1), targets, input_lengths, target_lengths).backward()

    return row(
        "CTC loss, forward + backward",
        f"T = {T}, B = {B}, V = {V}, U ≤ {U}, float32",
        lambda: step(ctc_loss),
        "torch.nn.functional.ctc_loss",
        lambda: step(F.ctc_loss),
        target=3.0,
    )


def attention(B: int = 16, H: int = 4, T: int = 200, d_k: int = 64) -> dict:
    """Scaled dot-product self-attention, forward (ours also returns A)."""
    import torch.nn.functional as F

    from slmsurvey.nn import scaled_dot_product_attention

    g = torch.Generator().manual_seed(0)
    q, k, v = torch.randn(3, B, H, T, d_k, generator=g)
    return row(
        "scaled dot-product attention, forward",
        f"B = {B}, H = {H}, T = {T}, d_k = {d_k}, float32",
        lambda: scaled_dot_product_attention(q, k, v),
        "torch.nn.functional.scaled_dot_product_attention",
        lambda: F.scaled_dot_product_attention(q, k, v),
    )


def lstm(B: int = 16, T: int = 200, D: int = 80, H: int = 256) -> dict:
    """One LSTM layer over a sequence, forward, same weights."""
    from slmsurvey.nn import LSTMCell, run_rnn

    torch.manual_seed(0)
    theirs = torch.nn.LSTM(D, H, batch_first=True)
    ours = LSTMCell.from_torch(theirs)
    x = torch.randn(B, T, D)
    with torch.no_grad():
        return row(
            "LSTM over a sequence, forward",
            f"B = {B}, T = {T}, input {D}, hidden {H}, float32",
            lambda: run_rnn(ours, x),
            "torch.nn.LSTM",
            lambda: theirs(x),
        )


def nltk_kneser_ney(sentences: list[list[str]]):
    """NLTK's trigram Kneser-Ney, fitted: the reference for training."""
    from nltk.lm import KneserNeyInterpolated
    from nltk.lm.preprocessing import padded_everygram_pipeline

    train, vocab = padded_everygram_pipeline(3, sentences)
    lm = KneserNeyInterpolated(3)
    lm.fit(train, vocab)
    return lm


def ngram_training(name: str, sentences: list[list[str]]) -> dict:
    """Trigram Kneser-Ney training: counts, continuation counts, discounts."""
    from slmsurvey.lm import NGramLM

    n_tokens = sum(len(s) + 1 for s in sentences)  # words and </s>
    return row(
        f"n-gram LM training, {name}",
        f"trigram Kneser-Ney, {len(sentences):,} sentences, {n_tokens:,} tokens",
        lambda: NGramLM(order=3).fit(sentences),
        "nltk.lm.KneserNeyInterpolated.fit",
        lambda: nltk_kneser_ney(sentences),
        target=0.1,
        unit=(n_tokens, "tokens"),
    )


def ngram_scoring(sentences: list[list[str]]) -> dict:
    """log P of every token of a few sentences under both trigram models."""
    from nltk.util import pad_sequence

    from slmsurvey.lm import NGramLM

    ours, theirs = NGramLM(order=3).fit(sentences), nltk_kneser_ney(sentences)
    test = sentences[:: max(1, len(sentences) // 12)][:12]  # NLTK is slow here
    n_test = sum(len(s) + 1 for s in test)

    def nltk_score():
        for s in test:
            padded = list(pad_sequence(s, 3, True, True, "<s>", "</s>"))
            for t in range(2, len(padded)):
                theirs.logscore(padded[t], padded[t - 2 : t])

    return row(
        "n-gram LM scoring, the book's prose",
        f"log P of each token: {len(test)} sentences, {n_test} tokens",
        lambda: [ours.token_logprobs(s) for s in test],
        "nltk.lm.KneserNeyInterpolated.logscore",
        nltk_score,
        unit=(n_test, "tokens"),
    )


def ngram() -> list[dict]:
    """The n-gram model on the book's two corpora: a grammar and its prose."""
    from slmsurvey.text import ToyGrammar, book_sentences

    prose = book_sentences()
    grammar = ToyGrammar.english_like().sample(10_000, seed=0)
    return [
        ngram_training("the book's prose", prose),
        ngram_training("ToyGrammar sentences", grammar),
        ngram_scoring(prose),
    ]


def noisy_pairs(n: int = 2000, seed: int = 0) -> tuple[list[str], list[str]]:
    """Reference sentences from the book and copies with words dropped,
    repeated or replaced: material for WER and BLEU."""
    from slmsurvey.text import book_sentences

    rng = random.Random(seed)
    refs = [" ".join(s) for s in book_sentences() if len(s) >= 4][:n]
    words = " ".join(refs).split()
    hyps = []
    for ref in refs:
        out = []
        for w in ref.split():
            r = rng.random()
            if r < 0.05:  # deleted
                continue
            if r < 0.10:  # repeated: one insertion
                out.append(w)
            out.append(rng.choice(words) if 0.10 <= r < 0.15 else w)  # replaced
        hyps.append(" ".join(out))
    return refs, hyps


def bleu() -> dict:
    """Corpus BLEU, once :mod:`slmsurvey.metrics` has it."""
    import sacrebleu

    try:
        from slmsurvey.metrics.bleu import bleu as ours
    except ImportError:  # lands with issue 6
        ours = None

    refs, hyps = noisy_pairs()
    size = f"{len(refs):,} sentence pairs, {sum(len(r.split()) for r in refs):,} words"
    reference = "sacrebleu.corpus_bleu"
    if ours is None:
        return {"kernel": "corpus BLEU", "size": size, "reference": reference,
                "status": NOT_YET, "target_ratio": 1.0, "met": None}  # fmt: skip
    return row(
        "corpus BLEU",
        size,
        lambda: ours(refs, hyps),
        reference,
        lambda: sacrebleu.corpus_bleu(hyps, [refs], tokenize="none", force=True),
        target=1.0,
    )


def wer() -> dict:
    """Corpus word error rate."""
    import jiwer

    from slmsurvey.metrics import wer as ours

    refs, hyps = noisy_pairs()
    return row(
        "corpus WER",
        f"{len(refs):,} sentence pairs, {sum(len(r.split()) for r in refs):,} words",
        lambda: ours(refs, hyps),
        "jiwer.wer",
        lambda: jiwer.wer(refs, hyps),
    )


def log_mel(B: int = 16, seconds: float = 2.0, sr: int = 16000) -> dict:
    """80-band log-mel features, 25 ms windows, 10 ms hop."""
    import librosa
    import numpy as np

    from slmsurvey.speech import log_mel_spectrogram

    g = torch.Generator().manual_seed(0)
    x = torch.randn(B, int(seconds * sr), generator=g)
    y = x.numpy()
    return row(
        "log-mel spectrogram",
        f"B = {B} waves of {seconds:g} s at {sr // 1000} kHz, 80 mels, float32",
        lambda: log_mel_spectrogram(x, sr),
        "librosa.feature.melspectrogram + log",
        lambda: np.log(
            librosa.feature.melspectrogram(
                y=y, sr=sr, n_fft=400, hop_length=160, n_mels=80, pad_mode="reflect"
            )
            + 1e-10
        ),
    )


def corpus(n: int = 100) -> dict:
    """Spoken-corpus generation with espeak-ng: no reference to compare."""
    from slmsurvey.speech import make_spoken_corpus
    from slmsurvey.text import ToyGrammar

    grammar = ToyGrammar.english_like()
    (ms,) = median_ms(
        lambda: make_spoken_corpus(grammar, n_utterances=n, cache_dir=False)
    )
    result = {
        "kernel": "spoken corpus generation (espeak-ng)",
        "size": f"{n} grammar sentences, 16 kHz, no cache",
        "ours_ms": round(ms, 1),
        "throughput": {"unit": "utterances/s", "ours": round(n / ms * 1e3)},
    }
    print(result, flush=True)
    return result


def widget_callbacks() -> dict | None:
    """The slowest widget callback in the notebook benchmark, if it ran."""
    path = OUT / "benchmark.json"
    if not path.exists():
        return None
    rows = json.loads(path.read_text())["notebooks"]
    slowest = max(
        (r for r in rows if r["max_callback_ms"] is not None),
        key=lambda r: r["max_callback_ms"],
        default=None,
    )
    if slowest is None:
        return None
    ms = slowest["max_callback_ms"]
    return {
        "max_ms": ms,
        "notebook": slowest["notebook"],
        "target_ms": BUDGET_CALLBACK_MS,
        "met": ms <= BUDGET_CALLBACK_MS,
    }


# ------------------------------------------------------------------ report
def verdict(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "-"}[met]


def table_line(r: dict) -> str:
    """One kernel as a row of the Markdown table."""
    target = "-" if r.get("target_ratio") is None else f"≤ {r['target_ratio']:g}"
    if "status" in r:  # not implemented yet
        cells = [r["status"], f"`{r['reference']}`", "-", "-", target, "-"]
    elif "reference" not in r:  # nothing to compare with
        cells = [f"{r['ours_ms']:.1f}", "-", "-", "-", "-", "-"]
    else:
        cells = [
            f"{r['ours_ms']:.2f}", f"`{r['reference']}`", f"{r['reference_ms']:.2f}",
            f"{r['ratio']:.3g}", target, verdict(r["met"]),
        ]  # fmt: skip
    return "| " + " | ".join([r["kernel"], r["size"], *cells]) + " |"


def targets(report: dict) -> list[str]:
    """Each target and whether this run met it, as a Markdown list."""
    lines = []
    for r in report["kernels"]:
        if r.get("target_ratio") is None:
            continue
        goal = f"{r['kernel']}: ours / reference ≤ {r['target_ratio']:g}"
        if "status" in r:
            lines.append(f"- {goal}: not measured, {r['status']}.")
        else:
            met = "met" if r["met"] else "**missed**"
            lines.append(f"- {goal}: {met} ({r['ratio']:.3g}).")
    callbacks = report["widget_callbacks"]
    if callbacks:
        met = "met" if callbacks["met"] else "**missed**"
        lines.append(
            f"- widget callbacks ≤ {callbacks['target_ms']} ms: {met} (slowest "
            f"{callbacks['max_ms']} ms, in `{callbacks['notebook']}`)."
        )
    return lines


def markdown(report: dict) -> str:
    lines = [
        f"Measured by `make bench` on {report['hardware']}; torch on "
        f"{report['threads']} thread(s); median of {report['repeats']} runs after "
        "a warm-up run.",
        "",
        "| kernel | size | ours (ms) | reference | reference (ms) "
        "| ours / reference | target | met |",
        "|---|---|---:|---|---:|---:|---:|---|",
        *map(table_line, report["kernels"]),
        "",
        "Targets in this run:",
        "",
        *targets(report),
        "",
        "Throughput:",
        "",
    ]
    for r in report["kernels"]:
        if "throughput" in r:
            t = r["throughput"]
            theirs = f", reference {t['reference']:,}" if "reference" in t else ""
            lines.append(f"- {r['kernel']}: ours {t['ours']:,} {t['unit']}{theirs}.")
    return "\n".join(lines) + "\n"


def main() -> None:
    threads = int(os.environ.get("OMP_NUM_THREADS", "1"))
    torch.set_num_threads(threads)
    kernels = [ctc(), attention(), lstm(), *ngram(), bleu(), wer(), log_mel(), corpus()]
    report = {
        "hardware": hardware(),
        "threads": torch.get_num_threads(),
        "repeats": REPEATS,
        "kernels": kernels,
        "widget_callbacks": widget_callbacks(),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "kernels.json").write_text(json.dumps(report, indent=1) + "\n")
    (OUT / "kernels.md").write_text(markdown(report))
    print(f"wrote {OUT / 'kernels.md'}")


if __name__ == "__main__":
    main()

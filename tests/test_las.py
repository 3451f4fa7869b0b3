"""Tests of slmsurvey.asr.las: Listen, Attend and Spell.

Evidence: decoding against the teacher-forced forward pass (the incremental
speller equals the parallel one), beam search against brute-force
enumeration of every output, a padded batch against each item alone, the
joint loss against its parts, learning a tiny task exactly.

Shapes: B batch, N feature frames, T listener frames, U labels, V labels.
"""

import itertools

import pytest
import torch
from toy_speech import WORDS, spoken

from slmsurvey.asr.ctc import ctc_loss
from slmsurvey.asr.las import ListenAttendSpell
from slmsurvey.asr.recognizer import CharacterSet


def las(d_model=16, **kwargs):
    torch.manual_seed(0)
    chars = CharacterSet(WORDS, reserved="<eos>")
    return ListenAttendSpell(chars, 4, d_model=d_model, stack=2, **kwargs)


def sequence_log_prob(model, x, lengths, text):
    """log P(text, <eos> | X) from the teacher-forced forward pass."""
    with torch.no_grad():
        logits, _ = model(x, lengths, [text])  # (1, U + 1, V)
    labels = model.charset.encode(text) + [0]
    log_p = logits[0].log_softmax(-1)  # (U + 1, V)
    return float(log_p[torch.arange(len(labels)), labels].sum())


def test_shapes_and_attention_is_a_distribution_over_real_frames():
    model = las().eval()
    x, lengths = spoken(["abc", "a"])
    logits, attention = model(x, lengths, ["ab", "cab"])
    H, enc_lengths = model.listen(x, lengths)
    assert logits.shape == (2, 4, len(model.charset))  # U + 1 = 4
    assert attention.shape == (2, 4, H.shape[1])
    assert enc_lengths.tolist() == (lengths // 2 // 2).tolist()
    torch.testing.assert_close(attention.sum(-1), torch.ones(2, 4))
    assert bool((attention[1, :, int(enc_lengths[1]) :] == 0).all())


def test_greedy_decoding_agrees_with_the_teacher_forced_pass():
    """Each decoded label is the argmax of the parallel pass fed the decoded
    prefix, and <eos> comes last."""
    model = las(d_model=24).eval()
    x, lengths = spoken(["abc"])
    for seed in range(5):
        torch.manual_seed(seed)
        for p in model.speller.parameters():  # vary what the decoder says
            torch.nn.init.normal_(p, std=0.5)
        text = model.transcribe(x, lengths, max_len=6)[0]
        logits, _ = model(x, lengths, [text])
        labels = model.charset.encode(text)
        if len(labels) < 6:  # otherwise <eos> was forced by max_len
            assert logits[0].argmax(-1).tolist() == labels + [0]


def test_exhaustive_beam_equals_brute_force_search():
    """A beam as wide as the set of outputs finds the most probable one;
    greedy decoding (= beam 1) often does not."""
    model = las().eval()
    x, lengths = spoken(["ab"])
    max_len = 3
    outputs = [
        "".join(p)
        for n in range(max_len + 1)
        for p in itertools.product("abc", repeat=n)
    ]
    bests, greedy_misses = [], 0
    for seed in range(6):
        torch.manual_seed(seed)
        with torch.no_grad():  # a different, peaky speller each time
            for p in model.speller.parameters():
                torch.nn.init.normal_(p, std=0.5)
            torch.nn.init.normal_(model.W_o.weight, std=2.0)
            model.W_o.bias[0] = -4.0  # <eos> unlikely: longer outputs compete
        scores = {y: sequence_log_prob(model, x, lengths, y) for y in outputs}
        best = max(scores, key=scores.get)
        beam = model.transcribe(x, lengths, beam=len(outputs), max_len=max_len)
        assert beam == [best]
        greedy = model.transcribe(x, lengths, max_len=max_len)[0]
        assert model.transcribe(x, lengths, beam=1, max_len=max_len)[0] == greedy
        assert scores[best] >= scores[greedy]
        bests.append(best)
        greedy_misses += greedy != best
    assert sum(map(bool, bests)) >= 2 and greedy_misses >= 3  # not trivial


def test_padded_batch_equals_each_item_alone():
    model = las().eval()
    texts = ["abc", "a", "cab"]
    x, lengths = spoken(texts)
    logits, attention = model(x, lengths, texts)
    _, enc_lengths = model.listen(x, lengths)
    for b, text in enumerate(texts):
        alone, att = model(x[b : b + 1, : lengths[b]], lengths[b : b + 1], [text])
        U1, T = len(text) + 1, int(enc_lengths[b])
        torch.testing.assert_close(logits[b, :U1], alone[0], atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(attention[b, :U1, :T], att[0], atol=1e-5, rtol=0)
    assert model.transcribe(x, lengths, max_len=5) == [
        model.transcribe(x[b : b + 1, : lengths[b]], lengths[b : b + 1], max_len=5)[0]
        for b in range(3)
    ]


def test_loss_is_cross_entropy_plus_weighted_ctc():
    texts = ["abc", "ba"]
    x, lengths = spoken(texts)
    for weight in (0.0, 0.3):
        model = las(dropout=0.0, ctc_weight=weight)
        logits, _ = model(x, lengths, texts)
        ce = -(
            sum(
                sequence_log_prob(model, x[b : b + 1], lengths[b : b + 1], t)
                for b, t in enumerate(texts)
            )  # fmt: skip
            / sum(len(t) + 1 for t in texts)
        )
        expected = torch.tensor(ce)
        if weight:
            H, enc_lengths = model.listen(x, lengths)
            log_probs = model.ctc_head(H).log_softmax(-1).transpose(0, 1)
            targets, target_lengths = model.charset.targets(texts)
            ctc = ctc_loss(
                log_probs, targets, enc_lengths, target_lengths, zero_infinity=True
            )
            expected = (1 - weight) * expected + weight * ctc
        loss = model.loss(x, lengths, texts)
        torch.testing.assert_close(loss, expected.float(), atol=1e-5, rtol=1e-5)
    smoothed = model.loss(x, lengths, texts, label_smoothing=0.1)
    assert smoothed.item() != pytest.approx(loss.item())


def test_learns_a_tiny_task_exactly():
    model = las(d_model=32, dropout=0.0)
    x, lengths = spoken(WORDS)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(120):
        opt.zero_grad()
        model.loss(x, lengths, WORDS).backward()
        opt.step()
    assert model.transcribe(x, lengths) == WORDS
    texts, attention = model.transcribe(x, lengths, beam=3, return_attention=True)
    assert texts == WORDS
    assert [a.shape[0] for a in attention] == [len(w) + 1 for w in WORDS]
    assert model.training


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(d_model=15), ValueError, "even"),
        (dict(ctc_weight=1.5), ValueError, "ctc_weight"),
        (dict(ctc_weight=-0.1), ValueError, "ctc_weight"),
        (dict(dropout=-1.0), ValueError, "dropout"),
        (dict(listener_layers=0), ValueError, "layers"),
    ],
)
def test_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        las(**kwargs)
    with pytest.raises(TypeError, match="charset"):
        ListenAttendSpell(WORDS, 4)


def test_bad_inputs():
    model = las(listener_layers=3)
    x, lengths = spoken(["ab", "c"])
    with pytest.raises(ValueError, match="texts has 1 items"):
        model(x, lengths, ["ab"])
    with pytest.raises(ValueError, match="too short"):
        model(x[:, :6], torch.tensor([6, 6]), ["ab", "c"])
    with pytest.raises(ValueError, match="outside the set"):
        model(x, lengths, ["ab", "z"])
    model = las()
    with pytest.raises(ValueError, match="beam"):
        model.transcribe(x, lengths, beam=0)
    with pytest.raises(ValueError, match="max_len"):
        model.transcribe(x, lengths, max_len=-1)
    with pytest.raises(ValueError, match="features"):
        model.listen(x[0], lengths)

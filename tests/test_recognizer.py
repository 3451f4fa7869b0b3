"""Tests of slmsurvey.asr.recognizer: the CTC recogniser and its parts.

Evidence: torch.nn.functional.ctc_loss on the model's own outputs, a padded
batch against each item alone, learning a tiny synthetic task exactly,
jiwer-checked metrics on the hypotheses.

Shapes: B batch, N feature frames, F features, T encoder frames, V labels.
"""

import pytest
import torch
import torch.nn.functional as F
from toy_speech import WORDS, spoken

from slmsurvey.asr.recognizer import (
    ENCODERS,
    CharacterSet,
    CTCRecognizer,
    FrontEnd,
    evaluate,
    recognizer_loss,
    stack_frames,
)
from slmsurvey.metrics import cer, wer
from slmsurvey.speech import Batch


def test_character_set_round_trip_and_targets():
    chars = CharacterSet(["a cat", "a dog"])
    assert len(chars) == 8 and chars.symbols[0] == "<blank>"
    for text in ["a cat", "god", " "]:
        assert chars.decode(chars.encode(text)) == text
    targets, lengths = chars.targets(["cat", "a"])
    assert targets.tolist() == [chars.encode("cat"), [chars.encode("a")[0], 0, 0]]
    assert lengths.tolist() == [3, 1]
    assert CharacterSet(["x"], reserved="<eos>").symbols == ["<eos>", "x"]


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: CharacterSet([]), "texts"),
        (lambda: CharacterSet("abc"[:0]), "texts"),
        (lambda: CharacterSet(["", ""]), "no characters"),
        (lambda: CharacterSet(["ab", 3]), "texts"),
        (lambda: CharacterSet(["ab"]).encode("abz"), "outside the set"),
        (lambda: CharacterSet(["ab"]).targets([]), "texts"),
        (lambda: CharacterSet(["ab"]).targets("ab"), "texts"),
    ],
)
def test_character_set_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_stack_frames_concatenates_runs_of_frames():
    x = torch.randn(2, 7, 3)
    y, n = stack_frames(x, torch.tensor([7, 5]), 3)
    assert y.shape == (2, 2, 9) and n.tolist() == [2, 1]
    assert torch.equal(y[1, 1], torch.cat([x[1, 3], x[1, 4], x[1, 5]]))
    with pytest.raises(ValueError, match="stack=3"):
        stack_frames(x, torch.tensor([7, 2]), 3)
    with pytest.raises(TypeError, match="stack"):
        stack_frames(x, torch.tensor([7, 7]), 1.5)


def test_front_end_normalises_each_utterance_over_its_own_frames():
    torch.manual_seed(0)
    front = FrontEnd(n_features=3, d_model=3, stack=1)
    with torch.no_grad():  # identity projection, so the output is ReLU(x~)
        front.proj.weight.copy_(torch.eye(3))
        front.proj.bias.zero_()
    x = 5 + 3 * torch.randn(1, 50, 3)
    padded = torch.cat([x, 100 * torch.ones(1, 10, 3)], dim=1)  # (1, 60, 3)
    h, n = front(padded, torch.tensor([50]))
    x_tilde = (x - x.mean(1)) / x.var(1, unbiased=False).add(1e-5).sqrt()
    torch.testing.assert_close(h[:, :50], torch.relu(x_tilde), atol=1e-5, rtol=0)
    assert n.tolist() == [50]


@pytest.mark.parametrize("encoder", ENCODERS)
def test_padded_batch_equals_each_item_alone(encoder):
    torch.manual_seed(0)
    model = CTCRecognizer(CharacterSet(WORDS), 4, encoder=encoder, d_model=16).eval()
    x, lengths = spoken(["abc", "a", "cab"])
    log_probs, out_lengths = model(x, lengths)  # (T, B, V)
    for b in range(3):
        alone, T_b = model(x[b : b + 1, : lengths[b]], lengths[b : b + 1])
        assert int(T_b) == int(out_lengths[b])
        torch.testing.assert_close(
            log_probs[: int(T_b), b], alone[:, 0], atol=1e-5, rtol=1e-5
        )


@pytest.mark.parametrize("encoder", ENCODERS)
def test_loss_is_torch_ctc_loss_of_the_outputs(encoder):
    torch.manual_seed(1)
    chars = CharacterSet(WORDS)
    model = CTCRecognizer(chars, 4, encoder=encoder, d_model=16, dropout=0.0)
    texts = ["abc", "ba"]
    x, lengths = spoken(texts)
    log_probs, out_lengths = model(x, lengths)
    targets, target_lengths = chars.targets(texts)
    expected = F.ctc_loss(log_probs, targets, out_lengths, target_lengths)
    loss = model.loss(x, lengths, texts)
    torch.testing.assert_close(loss, expected, atol=1e-5, rtol=1e-5)
    batch = Batch(x, lengths, texts, ["s1", "s2"], ["en", "en"])
    torch.testing.assert_close(recognizer_loss(model, batch), expected)
    loss.backward()
    assert all(p.grad is not None for p in model.parameters())


def test_learns_a_tiny_task_exactly():
    torch.manual_seed(0)
    model = CTCRecognizer(CharacterSet(WORDS), 4, d_model=32, stack=2, dropout=0.0)
    x, lengths = spoken(WORDS)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(150):
        opt.zero_grad()
        model.loss(x, lengths, WORDS).backward()
        opt.step()
    assert model.transcribe(x, lengths) == WORDS
    assert model.transcribe(x, lengths, beam=4) == WORDS
    test_x, test_lengths = spoken(WORDS, seed=1)  # new noise
    result = evaluate(model, [Batch(test_x, test_lengths, WORDS, WORDS, WORDS)])
    assert result["cer"] == 0.0 and result["hypotheses"] == WORDS
    assert model.training  # transcribe restored the mode


def test_evaluate_scores_the_hypotheses_with_cer_and_wer():
    torch.manual_seed(0)
    model = CTCRecognizer(CharacterSet(WORDS), 4, d_model=8)
    batches = []
    for texts in (["ab", "cab"], ["ba"]):
        x, lengths = spoken(texts)
        batches.append(Batch(x, lengths, texts, texts, texts))
    result = evaluate(model, batches)
    assert result["references"] == ["ab", "cab", "ba"]
    assert result["cer"] == cer(result["references"], result["hypotheses"])
    assert result["wer"] == wer(result["references"], result["hypotheses"])
    with pytest.raises(ValueError, match="empty"):
        evaluate(model, [])


def test_beam_search_with_a_word_lm_runs_and_needs_a_beam():
    from slmsurvey.lm import NGramLM

    chars = CharacterSet(["ab ba"])
    model = CTCRecognizer(chars, 4, d_model=8)
    lm = NGramLM(order=2).fit([["ab", "ba"]])
    x, lengths = torch.randn(1, 12, 4), torch.tensor([12])
    assert isinstance(model.transcribe(x, lengths, beam=3, lm=lm)[0], str)
    with pytest.raises(ValueError, match="beam"):
        model.transcribe(x, lengths, lm=lm)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(encoder="gru"), ValueError, "encoder"),
        (dict(encoder="bilstm", d_model=15), ValueError, "even"),
        (dict(layers=0), ValueError, "layers"),
        (dict(stack=0), ValueError, "stack"),
        (dict(dropout=-0.1), ValueError, "dropout"),
    ],
)
def test_bad_model_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        CTCRecognizer(CharacterSet(WORDS), 4, **kwargs)
    with pytest.raises(TypeError, match="charset"):
        CTCRecognizer(WORDS, 4)


@pytest.mark.parametrize(
    "features, lengths, error, match",
    [
        (torch.randn(2, 9, 4), torch.tensor([9, 9]), ValueError, r"\(B, N, 5\)"),
        (torch.randn(9, 5), torch.tensor([9]), ValueError, "features"),
        (
            torch.ones(2, 9, 5, dtype=torch.long),
            torch.tensor([9, 9]),
            TypeError,
            "float",
        ),
        (torch.randn(2, 9, 5), torch.tensor([9]), ValueError, "lengths"),
        (torch.randn(2, 9, 5), [9, 9], ValueError, "lengths"),
        (torch.randn(2, 9, 5), torch.tensor([9, 10]), ValueError, "lengths"),
        (torch.randn(2, 9, 5), torch.tensor([9, 0]), ValueError, "lengths"),
    ],
)
def test_bad_features(features, lengths, error, match):
    model = CTCRecognizer(CharacterSet(WORDS), 5, d_model=8)
    with pytest.raises(error, match=match):
        model(features, lengths)

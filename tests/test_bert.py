"""Tests of the tiny BERT-style encoder and its heads (slmsurvey.nn.bert)."""

import copy
from unittest import mock

import pytest
import torch
import torch.nn.functional as F

from slmsurvey.nn.bert import (
    MaskedLM,
    SequenceClassifier,
    TextEncoder,
    contextual_embeddings,
)
from slmsurvey.nn.seq2seq import Seq2Seq
from slmsurvey.ssl import mask_tokens

V, D = 12, 16


def encoder(seed=0, **kw):
    torch.manual_seed(seed)
    return TextEncoder(V, D, 2, 2, max_len=10, **kw)


def padded(rows, pad=0):
    L = torch.tensor([len(r) for r in rows])
    x = torch.full((len(rows), int(L.max())), pad)
    for b, r in enumerate(rows):
        x[b, : len(r)] = torch.tensor(r)
    return x, L


ROWS = [[3, 4, 5, 6, 7], [8, 3], [9, 10, 11]]


@pytest.mark.parametrize("positions", ["sinusoidal", "learned"])
def test_encoder_shapes_and_padding_invariance(positions):
    enc = encoder(positions=positions).eval()
    x, L = padded(ROWS, pad=11)  # the pad id must not matter
    z = enc(x, L)
    assert z.shape == (3, 5, D)
    for b, row in enumerate(ROWS):
        alone = enc(torch.tensor([row]))[0]
        torch.testing.assert_close(z[b, : len(row)], alone, atol=1e-5, rtol=1e-5)
    x2, _ = padded(ROWS, pad=0)
    torch.testing.assert_close(enc(x2, L)[0], z[0])


def test_encoder_is_bidirectional():
    enc = encoder().eval()
    a, b = torch.tensor([[3, 4, 5]]), torch.tensor([[3, 4, 6]])
    assert not torch.allclose(enc(a)[0, 0], enc(b)[0, 0])  # position 0 sees 2


def test_hidden_states_and_contextual_embeddings():
    enc = encoder().train()
    x, L = padded(ROWS)
    h = enc.hidden_states(x, L)
    assert len(h) == 3 and all(t.shape == (3, 5, D) for t in h)
    vecs = contextual_embeddings(enc, x, L)
    assert enc.training  # mode restored
    assert [tuple(v.shape) for v in vecs] == [(5, D), (2, D), (3, D)]
    torch.testing.assert_close(vecs[1], enc.eval()(x, L)[1, :2])
    first = contextual_embeddings(enc, x, L, layer=0)
    torch.testing.assert_close(first[2], h[0][2, :3])
    assert not vecs[0].requires_grad


def test_masked_lm_is_tied_and_normalised():
    mlm = MaskedLM(encoder())
    assert mlm.head.W.weight is mlm.encoder.embedding.weight
    x, L = padded(ROWS)
    log_p = mlm(x, L)
    assert log_p.shape == (3, 5, V)
    torch.testing.assert_close(log_p.exp().sum(-1), torch.ones(3, 5))


def test_masked_lm_loss_ignores_padding_and_learns():
    torch.manual_seed(0)
    # a language where every sentence is 3 4 5 6: masked words are certain
    x = torch.tensor([[3, 4, 5, 6]] * 16)
    mlm = MaskedLM(encoder())
    g = torch.Generator().manual_seed(0)
    opt = torch.optim.Adam(mlm.parameters(), lr=1e-2)
    first = None
    for _ in range(60):
        loss = mlm.loss(x, mask_id=1, special_ids=[0], mask_prob=0.3, generator=g)
        first = loss.item() if first is None else first
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.1 * first
    # padded positions are never selected: the loss passes mask_tokens the
    # padding mask of the lengths
    xp, Lp = padded([[3, 4, 5], [6]])
    with mock.patch("slmsurvey.nn.bert.mask_tokens", wraps=mask_tokens) as spy:
        mlm.loss(xp, Lp, mask_id=1, mask_prob=0.5, generator=g)
    expected = torch.tensor([[False, False, False], [False, True, True]])
    assert torch.equal(spy.call_args.kwargs["padding_mask"], expected)


def test_classifier_pooling_and_padding():
    x, L = padded(ROWS)
    for pooling in ("mean", "cls"):
        clf = SequenceClassifier(encoder(), 3, pooling=pooling).eval()
        out = clf(x, L)
        assert out.shape == (3, 3)
        alone = clf(torch.tensor([ROWS[1]]))
        torch.testing.assert_close(out[1:2], alone, atol=1e-5, rtol=1e-5)


def test_classifier_learns_a_context_task():
    # label: does token 3 come before token 4? (a bag of words cannot tell)
    g = torch.Generator().manual_seed(0)
    rows, labels = [], []
    for _ in range(64):
        filler = torch.randint(5, V, (3,), generator=g).tolist()
        order = bool(torch.randint(2, (1,), generator=g))
        pair = [3, 4] if order else [4, 3]
        rows.append(filler[:1] + pair[:1] + filler[1:] + pair[1:])
        labels.append(int(order))
    x, y = torch.tensor(rows), torch.tensor(labels)
    clf = SequenceClassifier(encoder(), 2)
    opt = torch.optim.Adam(clf.parameters(), lr=3e-3)
    for _ in range(150):
        loss = F.cross_entropy(clf(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float((clf(x).argmax(-1) == y).float().mean()) == 1.0


def seq2seq(seed=0):
    return Seq2Seq(encoder(seed), tgt_vocab_size=9, bos_id=1, eos_id=2)


def test_seq2seq_shapes_and_causality():
    model = seq2seq().eval()
    src, Ls = padded(ROWS)
    y_in = torch.tensor([[1, 3, 4, 5], [1, 6, 7, 8], [1, 3, 3, 3]])
    out = model(src, y_in, Ls)
    assert out.shape == (3, 4, 9)
    changed = y_in.clone()
    changed[:, 3] = 5  # change the last target token
    out2 = model(src, changed, Ls)
    torch.testing.assert_close(out[:, :3], out2[:, :3])
    assert not torch.allclose(out[:, 3], out2[:, 3])
    alone = model(src[1:2, :2], y_in[1:2])  # source padding is ignored
    torch.testing.assert_close(out[1:2], alone, atol=1e-5, rtol=1e-5)


def test_greedy_decode_is_argmax_of_teacher_forcing():
    model = seq2seq(3)
    src, Ls = padded(ROWS)
    hyps = model.greedy_decode(src, Ls, max_len=6)
    assert model.training  # mode restored
    model.eval()
    for b, hyp in enumerate(hyps):
        y_in = torch.tensor([[1, *hyp]])
        best = model(src[b : b + 1, : Ls[b]], y_in).argmax(-1)[0].tolist()
        stop = [2] if len(hyp) < 6 else []
        assert best[: len(hyp) + len(stop)] == hyp + stop


def test_seq2seq_learns_to_reverse_and_accepts_a_pretrained_encoder():
    g = torch.Generator().manual_seed(0)
    src = torch.randint(3, 9, (64, 4), generator=g)
    tgt = src.flip(1)  # target ids 3..8 < 9
    pretrained = encoder(1)
    before = copy.deepcopy(pretrained.state_dict())
    model = Seq2Seq(copy.deepcopy(pretrained), 9)
    torch.manual_seed(0)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(200):
        loss = model.loss(src, tgt)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.1
    assert model.greedy_decode(src[:8]) == tgt[:8].tolist()
    for k, v in pretrained.state_dict().items():  # the original is untouched
        assert torch.equal(v, before[k])


def test_seq2seq_loss_ignores_target_padding():
    model = seq2seq().eval()
    src = torch.tensor([[3, 4, 5]])
    short = model.loss(src, torch.tensor([[3, 4]]))
    padded_tgt = model.loss(
        src, torch.tensor([[3, 4, 7, 7]]), tgt_lengths=torch.tensor([2])
    )
    torch.testing.assert_close(short, padded_tgt)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"vocab_size": 1}, ValueError, "vocab_size"),
        ({"d_model": 2.0}, TypeError, "d_model"),
        ({"n_layers": 0}, ValueError, "n_layers"),
        ({"d_ff": 0}, ValueError, "d_ff"),
        ({"max_len": 0}, ValueError, "max_len"),
        ({"positions": "rotary"}, ValueError, "positions"),
        ({"d_model": 15}, ValueError, "divisible"),
    ],
)
def test_encoder_rejects_bad_options(kwargs, error, match):
    args = {"vocab_size": V, "d_model": D, "n_heads": 2} | kwargs
    with pytest.raises(error, match=match):
        TextEncoder(**args)


@pytest.mark.parametrize(
    ("tokens", "lengths", "error", "match"),
    [
        ([[1, 2]], None, TypeError, "tokens must be a torch.Tensor"),
        (torch.tensor([[1.0, 2.0]]), None, TypeError, "integer"),
        (torch.tensor([1, 2]), None, ValueError, r"\(B, T\)"),
        (torch.tensor([[1, V]]), None, ValueError, "vocab_size"),
        (torch.tensor([[-1, 2]]), None, ValueError, "vocab_size"),
        (torch.ones(1, 11, dtype=torch.long), None, ValueError, "max_len"),
        (torch.tensor([[1, 2]]), [2], TypeError, "lengths"),
        (torch.tensor([[1, 2]]), torch.tensor([2.0]), TypeError, "lengths"),
        (torch.tensor([[1, 2]]), torch.tensor([2, 2]), ValueError, "lengths"),
        (torch.tensor([[1, 2]]), torch.tensor([3]), ValueError, "lengths"),
        (torch.tensor([[1, 2]]), torch.tensor([0]), ValueError, "lengths"),
    ],
)
def test_encoder_rejects_bad_input(tokens, lengths, error, match):
    with pytest.raises(error, match=match):
        encoder()(tokens, lengths)


def test_heads_reject_bad_arguments():
    enc = encoder()
    for make in (
        lambda: MaskedLM("bert"),
        lambda: SequenceClassifier(torch.nn.Linear(2, 2), 2),
        lambda: Seq2Seq(None, 9),
        lambda: contextual_embeddings("enc", torch.tensor([[1]])),
    ):
        with pytest.raises(TypeError, match="encoder"):
            make()
    with pytest.raises(ValueError, match="n_classes"):
        SequenceClassifier(enc, 1)
    with pytest.raises(ValueError, match="pooling"):
        SequenceClassifier(enc, 2, pooling="max")
    with pytest.raises(ValueError, match="tgt_vocab_size"):
        Seq2Seq(enc, 2)
    with pytest.raises(ValueError, match="bos_id and eos_id"):
        Seq2Seq(enc, 9, bos_id=2, eos_id=2)
    with pytest.raises(ValueError, match="bos_id and eos_id"):
        Seq2Seq(enc, 9, eos_id=9)
    with pytest.raises(ValueError, match="n_layers"):
        Seq2Seq(enc, 9, n_layers=0)
    with pytest.raises(ValueError, match="layer"):
        contextual_embeddings(enc, torch.tensor([[1]]), layer=3)
    with pytest.raises(ValueError, match="layer"):
        contextual_embeddings(enc, torch.tensor([[1]]), layer=-1)
    with pytest.raises(ValueError, match="mask_id"):
        MaskedLM(enc).loss(torch.tensor([[3, 4]]), mask_id=V)


def test_seq2seq_rejects_bad_input():
    model = seq2seq()
    src = torch.tensor([[3, 4, 5]])
    with pytest.raises(ValueError, match="tgt_in"):
        model(src, torch.tensor([[1, 9]]))  # id outside the target vocabulary
    with pytest.raises(ValueError, match="rows"):
        model(src, torch.tensor([[1, 3], [1, 3]]))
    with pytest.raises(ValueError, match="src"):
        model(torch.tensor([[3, V]]), torch.tensor([[1]]))
    with pytest.raises(ValueError, match="tgt_lengths"):
        model.loss(src, torch.tensor([[3, 4]]), tgt_lengths=torch.tensor([3]))
    with pytest.raises(TypeError, match="tgt"):
        model.loss(src, torch.tensor([[3.0]]))
    with pytest.raises(ValueError, match="src_lengths"):
        model.greedy_decode(src, torch.tensor([4]))
    with pytest.raises(ValueError, match="max_len"):
        model.greedy_decode(src, max_len=0)
    with pytest.raises(ValueError, match="max_len"):
        model.greedy_decode(src, max_len=11)

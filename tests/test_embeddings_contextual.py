"""Tests of slmsurvey.embeddings.contextual.occurrence_vectors."""

import pytest
import torch

from slmsurvey.embeddings import contextual_embeddings as reexported
from slmsurvey.embeddings.contextual import occurrence_vectors
from slmsurvey.nn.bert import TextEncoder, contextual_embeddings

# Shapes: n occurrences, d_model encoder width.

VOCAB = {"<pad>": 0, "the": 1, "bank": 2, "river": 3, "money": 4, "near": 5}
SENTS = [
    ["the", "river", "bank"],
    ["the", "bank", "near", "the", "river"],
    ["money", "bank"],
    ["the", "money"],
    ["bank", "bank"],
]


@pytest.fixture
def encoder():
    torch.manual_seed(0)
    return TextEncoder(len(VOCAB), d_model=8, n_heads=2, n_layers=2)


def test_reexport_is_the_package_function():
    assert reexported is contextual_embeddings


@pytest.mark.parametrize("layer", [None, 0, 1, 2])
@pytest.mark.parametrize("batch_size", [1, 2, 256])
def test_rows_equal_encoder_output_of_each_sentence(encoder, layer, batch_size):
    vecs, where = occurrence_vectors(
        encoder, VOCAB, SENTS, "bank", layer=layer, batch_size=batch_size
    )
    assert where == [(0, 2), (1, 1), (2, 1), (4, 0), (4, 1)]
    assert vecs.shape == (5, 8)
    for row, (s, i) in zip(vecs, where, strict=True):
        tokens = torch.tensor([[VOCAB[w] for w in SENTS[s]]])  # (1, L)
        (z,) = contextual_embeddings(encoder, tokens, layer=layer)  # (L, d)
        torch.testing.assert_close(row, z[i], rtol=1e-5, atol=1e-6)


def test_layer_zero_ignores_context_but_output_does_not(encoder):
    h0, _ = occurrence_vectors(encoder, VOCAB, SENTS, "bank", layer=0)
    z, _ = occurrence_vectors(encoder, VOCAB, SENTS, "bank")
    # rows 1 and 2: "bank" at position 1, after "the" and after "money"
    torch.testing.assert_close(h0[1], h0[2])
    assert not torch.allclose(z[1], z[2], atol=1e-4)


def test_mode_is_restored_and_no_grad(encoder):
    encoder.train()
    vecs, _ = occurrence_vectors(encoder, VOCAB, SENTS, "river")
    assert encoder.training
    assert not vecs.requires_grad


def test_bad_input(encoder):
    with pytest.raises(KeyError, match="'boat' is not in vocab"):
        occurrence_vectors(encoder, VOCAB, SENTS, "boat")
    with pytest.raises(ValueError, match="'near' does not occur"):
        occurrence_vectors(encoder, VOCAB, SENTS[:1], "near")
    with pytest.raises(KeyError, match="sentences\\[1\\] holds 'boat'"):
        occurrence_vectors(encoder, VOCAB, [["bank"], ["boat", "bank"]], "bank")
    with pytest.raises(TypeError, match="sentences must be sequences"):
        occurrence_vectors(encoder, VOCAB, ["the bank"], "bank")
    with pytest.raises(ValueError, match="sentences\\[0\\] is empty"):
        occurrence_vectors(encoder, VOCAB, [[], ["bank"]], "bank")
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        occurrence_vectors(encoder, VOCAB, SENTS, "bank", batch_size=0)
    with pytest.raises(ValueError, match="layer must be at most 2"):
        occurrence_vectors(encoder, VOCAB, SENTS, "bank", layer=3)

r"""A tiny BERT-style text encoder, its masked-LM, classifier and seq2seq heads.

A :class:`TextEncoder` maps token ids to contextual vectors :math:`z_i`:

.. math::

    h^{(0)}_i = \sqrt{d_{model}}\, E_{x_i} + P_i, \qquad
    h^{(\ell)} = \mathrm{EncoderLayer}_\ell(h^{(\ell-1)}), \qquad
    z_i = \mathrm{LN}(h^{(N)}_i),

with :math:`E` the (V, d_model) token embedding, :math:`P` a sinusoidal or
learned position table and :math:`N` pre-norm
:class:`~slmsurvey.nn.transformer.TransformerEncoderLayer` s that ignore
padded positions. Three thin heads reuse it: :class:`MaskedLM` scores every
word at every position, :math:`\mathrm{softmax}(W z_i + b)` with :math:`W = E`
(tied, as in BERT); :class:`SequenceClassifier` pools the :math:`z_i` and
applies a linear layer; :class:`~slmsurvey.nn.seq2seq.Seq2Seq` feeds them as
memory to a causal Transformer decoder. Because each head takes a
:class:`TextEncoder`, a pre-trained encoder becomes the starting point of
fine-tuning by passing it in (pass ``copy.deepcopy(encoder)`` to keep the
original unchanged).

Symbols and code: :math:`E` is ``embedding.weight``; :math:`P` is
``positional`` (a buffer or an ``nn.Embedding``); :math:`N` is ``n_layers``.
Multiplying :math:`E` by :math:`\sqrt{d_{model}}` (with :math:`E` initialised
with variance :math:`1/d_{model}`) keeps the input and, when tied, the output
scores at unit scale (Vaswani et al. 2017, sec. 3.4).

References
----------
Devlin, Chang, Lee & Toutanova (2019), "BERT: pre-training of deep
bidirectional Transformers for language understanding", NAACL.
arXiv:1810.04805. Vaswani et al. (2017), "Attention is all you need".
arXiv:1706.03762.
"""

# Shapes: B batch, T source positions, U target positions, V vocabulary,
#         C classes, d_model model width, N layers.

from __future__ import annotations

import math

import torch
import torch.nn.functional as torch_F
from torch import nn

from slmsurvey._checks import check_int
from slmsurvey.nn.transformer import (
    TransformerEncoderLayer,
    padding_mask,
    sinusoidal_positional_encoding,
)
from slmsurvey.ssl.masking import IGNORE_INDEX, MaskedLMHead, mask_tokens

__all__ = [
    "MaskedLM",
    "SequenceClassifier",
    "TextEncoder",
    "contextual_embeddings",
]


def _check_tokens(x: object, name: str, vocab_size: int, max_len: int) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.is_floating_point() or x.is_complex() or x.dtype == torch.bool:
        raise TypeError(f"{name} must be an integer tensor, got {x.dtype}")
    if x.ndim != 2 or x.numel() == 0:
        raise ValueError(f"{name} must be non-empty with shape (B, T), got {x.shape}")
    if x.shape[1] > max_len:
        raise ValueError(f"{name} has {x.shape[1]} positions, max_len is {max_len}")
    if bool((x < 0).any()) or bool((x >= vocab_size).any()):
        raise ValueError(f"{name} must lie in [0, vocab_size={vocab_size})")
    return x.long()


def _check_lengths(lengths: object, name: str, B: int, T: int) -> torch.Tensor:
    if not isinstance(lengths, torch.Tensor) or lengths.is_floating_point():
        raise TypeError(f"{name} must be an integer torch.Tensor")
    if lengths.shape != (B,):
        raise ValueError(f"{name} must have shape ({B},), got {tuple(lengths.shape)}")
    if bool((lengths < 1).any()) or bool((lengths > T).any()):
        raise ValueError(f"{name} must lie in [1, {T}], got {lengths.tolist()}")
    return lengths.long()


def _check_encoder(encoder: object) -> TextEncoder:
    if not isinstance(encoder, TextEncoder):
        raise TypeError(f"encoder must be a TextEncoder, got {type(encoder).__name__}")
    return encoder


class TextEncoder(nn.Module):
    r"""Token embedding, positions and a stack of Transformer encoder layers.

    Parameters
    ----------
    vocab_size : int
        :math:`V`, at least 2.
    d_model, n_heads, n_layers : int
        Width, heads per layer (dividing ``d_model``) and :math:`N`.
    d_ff : int, optional
        Feed-forward width; default ``2 * d_model``.
    max_len : int, keyword-only
        Longest sequence accepted.
    positions : {"sinusoidal", "learned"}, keyword-only
        The position table :math:`P`.
    dropout : float, keyword-only
        Inside the encoder layers.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> enc = TextEncoder(vocab_size=10, d_model=8, n_heads=2, n_layers=1)
    >>> tokens = torch.tensor([[3, 4, 5], [6, 7, 0]])  # (B, T), 0 = padding
    >>> z = enc(tokens, torch.tensor([3, 2]))
    >>> tuple(z.shape)
    (2, 3, 8)
    >>> torch.allclose(z[1, :2], enc(tokens[1:, :2])[0], atol=1e-5)
    True
    >>> len(enc.hidden_states(tokens))  # embedding output + one per layer
    2
    """

    def __init__(
        self,
        vocab_size: int,
        d_model: int = 64,
        n_heads: int = 4,
        n_layers: int = 2,
        d_ff: int | None = None,
        *,
        max_len: int = 64,
        positions: str = "sinusoidal",
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.vocab_size = check_int(vocab_size, "vocab_size", 2)
        self.d_model = check_int(d_model, "d_model", 1)
        self.n_heads = check_int(n_heads, "n_heads", 1)
        self.n_layers = check_int(n_layers, "n_layers", 1)
        self.d_ff = 2 * d_model if d_ff is None else check_int(d_ff, "d_ff", 1)
        self.max_len = check_int(max_len, "max_len", 1)
        if positions not in ("sinusoidal", "learned"):
            raise ValueError(
                f"positions must be 'sinusoidal' or 'learned', got {positions!r}"
            )
        self.positions = positions
        self.embedding = nn.Embedding(vocab_size, d_model)  # E, (V, d_model)
        nn.init.normal_(self.embedding.weight, std=d_model**-0.5)
        if positions == "learned":
            self.positional = nn.Embedding(max_len, d_model)  # P, (max_len, d)
        else:
            pe = sinusoidal_positional_encoding(max_len, d_model)  # (max_len, d)
            self.register_buffer("positional", pe, persistent=False)
        self.layers = nn.ModuleList(
            TransformerEncoderLayer(d_model, n_heads, self.d_ff, dropout=dropout)
            for _ in range(n_layers)
        )
        self.norm = nn.LayerNorm(d_model)

    def _embed(self, tokens: torch.Tensor) -> torch.Tensor:
        P = self.positional
        P = P.weight if isinstance(P, nn.Embedding) else P  # (max_len, d_model)
        T = tokens.shape[1]
        # h^(0) = sqrt(d_model) E[x] + P
        return math.sqrt(self.d_model) * self.embedding(tokens) + P[:T]  # (B, T, d)

    def hidden_states(
        self, tokens: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> list[torch.Tensor]:
        """The inputs :math:`h^{(0)}` and outputs :math:`h^{(1..N)}` of the layers.

        Returns a list of N + 1 tensors (B, T, d_model), before the final
        LayerNorm; positions at or beyond ``lengths`` are not meaningful.
        """
        tokens = _check_tokens(tokens, "tokens", self.vocab_size, self.max_len)
        B, T = tokens.shape
        pad = None
        if lengths is not None:
            pad = padding_mask(_check_lengths(lengths, "lengths", B, T), T)  # (B, T)
        h = [self._embed(tokens)]
        for layer in self.layers:
            h.append(layer(h[-1], key_padding_mask=pad))  # (B, T, d_model)
        return h

    def forward(
        self, tokens: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Contextual vectors :math:`z` (B, T, d_model) of ``tokens`` (B, T).

        ``lengths`` (B,) marks the valid prefix of each row; the rest is
        padding that no position attends to. ``None``: nothing is padded.
        """
        return self.norm(self.hidden_states(tokens, lengths)[-1])


def contextual_embeddings(
    encoder: TextEncoder,
    tokens: torch.Tensor,
    lengths: torch.Tensor | None = None,
    *,
    layer: int | None = None,
) -> list[torch.Tensor]:
    r"""One (L_b, d_model) tensor of contextual vectors per sentence.

    Parameters
    ----------
    encoder : TextEncoder
        Run in evaluation mode without gradients (its mode is restored).
    tokens : torch.Tensor of int, shape (B, T)
    lengths : torch.Tensor of int, shape (B,), optional
        :math:`L_b`; default: every row is ``T`` long.
    layer : int, optional, keyword-only
        ``None`` (default) gives the final :math:`z`; ``0..N`` gives
        :math:`h^{(\ell)}` (0 is the context-free input embedding).

    Returns
    -------
    list of torch.Tensor
        ``out[b]`` has shape (L_b, d_model), without the padding.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> enc = TextEncoder(vocab_size=10, d_model=8, n_heads=2, n_layers=2)
    >>> tokens = torch.tensor([[3, 4, 5], [3, 7, 0]])
    >>> vecs = contextual_embeddings(enc, tokens, torch.tensor([3, 2]))
    >>> [tuple(v.shape) for v in vecs]
    [(3, 8), (2, 8)]
    >>> h0 = contextual_embeddings(enc, tokens, layer=0)  # same word, same input
    >>> torch.equal(h0[0][0], h0[1][0]), torch.equal(vecs[0][0], vecs[1][0])
    (True, False)
    """
    encoder = _check_encoder(encoder)
    if layer is not None:
        check_int(layer, "layer", 0)
        if layer > encoder.n_layers:
            raise ValueError(f"layer must be at most {encoder.n_layers}, got {layer}")
    was_training = encoder.training
    encoder.eval()
    try:
        with torch.no_grad():
            if layer is None:
                z = encoder(tokens, lengths)  # (B, T, d_model)
            else:
                z = encoder.hidden_states(tokens, lengths)[layer]  # (B, T, d)
    finally:
        encoder.train(was_training)
    L = [z.shape[1]] * z.shape[0] if lengths is None else lengths.tolist()
    return [z[b, : L[b]] for b in range(z.shape[0])]


class MaskedLM(nn.Module):
    r"""A :class:`TextEncoder` with BERT's masked-LM head, weights tied.

    .. math::

        P(w \mid \tilde x) = \mathrm{softmax}(E z_i + b)_w

    Parameters
    ----------
    encoder : TextEncoder
        Trained in place; its embedding :math:`E` is the head's :math:`W`.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> mlm = MaskedLM(TextEncoder(vocab_size=12, d_model=8, n_heads=2))
    >>> tokens = torch.randint(2, 12, (4, 6))
    >>> tuple(mlm(tokens).shape)  # log-probabilities (B, T, V)
    (4, 6, 12)
    >>> g = torch.Generator().manual_seed(0)
    >>> loss = mlm.loss(tokens, mask_id=1, special_ids=[0], generator=g)
    >>> loss.ndim, loss.item() > 0
    (0, True)
    """

    def __init__(self, encoder: TextEncoder) -> None:
        super().__init__()
        self.encoder = _check_encoder(encoder)
        V, d = encoder.vocab_size, encoder.d_model
        self.head = MaskedLMHead(d, V, embedding=encoder.embedding)

    def forward(
        self, tokens: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Log-probabilities (B, T, V) of every word at every position."""
        return self.head(self.encoder(tokens, lengths))

    def loss(
        self,
        tokens: torch.Tensor,
        lengths: torch.Tensor | None = None,
        *,
        mask_id: int,
        special_ids: tuple[int, ...] | list[int] = (),
        mask_prob: float = 0.15,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Corrupt ``tokens`` with :func:`~slmsurvey.ssl.mask_tokens`, return the
        mean cross-entropy at the selected positions (0 if none is selected)."""
        tokens = _check_tokens(
            tokens, "tokens", self.encoder.vocab_size, self.encoder.max_len
        )
        pad = None
        if lengths is not None:
            B, T = tokens.shape
            pad = padding_mask(_check_lengths(lengths, "lengths", B, T), T)
        inputs, labels = mask_tokens(
            tokens,
            mask_id=mask_id,
            vocab_size=self.encoder.vocab_size,
            mask_prob=mask_prob,
            special_ids=special_ids,
            padding_mask=pad,
            generator=generator,
        )
        log_p = self(inputs, lengths)  # (B, T, V)
        selected = labels != IGNORE_INDEX  # (B, T)
        if not bool(selected.any()):
            return log_p.sum() * 0.0
        return torch_F.nll_loss(log_p[selected], labels[selected])  # (|M|, V)


class SequenceClassifier(nn.Module):
    r"""Pool a :class:`TextEncoder`'s vectors and classify the sequence.

    .. math::

        \bar z = \frac{1}{L} \sum_{i < L} z_i \;\; (\text{"mean"}) \quad
        \text{or} \quad \bar z = z_0 \;\; (\text{"cls"}), \qquad
        \mathrm{logits} = W_c \bar z + b_c

    Parameters
    ----------
    encoder : TextEncoder
        Fine-tuned in place (pass a copy to keep a pre-trained one).
    n_classes : int
        :math:`C`, at least 2.
    pooling : {"mean", "cls"}, keyword-only
        Mean over the valid positions, or the first position (a ``[CLS]``
        token the caller puts there).

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> clf = SequenceClassifier(TextEncoder(10, 8, 2, 1), n_classes=3)
    >>> logits = clf(torch.tensor([[3, 4, 5], [6, 7, 0]]), torch.tensor([3, 2]))
    >>> tuple(logits.shape)  # (B, C)
    (2, 3)
    """

    def __init__(
        self, encoder: TextEncoder, n_classes: int, *, pooling: str = "mean"
    ) -> None:
        super().__init__()
        self.encoder = _check_encoder(encoder)
        self.n_classes = check_int(n_classes, "n_classes", 2)
        if pooling not in ("mean", "cls"):
            raise ValueError(f"pooling must be 'mean' or 'cls', got {pooling!r}")
        self.pooling = pooling
        self.classifier = nn.Linear(encoder.d_model, n_classes)  # W_c, b_c

    def forward(
        self, tokens: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Class scores (B, C) (logits; apply a softmax for probabilities)."""
        z = self.encoder(tokens, lengths)  # (B, T, d_model)
        if self.pooling == "cls":
            return self.classifier(z[:, 0])  # (B, C)
        B, T, _ = z.shape
        L = torch.full((B,), T, device=z.device) if lengths is None else lengths.long()
        valid = (~padding_mask(L, T)).to(z.dtype)  # (B, T)
        z_bar = (z * valid[..., None]).sum(1) / L[:, None].to(z.dtype)  # (B, d)
        return self.classifier(z_bar)  # (B, C)

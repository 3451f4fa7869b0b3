r"""An encoder-decoder for translation: a :class:`TextEncoder` and a decoder.

The decoder is a stack of causal
:class:`~slmsurvey.nn.transformer.TransformerDecoderLayer` s that attend to the
encoder's vectors (an encoder-decoder, as in T5 and the original
Transformer), so a pre-trained :class:`~slmsurvey.nn.bert.TextEncoder` can
start the fine-tuning of a translator.

References
----------
Vaswani et al. (2017), "Attention is all you need". arXiv:1706.03762.
Raffel et al. (2020), "Exploring the limits of transfer learning with a
unified text-to-text Transformer". arXiv:1910.10683.
"""

# Shapes: B batch, T source positions, U target positions, V vocabulary,
#         d_model model width, N layers.

from __future__ import annotations

import math

import torch
import torch.nn.functional as torch_F
from torch import nn

from slmsurvey._checks import check_int
from slmsurvey.nn.bert import TextEncoder, _check_encoder, _check_lengths, _check_tokens
from slmsurvey.nn.transformer import (
    TransformerDecoderLayer,
    padding_mask,
    sinusoidal_positional_encoding,
)
from slmsurvey.ssl.masking import IGNORE_INDEX

__all__ = ["Seq2Seq"]


class Seq2Seq(nn.Module):
    r"""Encoder-decoder: a :class:`TextEncoder` and a causal Transformer decoder.

    .. math::

        P(y_u \mid y_{<u}, x) = \mathrm{softmax}\bigl(W_o\,
        \mathrm{LN}(\mathrm{Decoder}(y_{<u}, z(x)))_u + b_o\bigr)

    Targets are written between ``bos_id`` and ``eos_id``: the decoder reads
    ``[bos, y_1, ..., y_U]`` and is trained (teacher forcing) to output
    ``[y_1, ..., y_U, eos]``; decoder position *u* never sees later targets.

    Parameters
    ----------
    encoder : TextEncoder
        The source encoder, e.g. a pre-trained one (fine-tuned in place).
    tgt_vocab_size : int
        Target vocabulary size, including ``bos_id`` and ``eos_id``.
    n_layers : int, optional, keyword-only
        Decoder layers; default: as many as the encoder. Width, heads, FFN
        width and ``max_len`` follow the encoder; positions are sinusoidal.
    bos_id, eos_id : int, keyword-only
        Distinct target ids that start and end a target.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> model = Seq2Seq(TextEncoder(10, 8, 2, 1), tgt_vocab_size=7)
    >>> src, tgt = torch.tensor([[4, 5, 6]]), torch.tensor([[3, 4]])
    >>> tuple(model(src, torch.tensor([[1, 3, 4]])).shape)  # (B, U + 1, V)
    (1, 3, 7)
    >>> model.loss(src, tgt).item() > 0
    True
    >>> out = model.greedy_decode(src, max_len=5)  # lists of ids, no bos/eos
    >>> len(out), len(out[0]) <= 5
    (1, True)
    """

    def __init__(
        self,
        encoder: TextEncoder,
        tgt_vocab_size: int,
        *,
        n_layers: int | None = None,
        bos_id: int = 1,
        eos_id: int = 2,
    ) -> None:
        super().__init__()
        self.encoder = _check_encoder(encoder)
        V = self.tgt_vocab_size = check_int(tgt_vocab_size, "tgt_vocab_size", 3)
        n_layers = encoder.n_layers if n_layers is None else n_layers
        check_int(n_layers, "n_layers", 1)
        self.bos_id, self.eos_id = (
            check_int(bos_id, "bos_id", 0),
            check_int(eos_id, "eos_id", 0),
        )
        if bos_id == eos_id or max(bos_id, eos_id) >= V:
            raise ValueError(
                f"bos_id and eos_id must differ and lie below tgt_vocab_size={V}, "
                f"got {bos_id}, {eos_id}"
            )
        d = encoder.d_model
        self.embedding = nn.Embedding(V, d)  # target embedding, (V, d_model)
        nn.init.normal_(self.embedding.weight, std=d**-0.5)
        pe = sinusoidal_positional_encoding(encoder.max_len + 1, d)  # (T_max, d)
        self.register_buffer("positional", pe, persistent=False)
        self.layers = nn.ModuleList(
            TransformerDecoderLayer(d, encoder.n_heads, encoder.d_ff)
            for _ in range(n_layers)
        )
        self.norm = nn.LayerNorm(d)
        self.out = nn.Linear(d, V)  # W_o, b_o

    def _decode(self, memory, memory_pad, y_in) -> torch.Tensor:
        U = y_in.shape[1]
        y = math.sqrt(self.encoder.d_model) * self.embedding(y_in)  # (B, U, d)
        y = y + self.positional[:U]
        for layer in self.layers:
            y = layer(y, memory, memory_key_padding_mask=memory_pad)  # (B, U, d)
        return self.out(self.norm(y))  # (B, U, V)

    def _encode(self, src, src_lengths):
        src = _check_tokens(src, "src", self.encoder.vocab_size, self.encoder.max_len)
        pad = None
        if src_lengths is not None:
            src_lengths = _check_lengths(src_lengths, "src_lengths", *src.shape)
            pad = padding_mask(src_lengths, src.shape[1])  # (B, T)
        return self.encoder(src, src_lengths), pad

    def forward(
        self,
        src: torch.Tensor,
        tgt_in: torch.Tensor,
        src_lengths: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Teacher-forced scores (B, U, V) for decoder inputs ``tgt_in`` (B, U).

        ``tgt_in`` starts with ``bos_id``; padding after a target's end only
        affects outputs at or after it (the decoder is causal).
        """
        memory, pad = self._encode(src, src_lengths)  # (B, T, d_model)
        tgt_in = _check_tokens(
            tgt_in, "tgt_in", self.tgt_vocab_size, self.encoder.max_len + 1
        )
        if tgt_in.shape[0] != memory.shape[0]:
            raise ValueError(
                f"tgt_in has {tgt_in.shape[0]} rows, src has {memory.shape[0]}"
            )
        return self._decode(memory, pad, tgt_in)

    def loss(
        self,
        src: torch.Tensor,
        tgt: torch.Tensor,
        src_lengths: torch.Tensor | None = None,
        tgt_lengths: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Mean cross-entropy of ``[y_1..y_U, eos]`` given ``[bos, y_1..y_U]``.

        ``tgt`` (B, U) holds targets without bos/eos, padded with any valid
        id beyond ``tgt_lengths`` (B,) (default: all ``U`` long).
        """
        tgt = _check_tokens(tgt, "tgt", self.tgt_vocab_size, self.encoder.max_len)
        B, U = tgt.shape
        L = (
            torch.full((B,), U, device=tgt.device)
            if tgt_lengths is None
            else tgt_lengths
        )
        L = _check_lengths(L, "tgt_lengths", B, U)
        bos = torch.full((B, 1), self.bos_id, device=tgt.device)
        y_in = torch.cat([bos, tgt], 1)  # (B, U + 1)
        y_out = torch.cat([tgt, torch.zeros_like(bos)], 1)  # (B, U + 1)
        y_out[torch.arange(B, device=tgt.device), L] = self.eos_id
        y_out[padding_mask(L + 1, U + 1)] = IGNORE_INDEX
        logits = self(src, y_in, src_lengths)  # (B, U + 1, V)
        return torch_F.cross_entropy(logits.transpose(1, 2), y_out)  # (B, V, U+1)

    @torch.no_grad()
    def greedy_decode(
        self,
        src: torch.Tensor,
        src_lengths: torch.Tensor | None = None,
        *,
        max_len: int | None = None,
    ) -> list[list[int]]:
        """Pick the most probable next id until ``eos_id`` or ``max_len`` ids.

        Returns one list of target ids per source (without bos and eos).
        Runs in evaluation mode (the module's mode is restored).
        """
        max_len = self.encoder.max_len if max_len is None else max_len
        check_int(max_len, "max_len", 1)
        if max_len > self.encoder.max_len:
            raise ValueError(f"max_len must be at most {self.encoder.max_len}")
        was_training = self.training
        self.eval()
        try:
            memory, pad = self._encode(src, src_lengths)  # (B, T, d_model)
            B = memory.shape[0]
            y = torch.full((B, 1), self.bos_id, device=memory.device)  # (B, 1)
            done = torch.zeros(B, dtype=torch.bool, device=memory.device)
            for _ in range(max_len):
                nxt = self._decode(memory, pad, y)[:, -1].argmax(-1)  # (B,)
                y = torch.cat([y, nxt[:, None]], 1)  # (B, u + 1)
                done |= nxt == self.eos_id
                if bool(done.all()):
                    break
        finally:
            self.train(was_training)
        out = []
        for row in y[:, 1:].tolist():
            out.append(row[: row.index(self.eos_id)] if self.eos_id in row else row)
        return out

r"""A small end-to-end CTC recogniser: characters out of log-mel frames.

The pieces are the book's own: a front end that normalises each utterance
and stacks ``stack`` frames into one (a :math:`\times`\ ``stack`` shorter
sequence), an encoder (a bidirectional LSTM, a pre-norm Transformer or a
Conformer), a linear layer to the characters and the blank, and
:func:`~slmsurvey.asr.ctc.ctc_loss`. :class:`CharacterSet` maps transcripts to
labels; label 0 is reserved (the CTC blank here, the end-of-sentence token
in :class:`~slmsurvey.asr.las.ListenAttendSpell`).

Chapters train it with :func:`slmsurvey.training.fit` and
:func:`recognizer_loss`, and score it with :func:`evaluate`.
"""

# Shapes: B batch, N feature frames, F features, T = N // stack encoder
#         frames, U target length, V = len(charset) labels.

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
from torch import nn

from slmsurvey._checks import check_int, check_real
from slmsurvey.asr.ctc import ctc_loss
from slmsurvey.asr.ctc_decode import ctc_greedy_decode, ctc_prefix_beam_search
from slmsurvey.metrics import cer, wer
from slmsurvey.nn.conformer import ConformerBlock
from slmsurvey.nn.transformer import (
    TransformerEncoderLayer,
    padding_mask,
    sinusoidal_positional_encoding,
)

__all__ = [
    "CTCRecognizer",
    "CharacterSet",
    "FrontEnd",
    "evaluate",
    "recognizer_loss",
    "stack_frames",
]

ENCODERS = ("bilstm", "transformer", "conformer")


class CharacterSet:
    """The characters of a corpus as labels 1..K; label 0 is reserved.

    Parameters
    ----------
    texts : iterable of str
        Transcripts whose characters make up the set.
    reserved : str
        Display name of label 0 (the CTC blank or the end-of-sentence token).

    Examples
    --------
    >>> chars = CharacterSet(["a cat", "a dog"])
    >>> chars.symbols
    ['<blank>', ' ', 'a', 'c', 'd', 'g', 'o', 't']
    >>> chars.encode("cat")
    [3, 2, 7]
    >>> chars.decode([0, 3, 2, 0, 7])
    'cat'
    """

    def __init__(self, texts: Iterable[str], *, reserved: str = "<blank>") -> None:
        texts = list(texts)
        if not texts or not all(isinstance(t, str) for t in texts):
            raise ValueError("texts must be a non-empty list of strings")
        chars = sorted(set("".join(texts)))
        if not chars:
            raise ValueError("texts contain no characters")
        self.symbols = [reserved, *chars]
        self._index = {c: i for i, c in enumerate(chars, start=1)}

    def __len__(self) -> int:
        return len(self.symbols)

    def __repr__(self) -> str:
        return f"CharacterSet({''.join(self.symbols[1:])!r})"

    def encode(self, text: str) -> list[int]:
        """Labels of the characters of ``text``; unknown characters raise."""
        unknown = sorted(set(text) - self._index.keys())
        if unknown:
            raise ValueError(f"text has characters outside the set: {unknown}")
        return [self._index[c] for c in text]

    def decode(self, labels: Iterable[int]) -> str:
        """The string of ``labels``, skipping the reserved label 0."""
        return "".join(self.symbols[int(k)] for k in labels if int(k) != 0)

    def targets(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Zero-padded labels (B, U) and lengths (B,) of ``texts``."""
        if isinstance(texts, str) or not len(texts):
            raise ValueError("texts must be a non-empty list of strings")
        labels = [torch.tensor(self.encode(t), dtype=torch.long) for t in texts]
        lengths = torch.tensor([len(x) for x in labels])
        return nn.utils.rnn.pad_sequence(labels, batch_first=True), lengths


def check_charset(charset: object) -> CharacterSet:
    """``charset`` itself if it is a :class:`CharacterSet`, else a TypeError."""
    if not isinstance(charset, CharacterSet):
        raise TypeError(f"charset must be a CharacterSet, got {type(charset).__name__}")
    return charset


def _check_features(features: object, lengths: object, n_features: int) -> None:
    if not isinstance(features, torch.Tensor) or not features.is_floating_point():
        raise TypeError("features must be a floating-point torch.Tensor (B, N, F)")
    if features.ndim != 3 or features.shape[2] != n_features:
        raise ValueError(
            f"features must have shape (B, N, {n_features}), got "
            f"{tuple(features.shape)}"
        )
    if not isinstance(lengths, torch.Tensor) or lengths.shape != features.shape[:1]:
        raise ValueError(
            f"lengths must be a tensor of shape ({features.shape[0]},), got "
            f"{getattr(lengths, 'shape', type(lengths).__name__)}"
        )
    if bool((lengths < 1).any()) or bool((lengths > features.shape[1]).any()):
        raise ValueError(
            f"lengths must lie in [1, {features.shape[1]}], got {lengths.tolist()}"
        )


def stack_frames(
    features: torch.Tensor, lengths: torch.Tensor, stack: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Concatenate each run of ``stack`` frames into one (remainders dropped).

    ``(B, N, F)`` becomes ``(B, N // stack, stack F)``; frame ``t`` of the
    output is input frames ``stack t, ..., stack t + stack - 1``.

    Examples
    --------
    >>> x = torch.arange(10.0).reshape(1, 5, 2)
    >>> y, n = stack_frames(x, torch.tensor([5]), 2)
    >>> y.tolist(), n.tolist()
    ([[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]]], [2])
    """
    stack = check_int(stack, "stack", 1)
    B, N, F = features.shape
    T = N // stack
    if T < 1 or bool((lengths < stack).any()):
        raise ValueError(f"every utterance needs at least stack={stack} frames")
    return features[:, : T * stack].reshape(B, T, stack * F), lengths // stack


class FrontEnd(nn.Module):
    r"""Per-utterance normalisation, frame stacking and a linear projection.

    .. math::

        \tilde x_n = (x_n - \mu) / \sigma, \qquad
        h_t = \mathrm{ReLU}\big(W [\tilde x_{st}; \dots; \tilde x_{st+s-1}]
        + b\big),

    with :math:`\mu, \sigma` the mean and standard deviation of each
    feature over the utterance's own frames (padding excluded) and
    :math:`s` = ``stack``.

    Examples
    --------
    >>> front = FrontEnd(n_features=4, d_model=8, stack=3)
    >>> h, n = front(torch.randn(2, 10, 4), torch.tensor([10, 7]))
    >>> tuple(h.shape), n.tolist()
    ((2, 3, 8), [3, 2])
    """

    def __init__(self, n_features: int, d_model: int, *, stack: int = 3) -> None:
        super().__init__()
        self.n_features = check_int(n_features, "n_features", 1)
        self.stack = check_int(stack, "stack", 1)
        self.proj = nn.Linear(stack * n_features, check_int(d_model, "d_model", 1))

    def forward(
        self, features: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, N, F)`` features -> ``(B, N // stack, d_model)`` and lengths."""
        _check_features(features, lengths, self.n_features)
        valid = ~padding_mask(lengths, features.shape[1])  # (B, N)
        w = valid[..., None].to(features.dtype)  # (B, N, 1)
        count = w.sum(1, keepdim=True)  # (B, 1, 1)
        mu = (features * w).sum(1, keepdim=True) / count  # (B, 1, F)
        var = ((features - mu) ** 2 * w).sum(1, keepdim=True) / count
        x = (features - mu) / (var + 1e-5).sqrt() * w  # padding stays 0
        x, out_lengths = stack_frames(x, lengths, self.stack)
        return torch.relu(self.proj(x)), out_lengths


class _Encoder(nn.Module):
    """A stack of BiLSTM, Transformer or Conformer layers, (B, T, d) -> same."""

    def __init__(self, kind: str, d_model: int, layers: int, heads: int, dropout):
        super().__init__()
        if kind not in ENCODERS:
            raise ValueError(f"encoder must be one of {ENCODERS}, got {kind!r}")
        self.kind = kind
        if kind == "bilstm":
            if d_model % 2:
                raise ValueError(f"d_model must be even for a BiLSTM, got {d_model}")
            self.layers = nn.LSTM(
                d_model, d_model // 2, num_layers=layers, bidirectional=True,
                batch_first=True, dropout=dropout if layers > 1 else 0.0,
            )  # fmt: skip
        elif kind == "transformer":
            self.layers = nn.ModuleList(
                TransformerEncoderLayer(d_model, heads, 4 * d_model, dropout=dropout)
                for _ in range(layers)
            )
            self.norm = nn.LayerNorm(d_model)
        else:
            self.layers = nn.ModuleList(
                ConformerBlock(d_model, heads, 4 * d_model, 15, dropout=dropout)
                for _ in range(layers)
            )

    def forward(self, h: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        T = h.shape[1]
        if self.kind == "bilstm":
            packed = nn.utils.rnn.pack_padded_sequence(
                h, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            out, _ = self.layers(packed)
            return nn.utils.rnn.pad_packed_sequence(
                out, batch_first=True, total_length=T
            )[0]
        pad = padding_mask(lengths, T).to(h.device)  # (B, T), True = padded
        if self.kind == "transformer":
            h = h + sinusoidal_positional_encoding(T, h.shape[2], dtype=h.dtype).to(
                h.device
            )
            for layer in self.layers:
                h = layer(h, key_padding_mask=pad)
            return self.norm(h)
        for block in self.layers:  # the Conformer adds its own positions
            h = block(h, padding_mask=pad)
        return h


class CTCRecognizer(nn.Module):
    r"""Front end, encoder and a linear layer to characters, trained with CTC.

    .. math::

        P(\pi \mid X) = \prod_{t=1}^{T} y^t_{\pi_t}, \qquad
        y^t = \mathrm{softmax}\big(W_o\, \mathrm{Enc}(\mathrm{FrontEnd}(X))_t
        + b_o\big),

    and the loss is :math:`-\log \sum_{\pi \in \mathcal{B}^{-1}(y)} P(\pi
    \mid X)` (:func:`~slmsurvey.asr.ctc.ctc_loss`).

    Parameters
    ----------
    charset : CharacterSet
        Output labels; label 0 is the blank.
    n_features : int
        Features per input frame (e.g. 40 log-mel bands).
    encoder : {"bilstm", "transformer", "conformer"}, keyword-only
        ``"bilstm"`` is torch's ``nn.LSTM`` (its cell is the one checked
        against :class:`slmsurvey.nn.LSTMCell`); the other two are built
        from :class:`slmsurvey.nn.TransformerEncoderLayer` and
        :class:`slmsurvey.nn.ConformerBlock` (kernel 15).
    d_model, layers, heads, stack, dropout : keyword-only
        Width, depth, attention heads, frames stacked by the front end,
        dropout.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> chars = CharacterSet(["yes", "no"])
    >>> model = CTCRecognizer(chars, n_features=8, d_model=16)
    >>> feats, lengths = torch.randn(2, 30, 8), torch.tensor([30, 24])
    >>> log_probs, out_lengths = model(feats, lengths)
    >>> tuple(log_probs.shape), out_lengths.tolist()
    ((10, 2, 6), [10, 8])
    >>> bool(model.loss(feats, lengths, ["yes", "no"]) > 0)
    True
    >>> len(model.transcribe(feats, lengths))
    2
    """

    def __init__(
        self,
        charset: CharacterSet,
        n_features: int,
        *,
        encoder: str = "bilstm",
        d_model: int = 128,
        layers: int = 2,
        heads: int = 4,
        stack: int = 3,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        check_charset(charset)
        check_real(dropout, "dropout", low=0.0)
        self.charset = charset
        self.front_end = FrontEnd(n_features, d_model, stack=stack)
        self.encoder = _Encoder(
            encoder, d_model, check_int(layers, "layers", 1), heads, dropout
        )
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(d_model, len(charset))

    def forward(
        self, features: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Time-major log probabilities ``(T, B, V)`` and frame counts ``(B,)``."""
        h, out_lengths = self.front_end(features, lengths)  # (B, T, d)
        h = self.encoder(h, out_lengths)  # (B, T, d)
        logits = self.output(self.dropout(h))  # (B, T, V)
        return logits.log_softmax(-1).transpose(0, 1), out_lengths

    def loss(
        self, features: torch.Tensor, lengths: torch.Tensor, texts: Sequence[str]
    ) -> torch.Tensor:
        """Mean CTC loss per target label (``reduction="mean"``)."""
        log_probs, out_lengths = self(features, lengths)
        targets, target_lengths = self.charset.targets(texts)
        return ctc_loss(log_probs, targets, out_lengths, target_lengths)

    @torch.no_grad()
    def transcribe(
        self,
        features: torch.Tensor,
        lengths: torch.Tensor,
        *,
        beam: int | None = None,
        lm: object | None = None,
        alpha: float = 0.5,
        beta: float = 1.0,
    ) -> list[str]:
        """Greedy transcripts, or prefix beam search (with an optional word LM).

        ``beam``, ``lm``, ``alpha`` and ``beta`` are passed to
        :func:`~slmsurvey.asr.ctc_decode.ctc_prefix_beam_search`; ``lm``
        needs ``beam``. Runs in evaluation mode and restores the mode.
        """
        if lm is not None and beam is None:
            raise ValueError("lm needs beam search: pass beam as well")
        was_training = self.training
        self.eval()
        log_probs, out_lengths = self(features, lengths)
        self.train(was_training)
        if beam is None:
            labels = ctc_greedy_decode(log_probs, out_lengths)
        else:
            labels = [
                ctc_prefix_beam_search(
                    log_probs[:T_b, b],
                    beam=beam,
                    lm=lm,
                    alpha=alpha,
                    beta=beta,
                    vocabulary=None if lm is None else self.charset.symbols,
                )  # fmt: skip
                for b, T_b in enumerate(out_lengths.tolist())
            ]
        return [self.charset.decode(y) for y in labels]


def recognizer_loss(model: nn.Module, batch: object) -> torch.Tensor:
    """``model.loss(batch.features, batch.lengths, batch.transcripts)``, for ``fit``.

    Examples
    --------
    >>> from slmsurvey.speech import Batch
    >>> _ = torch.manual_seed(0)
    >>> model = CTCRecognizer(CharacterSet(["hi"]), n_features=4, d_model=8)
    >>> batch = Batch(torch.randn(1, 9, 4), torch.tensor([9]), ["hi"], ["s"], ["en"])
    >>> recognizer_loss(model, batch).ndim
    0
    """
    return model.loss(batch.features, batch.lengths, batch.transcripts)


def evaluate(
    model: nn.Module, batches: Iterable[object], **decode_options
) -> dict[str, object]:
    """Corpus CER and WER of ``model.transcribe`` over ``batches``.

    Returns ``{"cer": ..., "wer": ..., "hypotheses": [...], "references":
    [...]}``; keyword arguments go to ``model.transcribe``.

    Examples
    --------
    >>> from slmsurvey.speech import Batch
    >>> _ = torch.manual_seed(0)
    >>> model = CTCRecognizer(CharacterSet(["hi"]), n_features=4, d_model=8)
    >>> batch = Batch(torch.randn(1, 9, 4), torch.tensor([9]), ["hi"], ["s"], ["en"])
    >>> sorted(evaluate(model, [batch]))
    ['cer', 'hypotheses', 'references', 'wer']
    """
    refs: list[str] = []
    hyps: list[str] = []
    for batch in batches:
        refs += batch.transcripts
        hyps += model.transcribe(batch.features, batch.lengths, **decode_options)
    if not refs:
        raise ValueError("batches must not be empty")
    return {"cer": cer(refs, hyps), "wer": wer(refs, hyps), "hypotheses": hyps,
            "references": refs}  # fmt: skip

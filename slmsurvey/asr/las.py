r"""Listen, Attend and Spell: an attention encoder-decoder recogniser.

Chan, Jaitly, Le & Vinyals (2016) write :math:`P(\mathbf{y} \mid X) =
\prod_i P(y_i \mid X, y_{<i})` with no independence assumption between
labels, unlike CTC. The *listener* is a pyramidal bidirectional LSTM: each
layer after the first reads pairs of consecutive outputs of the layer below,
so every layer halves the frame rate,

.. math::

    h^j_u = \mathrm{BiLSTM}^j\big(h^j_{u-1}, [h^{j-1}_{2u}; h^{j-1}_{2u+1}]\big).

The *speller* is an LSTM over the previous label and context; attention
reads the listener's output :math:`H = (h_1, \dots, h_T)`,

.. math::

    s_i &= \mathrm{LSTM}\big(s_{i-1}, [e(y_{i-1}); c_{i-1}]\big), \\
    \alpha_{i} &= \mathrm{softmax}_u\Big(\frac{(W_q s_i)^\top W_k h_u}
    {\sqrt{d}}\Big), \qquad c_i = \sum_u \alpha_{i,u} h_u, \\
    P(y_i \mid X, y_{<i}) &= \mathrm{softmax}\big(W_o \tanh(W_c [s_i; c_i])\big),

a scaled dot product (:func:`slmsurvey.nn.scaled_dot_product_attention`)
where the paper uses an MLP on each side before the dot product. Training
feeds the true previous label (*teacher forcing*); decoding feeds its own
guesses, greedily or with a beam. Label 0 of the :class:`CharacterSet` is the
end-of-sentence token ``<eos>``, which also starts every output.

Symbol map: ``s``, ``c`` = :math:`s_i`, :math:`c_i`; ``keys`` = :math:`W_k H`;
``attention`` = :math:`\alpha` (B, U + 1, T).

References
----------
Chan, Jaitly, Le & Vinyals (2016), "Listen, attend and spell", ICASSP,
arXiv:1508.01211, sec. 3.
"""

# Shapes: B batch, N feature frames, T listener frames, U target length,
#         V = len(charset) labels (0 = <eos>), d = d_model.

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from slmsurvey._checks import check_int, check_real
from slmsurvey.asr.ctc import ctc_loss
from slmsurvey.asr.recognizer import CharacterSet, FrontEnd, check_charset
from slmsurvey.nn.attention import scaled_dot_product_attention
from slmsurvey.nn.transformer import padding_mask

__all__ = ["ListenAttendSpell"]

EOS = 0


class _PyramidalListener(nn.Module):
    """BiLSTM layers; each layer after the first halves the frame rate."""

    def __init__(self, d_model: int, layers: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            nn.LSTM(
                d_model * (1 if j == 0 else 2),
                d_model // 2,
                bidirectional=True,
                batch_first=True,
            )  # fmt: skip
            for j in range(layers)
        )

    def forward(
        self, h: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        for j, lstm in enumerate(self.layers):
            if j > 0:  # [h_2u; h_2u+1]: pairs of frames, an odd last one dropped
                B, T, d = h.shape
                h = h[:, : T // 2 * 2].reshape(B, T // 2, 2 * d)
                lengths = lengths // 2
            packed = nn.utils.rnn.pack_padded_sequence(
                h, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            h = nn.utils.rnn.pad_packed_sequence(
                lstm(packed)[0], batch_first=True, total_length=h.shape[1]
            )[0]
        return h, lengths


class ListenAttendSpell(nn.Module):
    r"""A small Listen, Attend and Spell model (see the module docstring).

    Parameters
    ----------
    charset : CharacterSet
        Output labels; label 0 is ``<eos>``.
    n_features : int
        Features per input frame.
    d_model : int, keyword-only
        Width of the listener, the speller and the attention (even).
    listener_layers : int, keyword-only
        BiLSTM layers; the listener's frame rate is that of the front end
        divided by :math:`2^{\text{layers} - 1}`.
    stack : int, keyword-only
        Frames stacked by the :class:`~slmsurvey.asr.recognizer.FrontEnd`.
    dropout : float, keyword-only
        Dropout on label embeddings and before the output layer.
    ctc_weight : float, keyword-only
        :math:`\lambda \in [0, 1]`: train on :math:`(1 - \lambda)` times the
        attention loss plus :math:`\lambda` times a CTC loss on a linear layer
        over the listener (joint CTC-attention training, Kim et al. 2017;
        label 0 serves as the blank). An utterance with fewer listener frames
        than its CTC alignment needs contributes no CTC loss
        (``zero_infinity``).

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> chars = CharacterSet(["yes", "no"], reserved="<eos>")
    >>> model = ListenAttendSpell(chars, n_features=8, d_model=16)
    >>> feats, lengths = torch.randn(2, 40, 8), torch.tensor([40, 31])
    >>> logits, attention = model(feats, lengths, ["yes", "no"])
    >>> tuple(logits.shape), tuple(attention.shape)  # U + 1 = 4 steps, T = 6
    ((2, 4, 6), (2, 4, 6))
    >>> bool(model.loss(feats, lengths, ["yes", "no"]) > 0)
    True
    >>> len(model.transcribe(feats, lengths, beam=3, max_len=5))
    2
    """

    def __init__(
        self,
        charset: CharacterSet,
        n_features: int,
        *,
        d_model: int = 128,
        listener_layers: int = 2,
        stack: int = 3,
        dropout: float = 0.1,
        ctc_weight: float = 0.0,
    ) -> None:
        super().__init__()
        check_charset(charset)
        d = check_int(d_model, "d_model", 2)
        if d % 2:
            raise ValueError(f"d_model must be even, got {d}")
        check_real(dropout, "dropout", low=0.0)
        self.ctc_weight = check_real(ctc_weight, "ctc_weight", low=0.0)
        if self.ctc_weight > 1:
            raise ValueError(f"ctc_weight must lie in [0, 1], got {ctc_weight}")
        V = len(charset)
        self.charset = charset
        self.front_end = FrontEnd(n_features, d, stack=stack)
        self.listener = _PyramidalListener(d, check_int(listener_layers, "layers", 1))
        self.embed = nn.Embedding(V, d)
        self.speller = nn.LSTMCell(2 * d, d)
        self.W_q = nn.Linear(d, d, bias=False)
        self.W_k = nn.Linear(d, d, bias=False)
        self.W_c = nn.Linear(2 * d, d)
        self.W_o = nn.Linear(d, V)
        self.dropout = nn.Dropout(dropout)
        self.ctc_head = nn.Linear(d, V) if self.ctc_weight > 0 else None

    def listen(
        self, features: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Listener states :math:`H` (B, T, d) and their lengths (B,)."""
        h, lengths = self.front_end(features, lengths)
        if bool((lengths < 2 ** (len(self.listener.layers) - 1)).any()):
            raise ValueError("an utterance is too short for the pyramidal listener")
        return self.listener(h, lengths)

    def _start(self, H: torch.Tensor, lengths: torch.Tensor):
        B, T, d = H.shape
        allowed = ~padding_mask(lengths, T).to(H.device)  # (B, T)
        zeros = H.new_zeros(B, d)
        state = (zeros, zeros, zeros)  # s, LSTM cell, c
        return self.W_k(H), allowed[:, None, :], state  # keys, mask (B, 1, T)

    def _step(self, y_prev, state, H, keys, allowed):
        """One speller step: logits (B, V), the new state, attention (B, T)."""
        s, cell, c = state
        x = torch.cat([self.dropout(self.embed(y_prev)), c], dim=-1)  # (B, 2d)
        s, cell = self.speller(x, (s, cell))
        q = self.W_q(s)[:, None, :]  # (B, 1, d)
        c, alpha = scaled_dot_product_attention(q, keys, H, mask=allowed)
        c, alpha = c[:, 0], alpha[:, 0]  # (B, d), (B, T)
        out = torch.tanh(self.W_c(torch.cat([s, c], dim=-1)))
        return self.W_o(self.dropout(out)), (s, cell, c), alpha

    def forward(
        self, features: torch.Tensor, lengths: torch.Tensor, texts: Sequence[str]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Teacher-forced logits (B, U + 1, V) and attention (B, U + 1, T).

        Step :math:`i` is fed :math:`y_{i-1}` (``<eos>`` first) and scored
        against :math:`y_i` (``<eos>`` last).
        """
        return self._teacher_forced(features, lengths, texts)[:2]

    def _teacher_forced(self, features, lengths, texts):
        targets, _ = self.charset.targets(texts)  # (B, U), 0-padded
        if len(texts) != features.shape[0]:
            raise ValueError(
                f"texts has {len(texts)} items but features has {features.shape[0]}"
            )
        H, enc_lengths = self.listen(features, lengths)
        keys, allowed, state = self._start(H, enc_lengths)
        y_in = F.pad(targets, (1, 0), value=EOS).to(H.device)  # (B, U + 1)
        logits, attention = [], []
        for i in range(y_in.shape[1]):
            out, state, alpha = self._step(y_in[:, i], state, H, keys, allowed)
            logits.append(out)
            attention.append(alpha)
        return torch.stack(logits, 1), torch.stack(attention, 1), H, enc_lengths

    def loss(
        self,
        features: torch.Tensor,
        lengths: torch.Tensor,
        texts: Sequence[str],
        *,
        label_smoothing: float = 0.0,
    ) -> torch.Tensor:
        r"""Mean cross-entropy per output label, ``<eos>`` included.

        :math:`-\frac{1}{\sum_b (U_b + 1)} \sum_b \sum_{i=1}^{U_b + 1} \log
        P(y_{b,i} \mid X_b, y_{b,<i})` under teacher forcing.
        """
        logits, _, H, enc_lengths = self._teacher_forced(features, lengths, texts)
        targets, target_lengths = self.charset.targets(texts)
        y_out = F.pad(targets, (0, 1), value=EOS)  # (B, U + 1)
        steps = torch.arange(y_out.shape[1])[None, :]
        y_out[steps > target_lengths[:, None]] = -100  # ignored
        loss = F.cross_entropy(
            logits.transpose(1, 2), y_out.to(logits.device),
            ignore_index=-100, label_smoothing=label_smoothing,
        )  # fmt: skip
        if self.ctc_head is None:
            return loss
        log_probs = self.ctc_head(H).log_softmax(-1).transpose(0, 1)  # (T, B, V)
        ctc = ctc_loss(
            log_probs, targets, enc_lengths, target_lengths, zero_infinity=True
        )  # an utterance with too few listener frames adds nothing
        return (1 - self.ctc_weight) * loss + self.ctc_weight * ctc

    @torch.no_grad()
    def transcribe(
        self,
        features: torch.Tensor,
        lengths: torch.Tensor,
        *,
        beam: int | None = None,
        max_len: int | None = None,
        return_attention: bool = False,
    ) -> list[str] | tuple[list[str], list[torch.Tensor]]:
        r"""Decode each utterance: greedily, or with a beam of width ``beam``.

        Greedy decoding feeds back the most probable label until ``<eos>``.
        Beam search keeps the ``beam`` best unfinished prefixes by
        :math:`\log P(y_{\le i} \mid X)`; a prefix extended by ``<eos>`` is
        finished, and search stops once no unfinished prefix can beat the
        best finished one, so a beam as wide as the number of prefixes is
        exact. After ``max_len`` labels (default: twice the listener frames
        plus 10) only ``<eos>`` may follow. ``beam=1`` equals greedy.

        With ``return_attention``, also the attention weights (U + 1, T) of
        each chosen output. Runs in evaluation mode and restores the mode.
        """
        if beam is not None:
            check_int(beam, "beam", 1)
        if max_len is not None:
            check_int(max_len, "max_len", 0)
        was_training = self.training
        self.eval()
        try:
            H, enc_lengths = self.listen(features, lengths)
            results = [
                self._beam_search(
                    H[b : b + 1, :T_b],
                    enc_lengths[b : b + 1],
                    beam or 1,
                    max_len if max_len is not None else 2 * T_b + 10,
                )  # fmt: skip
                for b, T_b in enumerate(enc_lengths.tolist())
            ]
        finally:
            self.train(was_training)
        texts = [self.charset.decode(labels) for labels, _, _ in results]
        if return_attention:
            return texts, [torch.stack(alphas) for _, _, alphas in results]
        return texts

    def _beam_search(self, H, lengths, beam: int, max_len: int):
        """Best (labels, log prob, attention rows) for one utterance."""
        keys, allowed, state = self._start(H, lengths)
        alive = [([], 0.0, state, [])]  # labels, log P, speller state, alphas
        finished: list[tuple[list[int], float, list]] = []
        for i in range(max_len + 1):
            prev = torch.tensor([y[-1] if y else EOS for y, *_ in alive])
            states = tuple(map(torch.cat, zip(*(a[2] for a in alive), strict=True)))
            k = len(alive)
            logits, new, alpha = self._step(
                prev.to(H.device), states, H.expand(k, -1, -1),
                keys.expand(k, -1, -1), allowed.expand(k, -1, -1),
            )  # fmt: skip
            log_p = logits.log_softmax(-1).double().cpu()  # (k, V)
            if i == max_len:  # only <eos> may follow now
                log_p[:, 1:] = float("-inf")
            total = log_p + torch.tensor([a[1] for a in alive])[:, None]
            order = total.flatten().argsort(descending=True)[:beam].tolist()
            V = log_p.shape[1]
            next_alive = []
            for flat in order:
                j, label = divmod(flat, V)
                score = float(total[j, label])
                if score == float("-inf"):
                    continue
                alphas = alive[j][3] + [alpha[j]]
                if label == EOS:
                    finished.append((alive[j][0], score, alphas))
                else:
                    row = tuple(part[j : j + 1] for part in new)
                    next_alive.append((alive[j][0] + [label], score, row, alphas))
            best = max((f[1] for f in finished), default=float("-inf"))
            alive = [a for a in next_alive if a[1] > best]
            if not alive:
                break
        return max(finished, key=lambda f: f[1])

r"""Decoding and aligning with a CTC model: greedy, prefix beam search, Viterbi.

Given per-frame log probabilities :math:`\log y^t_k`, decoding looks for the
most probable *labelling*

.. math::

    \hat{\mathbf{y}} = \arg\max_{\mathbf{y}} P(\mathbf{y} \mid X)
    = \arg\max_{\mathbf{y}} \sum_{\pi \in \mathcal{B}^{-1}(\mathbf{y})}
      \prod_t y^t_{\pi_t}.

*Greedy* decoding takes the best label per frame and collapses the path; it
finds the most probable *path*, which need not collapse to the most probable
labelling. *Prefix beam search* keeps the ``beam`` best labelling prefixes
:math:`\ell`, each with the probability :math:`p_b(\ell)` of the paths that
map to it and end in a blank and :math:`p_{nb}(\ell)` of those ending in its
last label, and can fuse a word-level language model into the score

.. math::

    \log P_\mathrm{ctc}(\mathbf{y} \mid X) + \alpha \log P_\mathrm{lm}(W)
    + \beta\, |W|,

where :math:`W` are the words of :math:`\mathbf{y}`. *Forced alignment*
is the other direction: the target is known, and the Viterbi recursion finds
the single most probable path through the CTC trellis, so where each token
starts and ends.

Symbol map: ``log_probs[t, k]`` = :math:`\log y^{t+1}_k`; ``p_b, p_nb`` =
:math:`\log p_b(\ell), \log p_{nb}(\ell)`; ``alpha, beta`` = :math:`\alpha,
\beta`; ``log_delta[s]`` = :math:`\log \delta_t(s)`, the best path into state
:math:`s` of :math:`\mathbf{l}'`; ``psi`` its back-pointers.

References
----------
Graves et al. (2006), ICML, section 3.2 (best-path and prefix decoding).
doi:10.1145/1143844.1143891.
Hannun, Maas, Jurafsky & Ng (2014), "First-pass large vocabulary continuous
speech recognition using bi-directional recurrent DNNs", arXiv:1408.2873.
"""

# Shapes: T frames, B batch, U target length, L = 2 U + 1 extended labels,
#         V vocabulary (blank included).

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Sequence
from typing import NamedTuple

import torch
import torch.nn.functional as F

from slmsurvey.asr.ctc import (
    NEG_INF,
    _as_label_list,
    _as_lengths,
    _check_blank,
    _check_log_probs,
    _extend,
    collapse,
)
from slmsurvey.lm.ngram import EOS

__all__ = [
    "CTCAlignment",
    "ctc_forced_align",
    "ctc_greedy_decode",
    "ctc_prefix_beam_search",
]


def ctc_greedy_decode(
    log_probs: torch.Tensor,
    input_lengths: torch.Tensor | Sequence[int] | None = None,
    *,
    blank: int = 0,
) -> list[list[int]]:
    r"""Best-path (greedy) decoding: the best label per frame, collapsed.

    .. math::

        \hat\pi_t = \arg\max_k y^t_k \quad (t = 1, \dots, T_b), \qquad
        \hat{\mathbf{y}} = \mathcal{B}(\hat\pi)

    Parameters
    ----------
    log_probs : torch.Tensor, shape (T, B, V)
        Time-major log probabilities, as for :func:`~slmsurvey.asr.ctc.ctc_loss`.
    input_lengths : torch.Tensor or sequence of int, shape (B,), optional
        Frames :math:`T_b` of each item; all ``T`` by default.
    blank : int, keyword-only
        The blank label.

    Returns
    -------
    list of list of int
        One labelling per batch item.

    Examples
    --------
    >>> import torch
    >>> path = torch.tensor([1, 1, 0, 1, 2, 2, 0])
    >>> log_probs = torch.nn.functional.one_hot(path, 3).float().log()
    >>> ctc_greedy_decode(log_probs[:, None, :])  # (T, 1, V)
    [[1, 1, 2]]
    """
    log_probs = _check_log_probs(log_probs, (3,), "(T, B, V)", arrays=True).detach()
    T, B, V = log_probs.shape
    blank = _check_blank(blank, V)
    if input_lengths is None:
        input_lengths = [T] * B
    lengths = _as_lengths(input_lengths, "input_lengths", B, unbatched=False)
    if bool((lengths > T).any()):
        raise ValueError(
            f"input_lengths must be at most T = {T}, got {lengths.tolist()}"
        )
    best = log_probs.argmax(dim=-1)  # (T, B)
    return [collapse(best[: int(T_b), b], blank) for b, T_b in enumerate(lengths)]


def _logaddexp(a: float, b: float) -> float:
    if a == NEG_INF:
        return b
    if b == NEG_INF:
        return a
    return max(a, b) + math.log1p(math.exp(-abs(a - b)))


class _WordLMScorer:
    """alpha log P_lm + beta |W| of a label prefix, word by word, cached."""

    def __init__(self, lm, vocabulary, word_delimiter, alpha, beta) -> None:
        self.lm, self.vocabulary = lm, vocabulary
        self.delimiter, self.alpha, self.beta = word_delimiter, alpha, beta
        # prefix -> (score of the completed words, completed words, partial word)
        self._cache: dict[tuple[int, ...], tuple[float, tuple[str, ...], str]] = {
            (): (0.0, (), "")
        }

    def _word(self, score: float, words: tuple[str, ...], word: str):
        p = self.lm.prob(word, list(words))
        log_p = math.log(p) if p > 0 else NEG_INF
        return score + self.alpha * log_p + self.beta, (*words, word)

    def _state(self, prefix: tuple[int, ...]):
        i = len(prefix)
        while prefix[:i] not in self._cache:  # longest prefix already scored
            i -= 1
        score, words, partial = self._cache[prefix[:i]]
        for j in range(i, len(prefix)):
            symbol = self.vocabulary[prefix[j]]
            if symbol != self.delimiter:
                partial += symbol
            elif partial:  # a delimiter completes the word before it
                score, words = self._word(score, words, partial)
                partial = ""
            self._cache[prefix[: j + 1]] = (score, words, partial)
        return score, words, partial

    def __call__(self, prefix: tuple[int, ...]) -> float:
        return self._state(prefix)[0]

    def final(self, prefix: tuple[int, ...]) -> float:
        """At the end of the utterance the last word is complete, and
        P(</s> | W) closes the sentence."""
        score, words, partial = self._state(prefix)
        if partial:
            score, words = self._word(score, words, partial)
        p_end = self.lm.prob(EOS, list(words))
        return score + self.alpha * (math.log(p_end) if p_end > 0 else NEG_INF)


def ctc_prefix_beam_search(
    log_probs: torch.Tensor,
    *,
    beam: int = 8,
    blank: int = 0,
    lm: object | None = None,
    alpha: float = 0.5,
    beta: float = 1.0,
    vocabulary: Sequence[str] | None = None,
    word_delimiter: str = " ",
    return_nbest: bool = False,
) -> list[int] | list[tuple[list[int], float]]:
    r"""CTC prefix beam search, optionally fused with a word n-gram LM.

    For each prefix :math:`\ell` and frame :math:`t`, with :math:`\ell^+ =
    \ell` extended by label :math:`k`:

    .. math::

        p_b^{t}(\ell) \mathrel{+}= \big(p_b^{t-1}(\ell) + p_{nb}^{t-1}(\ell)\big)
        \, y^t_b, \qquad
        p_{nb}^{t}(\ell) \mathrel{+}= p_{nb}^{t-1}(\ell)\, y^t_{k}
        \ \text{if } k = \ell_{\mathrm{end}},

        p_{nb}^{t}(\ell^+) \mathrel{+}=
        \begin{cases}
        p_b^{t-1}(\ell)\, y^t_k & k = \ell_{\mathrm{end}}
        \text{ (a repeat needs a blank between)}, \\
        \big(p_b^{t-1}(\ell) + p_{nb}^{t-1}(\ell)\big)\, y^t_k & \text{otherwise,}
        \end{cases}

    then the ``beam`` prefixes with the best :math:`\log(p_b + p_{nb}) +
    \mathrm{LM}(\ell)` survive. With ``lm``, :math:`\mathrm{LM}(\ell)` adds
    :math:`\alpha \log P_\mathrm{lm}(w \mid \text{previous words}) + \beta`
    each time a delimiter completes a word :math:`w`; at the end the last word
    is completed and :math:`\alpha \log P_\mathrm{lm}(\texttt{</s>} \mid W)`
    added, so the final score is :math:`\log P_\mathrm{ctc} + \alpha \log
    P_\mathrm{lm}(W) + \beta |W|` with ``lm.logprob(W)`` in nats. Without
    ``lm`` the score is :math:`\log P_\mathrm{ctc}` alone. A beam wide enough
    never to prune returns the exact :math:`\log P(\mathbf{y} \mid X)`.

    Parameters
    ----------
    log_probs : torch.Tensor or ndarray, shape (T, V)
        One utterance's log probabilities (not necessarily normalised).
    beam : int, keyword-only
        Number of prefixes kept per frame.
    blank : int, keyword-only
        The blank label.
    lm : object with ``prob(word, context)``, optional, keyword-only
        A word-level LM such as :class:`slmsurvey.lm.NGramLM`;
        ``lm.prob(word, previous_words)`` is a probability.
    alpha, beta : float, keyword-only
        LM weight :math:`\alpha` and word bonus :math:`\beta` (used with ``lm``).
    vocabulary : sequence of str, length V, optional, keyword-only
        The character (string) of each label id; required with ``lm``.
    word_delimiter : str, keyword-only
        The vocabulary entry that separates words.
    return_nbest : bool, keyword-only
        Return up to ``beam`` ``(labels, score)`` pairs, best first, instead
        of the best labels.

    Returns
    -------
    list of int, or list of (list of int, float)

    Raises
    ------
    TypeError, ValueError
        On bad ``log_probs`` (see :func:`ctc_greedy_decode`), ``beam < 1``,
        non-finite ``alpha``/``beta``, ``lm`` without ``prob``, or a missing
        or wrong-sized ``vocabulary`` or one without ``word_delimiter``.

    References
    ----------
    Hannun et al. (2014), arXiv:1408.2873, Algorithm 1 (prefix beam search).

    Examples
    --------
    Greedy decoding reads off ``(b, b)`` (probability 0.36) and returns
    ``[]``; but the paths ``(1, 1), (1, b), (b, 1)`` together give the
    labelling ``[1]`` probability 0.64:

    >>> import torch
    >>> log_probs = torch.tensor([[0.6, 0.4], [0.6, 0.4]]).log()
    >>> ctc_greedy_decode(log_probs[:, None])
    [[]]
    >>> labels, score = ctc_prefix_beam_search(log_probs, return_nbest=True)[0]
    >>> labels, round(math.exp(score), 6)
    ([1], 0.64)
    """
    log_probs = _check_log_probs(log_probs, (2,), "(T, V)", arrays=True).detach()
    T, V = log_probs.shape
    blank = _check_blank(blank, V)
    if not isinstance(beam, int) or isinstance(beam, bool):
        raise TypeError(f"beam must be an int, got {type(beam).__name__}")
    if beam < 1:
        raise ValueError(f"beam must be at least 1, got {beam}")
    for name, value in (("alpha", alpha), ("beta", beta)):
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    if vocabulary is not None:
        if isinstance(vocabulary, str) or len(vocabulary) != V:
            raise ValueError(
                f"vocabulary must be a sequence of V = {V} strings (one per "
                f"label id), got {vocabulary!r}"
            )
        if not all(isinstance(c, str) for c in vocabulary):
            raise TypeError("vocabulary must contain strings only")
    lm_score = None
    if lm is not None:
        if not callable(getattr(lm, "prob", None)):
            raise TypeError("lm must have a prob(word, context) method")
        if vocabulary is None:
            raise ValueError("vocabulary is required with lm (to spell the words)")
        if word_delimiter not in vocabulary:
            raise ValueError(f"word_delimiter {word_delimiter!r} is not in vocabulary")
        lm_score = _WordLMScorer(lm, vocabulary, word_delimiter, alpha, beta)

    def rank(item: tuple[tuple[int, ...], list[float]]) -> float:
        log_p_ctc = _logaddexp(*item[1])
        return log_p_ctc if lm_score is None else log_p_ctc + lm_score(item[0])

    rows = log_probs.double().tolist()  # (T, V) as Python floats
    labels = [k for k in range(V) if k != blank]
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (0.0, NEG_INF)}
    for row in rows:
        grown: dict[tuple[int, ...], list[float]] = {}  # prefix -> [p_b, p_nb]
        for prefix, (p_b, p_nb) in beams.items():
            p_total = _logaddexp(p_b, p_nb)
            same = grown.setdefault(prefix, [NEG_INF, NEG_INF])
            # eq. (prefix-blank): a blank keeps the prefix, now ending in blank
            same[0] = _logaddexp(same[0], p_total + row[blank])
            end = prefix[-1] if prefix else None
            for k in labels:
                if row[k] == NEG_INF:
                    continue
                if k == end:
                    # eq. (prefix-repeat): k k collapses into the prefix, and
                    # k b k extends it
                    same[1] = _logaddexp(same[1], p_nb + row[k])
                    if p_b == NEG_INF:
                        continue
                    longer = grown.setdefault((*prefix, k), [NEG_INF, NEG_INF])
                    longer[1] = _logaddexp(longer[1], p_b + row[k])
                else:
                    # eq. (prefix-extend)
                    longer = grown.setdefault((*prefix, k), [NEG_INF, NEG_INF])
                    longer[1] = _logaddexp(longer[1], p_total + row[k])
        beams = dict(heapq.nlargest(beam, grown.items(), key=rank))

    nbest = []
    for prefix, (p_b, p_nb) in beams.items():
        log_p_ctc = _logaddexp(p_b, p_nb)
        if log_p_ctc == NEG_INF and nbest:
            continue  # a repeat with no frame left for the blank between
        score = log_p_ctc if lm_score is None else log_p_ctc + lm_score.final(prefix)
        nbest.append((list(prefix), score))
    nbest.sort(key=lambda item: item[1], reverse=True)
    return nbest if return_nbest else nbest[0][0]


class CTCAlignment(NamedTuple):
    """Result of :func:`ctc_forced_align`.

    Attributes
    ----------
    path : torch.Tensor of int64, shape (T,)
        The label (blank or target token) emitted at each frame.
    states : torch.Tensor of int64, shape (T,)
        The state of :math:`\\mathbf{l}'` (0 … 2U) occupied at each frame;
        target token ``u`` is state ``2u + 1``.
    spans : list of (int, int)
        For each target token, its first frame and one past its last frame.
    log_prob : float
        :math:`\\log P(\\pi^* \\mid X) = \\sum_t \\log y^t_{\\pi^*_t}`.

    Examples
    --------
    >>> import torch
    >>> log_probs = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]).log()
    >>> alignment = ctc_forced_align(log_probs, [1])
    >>> alignment.path.tolist(), alignment.states.tolist(), alignment.spans
    ([1, 0, 0], [1, 2, 2], [(0, 1)])
    """

    path: torch.Tensor
    states: torch.Tensor
    spans: list[tuple[int, int]]
    log_prob: float


def ctc_forced_align(
    log_probs: torch.Tensor, target: Sequence[int] | torch.Tensor, *, blank: int = 0
) -> CTCAlignment:
    r"""The most probable path that collapses to ``target`` (Viterbi).

    The forward recursion of :func:`~slmsurvey.asr.ctc.ctc_loss` with the sum
    replaced by a max:

    .. math::

        \delta_t(s) = y^t_{l'_s}\, \max\big(\delta_{t-1}(s),\
        \delta_{t-1}(s-1),\ [l'_s \ne b \wedge l'_s \ne l'_{s-2}]\,
        \delta_{t-1}(s-2)\big),

        \pi^* = \arg\max_{\pi \in \mathcal{B}^{-1}(\mathbf{y})} P(\pi \mid X),
        \quad \text{ending in } s = L \text{ or } L - 1,

    read back through the back-pointers :math:`\psi_t(s)`.

    Parameters
    ----------
    log_probs : torch.Tensor or ndarray, shape (T, V)
        One utterance's log probabilities.
    target : sequence of int, length U
        The labels, without blanks.
    blank : int, keyword-only
        The blank label.

    Returns
    -------
    CTCAlignment
        ``path`` (T,), ``states`` (T,), per-token ``spans`` and ``log_prob``.

    Raises
    ------
    ValueError
        If ``target`` contains the blank or labels outside ``[0, V)``, needs
        more frames than ``T`` (``U`` plus one per adjacent repeat), or every
        alignment has probability zero; bad ``log_probs`` as in
        :func:`ctc_greedy_decode`.

    Examples
    --------
    >>> import torch
    >>> log_probs = torch.tensor(
    ...     [[0.1, 0.8, 0.1], [0.6, 0.3, 0.1], [0.2, 0.2, 0.6], [0.7, 0.2, 0.1]]
    ... ).log()
    >>> alignment = ctc_forced_align(log_probs, [1, 2])
    >>> alignment.path.tolist(), alignment.spans
    ([1, 0, 2, 0], [(0, 1), (2, 3)])
    >>> round(math.exp(alignment.log_prob), 4)  # 0.8 * 0.6 * 0.6 * 0.7
    0.2016
    """
    log_probs = _check_log_probs(log_probs, (2,), "(T, V)", arrays=True)
    log_probs = log_probs.detach().cpu()
    T, V = log_probs.shape
    blank = _check_blank(blank, V)
    target = _as_label_list(target, "target")
    if any(not 0 <= k < V for k in target):
        raise ValueError(f"target must lie in [0, V) = [0, {V}), got {target}")
    if blank in target:
        raise ValueError(f"target must not contain the blank label {blank}")
    repeats = sum(a == b for a, b in itertools.pairwise(target))
    if len(target) + repeats > T:
        raise ValueError(
            f"target needs at least {len(target) + repeats} frames "
            f"({len(target)} labels + {repeats} blanks between repeats), "
            f"log_probs has T = {T}"
        )
    l_ext, can_skip = _extend(torch.tensor([target], dtype=torch.long), blank)
    l_ext, can_skip = l_ext[0], can_skip[0]  # (L,), (L,)
    L = len(l_ext)
    log_y = log_probs.double()[:, l_ext]  # (T, L)
    states = torch.arange(L)  # (L,)
    log_delta = torch.where(states < 2, log_y[0], NEG_INF)  # (L,)
    psi = torch.zeros(T, L, dtype=torch.long)  # (T, L) back-pointers
    for t in range(1, T):
        step = F.pad(log_delta, (1, 0), value=NEG_INF)[:L]  # (L,): delta(s-1)
        skip = F.pad(log_delta, (2, 0), value=NEG_INF)[:L]  # (L,): delta(s-2)
        skip = torch.where(can_skip, skip, NEG_INF)
        # eq. (ctc-viterbi): the best of the three predecessors
        best, back = torch.stack([log_delta, step, skip]).max(dim=0)  # (L,)
        psi[t] = states - back
        log_delta = best + log_y[t]
    ends = [L - 1, L - 2] if L > 1 else [L - 1]
    s = max(ends, key=lambda e: float(log_delta[e]))
    log_prob = float(log_delta[s])
    if log_prob == NEG_INF:
        raise ValueError("log_probs give every alignment to target probability zero")
    path_states = [s]
    for t in range(T - 1, 0, -1):
        s = int(psi[t, s])
        path_states.append(s)
    path_states.reverse()
    states_t = torch.tensor(path_states, dtype=torch.long)  # (T,)
    spans = []
    for u in range(len(target)):
        frames = torch.nonzero(states_t == 2 * u + 1).flatten()
        spans.append((int(frames[0]), int(frames[-1]) + 1))
    return CTCAlignment(l_ext[states_t], states_t, spans, log_prob)

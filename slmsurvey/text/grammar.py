r"""Probabilistic grammars whose entropy rate is known exactly.

A :class:`ToyGrammar` is a probabilistic finite-state grammar: from each state
it emits one token and moves to the next state, and the sentence ends when it
emits ``</s>``. Because each state emits distinct tokens, the token sequence
determines the state path, so the entropy of a sentence is the expected sum of
the entropies of the states it visits:

.. math::

    H(\text{sentence}) = \sum_s v_s\, H_s, \qquad
    H_s = -\sum_{x} p(x \mid s) \log_2 p(x \mid s), \qquad
    v = e_{\text{start}}^\top (I - Q)^{-1},

where :math:`Q_{ss'}` is the probability of moving from :math:`s` to
:math:`s'` and :math:`v_s` the expected number of visits to :math:`s`. Every
visit emits one token (a word or ``</s>``), so the entropy rate per token is

.. math::

    H = \frac{\sum_s v_s H_s}{\sum_s v_s}, \qquad \mathrm{PPL} \ge 2^{H},

the lower bound on the perplexity (per token, ``</s>`` included) that any
model of these sentences can reach (Shannon 1948; Cover & Thomas,
*Elements of Information Theory*, 2nd ed., section 4.2).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence

import numpy as np

from slmsurvey.lm.ngram import EOS

__all__ = ["ToyGrammar"]


class ToyGrammar:
    """A probabilistic finite-state grammar with an exact entropy rate.

    Parameters
    ----------
    rules : mapping of str to sequence of (token, next_state, probability)
        For each state, the tokens it can emit, the state each leads to and
        its probability. The tokens of one state are distinct; the
        probabilities of a state sum to 1. Emitting ``"</s>"`` (with
        ``next_state=None``) ends the sentence; no other rule may end it.
    start : str
        The start state.

    Examples
    --------
    A grammar of the sentences "yes" and "no", each with probability 1/2,
    then an end: two tokens per sentence, one bit in total, so 1/2 bit per
    token.

    >>> g = ToyGrammar({"S": [("yes", "E", 0.5), ("no", "E", 0.5)],
    ...                 "E": [("</s>", None, 1.0)]}, start="S")
    >>> g.entropy_rate()
    0.5
    >>> g.sample(3, seed=0)
    [['no'], ['yes'], ['no']]
    >>> g.sentence_logprob(["yes"])
    -1.0
    """

    def __init__(
        self, rules: Mapping[str, Sequence[tuple[str, str | None, float]]], start: str
    ) -> None:
        if not isinstance(rules, Mapping) or not rules:
            raise ValueError("rules must be a non-empty mapping of states to rules")
        if start not in rules:
            raise ValueError(f"start state {start!r} is not in rules")
        self.states = list(rules)
        self.start = start
        self._rules: dict[str, dict[str, tuple[str | None, float]]] = {}
        for state, options in rules.items():
            self._rules[state] = self._check_state(state, options)
        self._Q = self._transition_matrix()

    def _check_state(self, state, options) -> dict[str, tuple[str | None, float]]:
        table: dict[str, tuple[str | None, float]] = {}
        for token, nxt, p in options:
            if token in table:
                raise ValueError(
                    f"rules[{state!r}] emits {token!r} twice; tokens of one "
                    "state must be distinct so that a sentence fixes its path"
                )
            if not 0 < p <= 1:
                raise ValueError(f"rules[{state!r}]: probability {p} not in (0, 1]")
            if (token == EOS) != (nxt is None):
                raise ValueError(
                    f"rules[{state!r}]: only '</s>' ends a sentence "
                    "(with next_state None)"
                )
            if nxt is not None and nxt not in self.states:
                raise ValueError(f"rules[{state!r}]: unknown next state {nxt!r}")
            table[token] = (nxt, p)
        total = sum(p for _, p in table.values())
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            raise ValueError(f"rules[{state!r}]: probabilities sum to {total}, not 1")
        return table

    def _transition_matrix(self) -> np.ndarray:
        index = {s: i for i, s in enumerate(self.states)}
        Q = np.zeros((len(self.states), len(self.states)))
        for s, table in self._rules.items():
            for nxt, p in table.values():
                if nxt is not None:
                    Q[index[s], index[nxt]] += p
        if np.max(np.abs(np.linalg.eigvals(Q))) >= 1 - 1e-12:
            raise ValueError(
                "rules: some sentences never end (a set of states has no path "
                "to '</s>')"
            )
        return Q

    @property
    def vocabulary(self) -> list[str]:
        """All tokens the grammar can emit, sorted (``</s>`` included)."""
        return sorted({t for table in self._rules.values() for t in table})

    def expected_visits(self) -> np.ndarray:
        """:math:`v = e_{start}^T (I - Q)^{-1}`: mean visits to each state."""
        e = np.zeros(len(self.states))
        e[self.states.index(self.start)] = 1.0
        return np.linalg.solve((np.eye(len(e)) - self._Q).T, e)

    def expected_length(self) -> float:
        """Mean number of tokens per sentence, ``</s>`` included."""
        return float(self.expected_visits().sum())

    def entropy_rate(self) -> float:
        """Entropy in bits per token (``</s>`` included): eq. (entropy-rate)."""
        H_s = np.array(
            [
                -sum(p * math.log2(p) for _, p in self._rules[s].values())
                for s in self.states
            ]
        )
        v = self.expected_visits()
        return float(v @ H_s / v.sum())

    def sample(self, n: int, *, seed: int | None = None) -> list[list[str]]:
        """Draw ``n`` sentences (lists of tokens, without ``</s>``)."""
        if not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be a non-negative int, got {n!r}")
        rng = np.random.default_rng(seed)
        tables = {
            s: (
                list(t),
                [nxt for nxt, _ in t.values()],
                np.cumsum([p for _, p in t.values()]),
            )
            for s, t in self._rules.items()
        }
        out = []
        for _ in range(n):
            state, sentence = self.start, []
            while state is not None:
                tokens, nexts, cdf = tables[state]
                # inverse-CDF sampling; min() guards against round-off at 1
                i = min(bisect.bisect_right(cdf, rng.random()), len(tokens) - 1)
                if tokens[i] != EOS:
                    sentence.append(tokens[i])
                state = nexts[i]
            out.append(sentence)
        return out

    def sentence_logprob(self, sentence: Sequence[str], *, base: float = 2.0) -> float:
        """Exact :math:`\\log_b P(\\text{sentence}, \\texttt{</s>})`; ``-inf`` if
        the grammar cannot produce it."""
        if isinstance(sentence, str):
            raise TypeError("sentence must be a list of tokens, not a str")
        state, total = self.start, 0.0
        for token in [*sentence, EOS]:
            if state is None or token not in self._rules[state]:
                return -math.inf
            state, p = self._rules[state][token]
            total += math.log(p, base)
        return total

    @classmethod
    def english_like(cls) -> ToyGrammar:
        """The book's default grammar: English-like sentences with agreement.

        Subject and verb agree in number (*the dog runs*, *the dogs run*),
        determiners agree with nouns across any number of adjectives (*a big
        old dog*, *some big old dogs*), an adverb may stand between subject
        and verb, and sentences can be joined with *and*. The agreement
        across adjectives and adverbs makes longer contexts pay off, so
        perplexity keeps falling as the n-gram order grows.

        Examples
        --------
        >>> g = ToyGrammar.english_like()
        >>> round(g.entropy_rate(), 3)
        2.042
        >>> " ".join(g.sample(1, seed=3)[0])
        'the cat often sees the bird'
        """
        return cls(_english_like_rules(), start="S")


_NOUNS = {
    "sg": ["dog", "cat", "bird", "child"],
    "pl": ["dogs", "cats", "birds", "children"],
}
P_ADJ = 0.1  # probability of one more adjective in a noun phrase
_ADJECTIVES = ["big", "small", "old", "red"]
_INTRANSITIVE = {"sg": ["sleeps", "runs", "sings"], "pl": ["sleep", "run", "sing"]}
_TRANSITIVE = {"sg": ["sees", "chases", "likes"], "pl": ["see", "chase", "like"]}


def _noun_phrase(name: str, after: dict[str, str]) -> dict:
    """States of a noun phrase: determiner, then adjectives, then a noun.

    ``name`` is the state before the determiner; ``after[num]`` the state
    after a noun of number ``num``. "the" allows either number, "a" only the
    singular and "some" only the plural, however many adjectives intervene.
    """
    rules = {
        name: [
            ("the", f"{name}:any", 0.6),
            ("a", f"{name}:sg", 0.25),
            ("some", f"{name}:pl", 0.15),
        ]
    }
    for agree in ("any", "sg", "pl"):
        numbers = ["sg", "pl"] if agree == "any" else [agree]
        adjectives = [(a, f"{name}:{agree}", P_ADJ / 4) for a in _ADJECTIVES]
        nouns = [
            (w, after[num], (1 - P_ADJ) / len(numbers) / 4)
            for num in numbers
            for w in _NOUNS[num]
        ]
        rules[f"{name}:{agree}"] = adjectives + nouns
    return rules


def _english_like_rules() -> dict:
    rules = _noun_phrase("S", {"sg": "V:sg", "pl": "V:pl"})
    for num in ("sg", "pl"):
        # "often" may stand between subject and verb; the verb still agrees.
        for state, share in ((f"V:{num}", 0.8), (f"often:{num}", 1.0)):
            rules[state] = [(v, "END", share / 6) for v in _INTRANSITIVE[num]]
            rules[state] += [(v, "O", share / 6) for v in _TRANSITIVE[num]]
        rules[f"V:{num}"].append(("often", f"often:{num}", 0.2))
    rules.update(_noun_phrase("O", {"sg": "END", "pl": "END"}))
    rules["END"] = [(EOS, None, 0.85), ("and", "S", 0.15)]
    return rules

r"""The feed-forward neural language model of Bengio et al. (2003).

An n-gram model counts whole contexts, so it knows nothing about a context it
has never seen. Bengio et al. instead map each word :math:`w` to a learned
vector :math:`C(w) \in \mathbb{R}^m` and predict the next word from the
concatenated vectors of the :math:`n-1` previous words:

.. math::

    x &= \big(C(w_{t-n+1}), \ldots, C(w_{t-1})\big) \in \mathbb{R}^{(n-1)m} \\
    y &= b + U \tanh(d + H x) \in \mathbb{R}^{|V|} \\
    P(w_t = i \mid w_{t-n+1}^{t-1}) &= \frac{e^{y_i}}{\sum_j e^{y_j}}

Words used in similar contexts get similar vectors, so probability mass
spreads to word sequences that were never seen: the model generalises where
counting cannot. (The paper's optional direct connection :math:`W x` from the
embeddings to the output is left out.)

Symbols and code: :math:`C` is ``model.C`` (an ``nn.Embedding`` whose
``weight`` is the (V, m) table), :math:`H` and :math:`d` are ``model.H.weight``
and ``model.H.bias``, :math:`U` and :math:`b` are ``model.U.weight`` and
``model.U.bias``; m is ``d_embed``, h is ``d_hidden``, n-1 is ``context_size``.

References
----------
Bengio, Ducharme, Vincent & Jauvin (2003), "A neural probabilistic language
model", Journal of Machine Learning Research 3:1137-1155.
"""

# Shapes: B batch, V vocabulary size, n-1 context size, m embedding size (d_embed),
#         h hidden size (d_hidden), M number of prediction windows in a corpus.

from __future__ import annotations

import math
import operator
from collections.abc import Sequence

import torch
from torch import nn
from tqdm.auto import tqdm

from slmsurvey.metrics.perplexity import perplexity

__all__ = ["FeedForwardLM", "context_windows", "fit_lm", "lm_perplexity"]

_INT_DTYPES = (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8)


def _positive_int(value: object, name: str, minimum: int = 1) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


class FeedForwardLM(nn.Module):
    r"""Bengio et al.'s (2003) neural probabilistic language model.

    .. math::

        y = b + U \tanh\big(d + H\,(C(w_{t-n+1}), \ldots, C(w_{t-1}))\big)

    Parameters
    ----------
    vocab_size : int
        V, the number of word types (ids ``0 .. V-1``, special tokens included).
    context_size : int
        n-1, the number of previous words the model sees (an n-gram model).
    d_embed : int
        m, the size of each word's embedding :math:`C(w)`.
    d_hidden : int
        h, the number of tanh hidden units.

    Attributes
    ----------
    C : torch.nn.Embedding
        The word embedding table; ``C.weight`` has shape (V, m), row *w* is
        :math:`C(w)`.
    H : torch.nn.Linear
        Hidden layer: ``H.weight`` is :math:`H`, shape (h, (n-1) m), and
        ``H.bias`` is :math:`d`, shape (h,).
    U : torch.nn.Linear
        Output layer: ``U.weight`` is :math:`U`, shape (V, h), and ``U.bias``
        is :math:`b`, shape (V,).

    References
    ----------
    Bengio, Ducharme, Vincent & Jauvin (2003), "A neural probabilistic
    language model", JMLR 3:1137-1155, eq. (1) without the direct connection.

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> model = FeedForwardLM(vocab_size=10, context_size=3, d_embed=4)
    >>> logits = model(torch.tensor([[1, 2, 3], [0, 0, 7]]))
    >>> tuple(logits.shape)
    (2, 10)
    >>> tuple(model.C.weight.shape)
    (10, 4)
    """

    def __init__(
        self,
        vocab_size: int,
        context_size: int,
        d_embed: int = 16,
        d_hidden: int = 64,
    ) -> None:
        super().__init__()
        self.vocab_size = _positive_int(vocab_size, "vocab_size")
        self.context_size = _positive_int(context_size, "context_size")
        self.d_embed = _positive_int(d_embed, "d_embed")
        self.d_hidden = _positive_int(d_hidden, "d_hidden")
        self.C = nn.Embedding(vocab_size, d_embed)  # C: (V, m)
        self.H = nn.Linear(context_size * d_embed, d_hidden)  # H: (h, (n-1) m), d: (h,)
        self.U = nn.Linear(d_hidden, vocab_size)  # U: (V, h), b: (V,)

    def _check_ids(self, context_ids: torch.Tensor) -> None:
        if not isinstance(context_ids, torch.Tensor):
            raise TypeError(
                f"context_ids must be a torch.Tensor, got {type(context_ids).__name__}"
            )
        if context_ids.dtype not in _INT_DTYPES:
            raise TypeError(
                f"context_ids must hold integer ids, got dtype {context_ids.dtype}"
            )
        if context_ids.ndim != 2 or context_ids.shape[1] != self.context_size:
            raise ValueError(
                f"context_ids must have shape (B, {self.context_size}), "
                f"got {tuple(context_ids.shape)}"
            )
        if context_ids.numel() and not bool(
            ((context_ids >= 0) & (context_ids < self.vocab_size)).all()
        ):
            raise ValueError(
                f"context_ids must lie in [0, {self.vocab_size}), got values in "
                f"[{int(context_ids.min())}, {int(context_ids.max())}]"
            )

    def embed(self, context_ids: torch.Tensor) -> torch.Tensor:
        r"""The concatenated context embeddings :math:`x`.

        .. math::

            x = \big(C(w_{t-n+1}), \ldots, C(w_{t-1})\big)

        Parameters
        ----------
        context_ids : torch.LongTensor, shape (B, n-1)
            The previous n-1 word ids, oldest first.

        Returns
        -------
        torch.Tensor, shape (B, (n-1) m)
        """
        self._check_ids(context_ids)
        B = context_ids.shape[0]
        # lookup C(w) = one_hot(w) @ C for every context word
        e = self.C(context_ids.long())  # (B, n-1, m)
        return e.reshape(B, self.context_size * self.d_embed)  # (B, (n-1) m)

    def forward(self, context_ids: torch.Tensor) -> torch.Tensor:
        r"""Logits :math:`y` of the next word given its context.

        .. math::

            y = b + U \tanh(d + H x)

        Parameters
        ----------
        context_ids : torch.LongTensor, shape (B, n-1)
            The previous n-1 word ids, oldest first, each in [0, V).

        Returns
        -------
        torch.Tensor, shape (B, V)
            Unnormalised log-probabilities; ``softmax(y, -1)`` is
            :math:`P(w_t \mid \text{context})`.

        Raises
        ------
        TypeError
            If ``context_ids`` is not an integer tensor.
        ValueError
            If ``context_ids`` is not (B, n-1) or holds an id outside [0, V).
        """
        x = self.embed(context_ids)  # (B, (n-1) m)
        # hidden layer tanh(d + H x): (B, (n-1) m) @ ((n-1) m, h) -> (B, h)
        a = torch.tanh(self.H(x))  # (B, h)
        return self.U(a)  # b + U a: (B, h) @ (h, V) -> (B, V)


def context_windows(
    sentences_ids: Sequence[Sequence[int]],
    context_size: int,
    *,
    bos_id: int,
    eos_id: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Every (context, next word) pair of a corpus, for an n-gram-style model.

    Each sentence :math:`w_1 \ldots w_L` is padded to
    :math:`\langle s\rangle^{n-1} w_1 \ldots w_L \langle /s\rangle` and gives
    the L+1 predictions

    .. math::

        (w_{t-n+1}, \ldots, w_{t-1}) \mapsto w_t, \qquad t = 1, \ldots, L+1,

    with :math:`w_{t} = \langle s\rangle` for :math:`t \le 0` and
    :math:`w_{L+1} = \langle /s\rangle`.

    Parameters
    ----------
    sentences_ids : sequence of sequences of int
        The corpus, one list of word ids per sentence (an empty sentence gives
        the single prediction of ``eos_id`` after ``bos_id`` padding).
    context_size : int
        n-1, the number of previous words in each window, at least 1.
    bos_id, eos_id : int, keyword-only
        Ids of the sentence-start padding and of the sentence-end target.

    Returns
    -------
    X : torch.LongTensor, shape (M, n-1)
        Contexts, oldest word first; M is the sum of (L+1) over sentences.
    y : torch.LongTensor, shape (M,)
        The word that follows each context.

    Raises
    ------
    TypeError
        If an id or ``context_size`` is not an int.
    ValueError
        If ``sentences_ids`` is empty, ``context_size < 1`` or an id is
        negative.

    References
    ----------
    Bengio et al. (2003), "A neural probabilistic language model",
    JMLR 3:1137-1155, sec. 2.

    Examples
    --------
    >>> X, y = context_windows([[5, 6]], 2, bos_id=0, eos_id=1)
    >>> X.tolist(), y.tolist()
    ([[0, 0], [0, 5], [5, 6]], [5, 6, 1])
    """
    n_1 = _positive_int(context_size, "context_size")
    bos = _non_negative_id(bos_id, "bos_id")
    eos = _non_negative_id(eos_id, "eos_id")
    if isinstance(sentences_ids, (str, bytes)) or not isinstance(
        sentences_ids, Sequence
    ):
        raise TypeError(
            "sentences_ids must be a sequence of sentences (lists of int ids), "
            f"got {type(sentences_ids).__name__}"
        )
    if len(sentences_ids) == 0:
        raise ValueError("sentences_ids is empty; give at least one sentence")
    contexts: list[list[int]] = []
    targets: list[int] = []
    for s, sentence in enumerate(sentences_ids):
        if isinstance(sentence, (str, bytes, int)) or not hasattr(sentence, "__len__"):
            raise TypeError(
                f"sentences_ids[{s}] must be a list of int ids, "
                f"got {type(sentence).__name__}"
            )
        ids = [_non_negative_id(w, f"sentences_ids[{s}]") for w in sentence]
        padded = [bos] * n_1 + ids + [eos]
        for t in range(n_1, len(padded)):
            contexts.append(padded[t - n_1 : t])
            targets.append(padded[t])
    X = torch.tensor(contexts, dtype=torch.long).reshape(len(targets), n_1)  # (M, n-1)
    y = torch.tensor(targets, dtype=torch.long)  # (M,)
    return X, y


def _non_negative_id(value: object, name: str) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{name} must hold int ids, got a bool")
    try:
        w = operator.index(value)
    except TypeError as err:
        raise TypeError(
            f"{name} must hold int ids, got {type(value).__name__}"
        ) from err
    if w < 0:
        raise ValueError(f"{name} must hold non-negative ids, got {w}")
    return w


def _check_data(X: object, y: object) -> tuple[torch.Tensor, torch.Tensor]:
    for name, t, ndim in (("X", X, 2), ("y", y, 1)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if t.is_floating_point() or t.is_complex() or t.dtype == torch.bool:
            raise TypeError(f"{name} must hold integer ids, got dtype {t.dtype}")
        if t.ndim != ndim:
            raise ValueError(f"{name} must be {ndim}-D, got shape {tuple(t.shape)}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y must have the same length: X has {X.shape[0]} rows, "
            f"y has {y.shape[0]}"
        )
    if X.shape[0] == 0:
        raise ValueError("X and y are empty")
    return X.long(), y.long()


def _check_targets(y: torch.Tensor, V: int) -> None:
    if not bool(((y >= 0) & (y < V)).all()):
        raise ValueError(
            f"y must lie in [0, {V}) (the model's vocabulary), got values in "
            f"[{int(y.min())}, {int(y.max())}]"
        )


def _device_of(model: nn.Module) -> torch.device:
    try:
        return next(model.parameters()).device
    except StopIteration:
        return torch.device("cpu")


def fit_lm(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int = 5,
    batch_size: int = 256,
    lr: float = 1e-2,
    seed: int = 0,
    progress: bool = True,
) -> list[float]:
    r"""Train a next-word model by minimising cross-entropy with Adam.

    .. math::

        \mathcal{L} = -\frac{1}{M} \sum_{i=1}^{M}
            \log \mathrm{softmax}\big(f(X_i)\big)_{y_i}

    Parameters
    ----------
    model : torch.nn.Module
        Maps a (B, n-1) LongTensor of contexts to (B, V) logits, e.g.
        :class:`FeedForwardLM`. Trained in place.
    X : torch.LongTensor, shape (M, n-1)
        Contexts, as from :func:`context_windows`.
    y : torch.LongTensor, shape (M,)
        Next-word ids, each in [0, V).
    epochs : int, keyword-only
        Passes over the data, at least 1.
    batch_size : int, keyword-only
        Windows per Adam step, at least 1.
    lr : float, keyword-only
        Adam learning rate, positive.
    seed : int, keyword-only
        Seeds the order in which windows are visited (not the model's
        initialisation: seed torch before building the model).
    progress : bool, keyword-only
        Show a tqdm progress bar over epochs.

    Returns
    -------
    list of float
        Mean training cross-entropy of each epoch, in nats per word (averaged
        over the windows while the parameters change within the epoch).

    Raises
    ------
    TypeError
        If ``model`` is not an ``nn.Module`` with parameters, or ``X``/``y``
        are not integer tensors, or an option has the wrong type.
    ValueError
        If ``X`` and ``y`` differ in length or are empty, ``y`` holds an id
        outside the model's vocabulary, or an option is out of range.

    References
    ----------
    Kingma & Ba (2015), "Adam: a method for stochastic optimization".
    arXiv:1412.6980.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> X, y = context_windows([[2, 3, 4]] * 8, 2, bos_id=0, eos_id=1)
    >>> model = FeedForwardLM(vocab_size=5, context_size=2)
    >>> losses = fit_lm(model, X, y, epochs=10, batch_size=8, progress=False)
    >>> len(losses), losses[-1] < 0.01 < losses[0]
    (10, True)
    >>> round(lm_perplexity(model, X, y), 2)  # it has learnt the sentence
    1.0
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not any(True for _ in model.parameters()):
        raise TypeError("model has no parameters to train")
    X, y = _check_data(X, y)
    epochs = _positive_int(epochs, "epochs")
    batch_size = _positive_int(batch_size, "batch_size")
    if not isinstance(lr, (int, float)) or isinstance(lr, bool):
        raise TypeError(f"lr must be a number, got {type(lr).__name__}")
    if not (lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr must be positive and finite, got {lr}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")

    device = _device_of(model)
    X, y = X.to(device), y.to(device)
    M = X.shape[0]
    generator = torch.Generator().manual_seed(seed)
    losses: list[float] = []
    was_training = model.training
    try:
        with torch.no_grad():
            V = model.eval()(X[:1]).shape[-1]  # (1, V); also checks X against model
        _check_targets(y, V)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        model.train()
        bar = tqdm(range(epochs), desc="fit_lm", unit="epoch", disable=not progress)
        for _ in bar:
            order = torch.randperm(M, generator=generator).to(device)  # (M,)
            total = 0.0
            for start in range(0, M, batch_size):
                idx = order[start : start + batch_size]  # (B,)
                logits = model(X[idx])  # (B, V)
                loss = nn.functional.cross_entropy(logits, y[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * idx.numel()
            losses.append(total / M)
            bar.set_postfix(loss=f"{losses[-1]:.3f}")
        bar.close()
    finally:
        model.train(was_training)
    return losses


def lm_perplexity(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    base: float = 2.0,
    batch_size: int = 1024,
) -> float:
    r"""Perplexity of a next-word model on (context, word) pairs.

    .. math::

        \mathrm{PPL} = b^{-\frac{1}{M} \sum_{i=1}^{M} \log_b P(y_i \mid X_i)}

    The value does not depend on the base :math:`b`; the base only sets the
    unit of the cross-entropy in the exponent (bits for 2, nats for e).

    Parameters
    ----------
    model : torch.nn.Module
        Maps a (B, n-1) LongTensor of contexts to (B, V) logits.
    X : torch.LongTensor, shape (M, n-1)
        Contexts, as from :func:`context_windows`.
    y : torch.LongTensor, shape (M,)
        Next-word ids, each in [0, V).
    base : float, keyword-only
        Base of the logarithm, positive and not 1.
    batch_size : int, keyword-only
        Windows scored at a time (bounds memory; does not change the result).

    Returns
    -------
    float
        The perplexity, at least 1; a uniform guess over V words gives V.

    Raises
    ------
    TypeError
        If ``X``/``y`` are not integer tensors.
    ValueError
        If ``X`` and ``y`` differ in length or are empty, ``y`` holds an id
        outside the model's vocabulary, or ``base`` is invalid.

    References
    ----------
    Bengio et al. (2003), "A neural probabilistic language model",
    JMLR 3:1137-1155, sec. 4 (perplexity on Brown and AP News).

    Examples
    --------
    A model whose logits are all zero guesses uniformly over V = 5 words:

    >>> model = FeedForwardLM(vocab_size=5, context_size=2)
    >>> _ = [torch.nn.init.zeros_(p) for p in model.U.parameters()]
    >>> X, y = context_windows([[2, 3, 4]], 2, bos_id=0, eos_id=1)
    >>> round(lm_perplexity(model, X, y), 6)
    5.0
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    X, y = _check_data(X, y)
    batch_size = _positive_int(batch_size, "batch_size")
    if not (isinstance(base, (int, float)) and base > 0 and base != 1):
        raise ValueError(f"base must be positive and not 1, got {base!r}")
    device = _device_of(model)
    was_training = model.training
    model.eval()
    log_probs = []
    try:
        with torch.no_grad():
            for start in range(0, X.shape[0], batch_size):
                X_b = X[start : start + batch_size].to(device)  # (B, n-1)
                y_b = y[start : start + batch_size].to(device)  # (B,)
                logits = model(X_b)  # (B, V)
                _check_targets(y_b, logits.shape[-1])
                log_p = torch.log_softmax(logits.double(), dim=-1)  # (B, V), nats
                # log_b P(y | X) = ln P(y | X) / ln b
                log_probs.append(log_p.gather(1, y_b[:, None])[:, 0] / math.log(base))
    finally:
        model.train(was_training)
    # eq. (perplexity): PPL = b ** (-(1/M) sum log_b P)
    return perplexity(torch.cat(log_probs).cpu().tolist(), base=base)

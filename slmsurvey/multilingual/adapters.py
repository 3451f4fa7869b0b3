r"""Language adapters: one shared encoder, a small set of weights per language.

MAD-X (Pfeiffer et al. 2020) adapts a multilingual encoder to a language by
freezing the encoder and inserting a bottleneck adapter (Houlsby et al.
2019) after its layers, one set of adapters per language:

.. math::

    h^{(j)} \leftarrow A_{\ell}^{(j)}\big(h^{(j)}\big)
    = h^{(j)} + W_{up,\ell}^{(j)}\, f\big(W_{down,\ell}^{(j)} h^{(j)}
      + b_{down,\ell}^{(j)}\big) + b_{up,\ell}^{(j)},

where :math:`h^{(j)}` is the output of layer :math:`j` and :math:`\ell` the
active language. The encoder's weights are shared and never change; adding
a language costs :math:`\sum_j (2 d_j m + d_j + m)` numbers, and switching
language swaps the adapters in place. This module reuses
:class:`slmsurvey.training.Adapter`, :func:`~slmsurvey.training.add_adapters`
and :class:`~slmsurvey.training.AdaptedLayer`: ``add_adapters`` wraps each
chosen layer in an ``AdaptedLayer``, and :meth:`LanguageAdapters.set_language`
points its ``adapter`` at the active language's one.

Symbols and code: :math:`\ell` is ``language``, :math:`A_\ell^{(j)}` is
``adapters[language][j]``, :math:`m` is ``bottleneck``, :math:`d_j` the
width of ``layers[j]``.

References
----------
Pfeiffer, Vulić, Gurevych & Ruder (2020), "MAD-X: an adapter-based framework
for multi-task cross-lingual transfer", sec. 2 (language adapters).
arXiv:2005.00052.
Houlsby et al. (2019), "Parameter-efficient transfer learning for NLP".
arXiv:1902.00751.
"""

# Shapes: ... any leading dims (batch, time), d layer width, m bottleneck.

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch import nn

from slmsurvey.training.adapters import AdaptedLayer, Adapter, add_adapters
from slmsurvey.training.finetune import freeze

__all__ = ["LanguageAdapters"]


class LanguageAdapters(nn.Module):
    r"""A frozen shared encoder with one set of bottleneck adapters per language.

    Construction freezes ``encoder`` (:func:`~slmsurvey.training.freeze`),
    puts an :class:`~slmsurvey.training.AdaptedLayer` after each of
    ``layers`` (:func:`~slmsurvey.training.add_adapters`) and creates the
    adapters of every language. Exactly one language is active: its adapters
    are in the forward pass and are the only parameters with
    ``requires_grad``, so ``trainable_parameters(model)`` (plus a head) is
    what an optimizer should get.

    Parameters
    ----------
    encoder : torch.nn.Module
        The shared network; it is modified in place (layers wrapped).
    layers : list of torch.nn.Module
        Sub-modules of ``encoder`` to adapt, see ``add_adapters``.
    languages : list of str
        Distinct language codes; the first is active at the start.
    bottleneck : int
        :math:`m` of every adapter.
    d_model : int or list of int, keyword-only, optional
        Passed to ``add_adapters``.
    init_std : float, keyword-only
        Passed to :class:`~slmsurvey.training.Adapter`.

    Attributes
    ----------
    adapters : torch.nn.ModuleDict
        Language -> ``ModuleList`` of its adapters, in the order of ``layers``.
    language : str
        The active language.

    Examples
    --------
    >>> import torch
    >>> from slmsurvey.training import trainable_parameters
    >>> _ = torch.manual_seed(0)
    >>> encoder = nn.Sequential(nn.Linear(4, 8), nn.GELU(), nn.Linear(8, 8))
    >>> model = LanguageAdapters(encoder, [encoder[0], encoder[2]], ["de", "sw"], 2)
    >>> model.language, model.n_parameters_per_language()
    ('de', 84)
    >>> sum(p.numel() for p in trainable_parameters(model))  # de's adapters
    84
    >>> model(torch.randn(3, 4)).shape
    torch.Size([3, 8])
    >>> model.set_language("sw").language
    'sw'
    """

    def __init__(
        self,
        encoder: nn.Module,
        layers: Sequence[nn.Module],
        languages: Sequence[str],
        bottleneck: int,
        *,
        d_model: int | Sequence[int] | None = None,
        init_std: float = 1e-2,
    ) -> None:
        super().__init__()
        if not isinstance(encoder, nn.Module):
            raise TypeError(
                f"encoder must be a torch.nn.Module, got {type(encoder).__name__}"
            )
        if isinstance(languages, str) or not isinstance(languages, Sequence):
            raise TypeError("languages must be a list of str")
        if not languages or not all(isinstance(x, str) and x for x in languages):
            raise ValueError("languages must be a non-empty list of non-empty str")
        if len(set(languages)) != len(languages):
            raise ValueError(f"languages must be distinct, got {list(languages)}")
        self.encoder = freeze(encoder)
        first = add_adapters(
            encoder, layers, bottleneck, d_model=d_model, init_std=init_std
        )
        self._slots = [m for m in encoder.modules() if isinstance(m, AdaptedLayer)]
        self._slots = [s for a in first for s in self._slots if s.adapter is a]
        widths = [a.d_model for a in first]
        adapters = {languages[0]: nn.ModuleList(first)}
        for language in languages[1:]:
            adapters[language] = nn.ModuleList(
                Adapter(d, bottleneck, init_std=init_std) for d in widths
            )
        self.adapters = nn.ModuleDict(adapters)
        self.languages = tuple(languages)
        self.set_language(languages[0])

    def set_language(self, language: str) -> LanguageAdapters:
        """Make ``language``'s adapters active (and the only trainable ones).

        Returns ``self``.
        """
        if language not in self.languages:
            raise ValueError(
                f"language must be one of {self.languages}, got {language!r}"
            )
        for code, adapters in self.adapters.items():
            adapters.requires_grad_(code == language)
        for slot, adapter in zip(self._slots, self.adapters[language], strict=True):
            slot.adapter = adapter  # swap A_l^(j) into layer j
        self.language = language
        return self

    def add_language(self, language: str, *, like: str | None = None) -> Adapter:
        """Create adapters for a new ``language`` (copied from ``like``, or fresh).

        The new language is not made active. Returns its first adapter.
        """
        if not isinstance(language, str) or not language:
            raise ValueError("language must be a non-empty str")
        if language in self.languages:
            raise ValueError(f"language {language!r} already has adapters")
        template = self.adapters[self.languages[0]]
        if like is not None:
            if like not in self.languages:
                raise ValueError(f"like must be one of {self.languages}, got {like!r}")
            template = self.adapters[like]
        new = nn.ModuleList()
        for a in template:
            fresh = Adapter(a.d_model, a.bottleneck)
            if like is not None:
                fresh.load_state_dict(a.state_dict())
            fresh.requires_grad_(False)
            new.append(fresh)
        self.adapters[language] = new
        self.languages = (*self.languages, language)
        return new[0]

    def n_parameters_per_language(self) -> int:
        """Numbers in one language's adapters: :math:`\\sum_j (2 d_j m + d_j + m)`."""
        return sum(p.numel() for p in self.adapters[self.language].parameters())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.encoder(*args, **kwargs)

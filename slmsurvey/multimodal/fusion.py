r"""Audio-visual word recognisers: audio alone, late fusion, attention fusion.

Every recogniser maps a batch of padded log-mel frames (100 per second) and
lip images (25 per second) to log-probabilities over :math:`C` words. The
branches are small temporal convolutions that respect each utterance's
length (padded frames are zeroed after every layer, so a padded batch gives
exactly the per-utterance result):

- audio branch: per-utterance mean and variance normalisation of the valid
  log-mel frames, then two 1-D convolutions, giving :math:`h^a_t`;
- visual branch: each :math:`S \times S` lip image flattened, a linear layer,
  then one 1-D convolution, giving :math:`h^v_n`.

The recognisers differ in where the streams meet:

.. math::

    \text{audio only:}\quad \log p(y) = \log\mathrm{softmax}\big(
        W_a\, \mathrm{pool}(h^a)\big)

    \text{late fusion:}\quad \log p(y) = \log\mathrm{softmax}\Big(
        \tfrac12 \log p_a(y) + \tfrac12 \log p_v(y)\Big)

    \text{attention fusion:}\quad \tilde h^a_t = h^a_t +
        \mathrm{CrossAttn}(h^a_t;\ h^v_{1..N}), \quad
        \log p(y) = \log\mathrm{softmax}\big(W\, \mathrm{pool}(\tilde h^a)\big)

Late fusion multiplies the two streams' distributions (a geometric mean,
renormalised): each stream decides alone and the votes are combined.
Attention fusion lets every audio frame fetch evidence from the video frames
it finds relevant, before any decision is made. ``pool`` is the mean and the
maximum over an utterance's valid frames, concatenated.

References
----------
Noda et al. (2015), "Audio-visual speech recognition using deep learning",
Applied Intelligence 42.
Afouras, Chung, Senior, Vinyals & Zisserman (2018), "Deep audio-visual speech
recognition", IEEE TPAMI. arXiv:1809.02108.
"""

# Shapes: B batch, M audio (log-mel) frames, F mel bands, N video frames,
#         S image side, d width of a branch, C classes (words).

from __future__ import annotations

import torch
import torch.nn.functional as torch_F
from torch import nn

from slmsurvey._checks import check_int
from slmsurvey.multimodal.attention import CrossModalAttention

__all__ = [
    "AttentionFusionRecognizer",
    "AudioOnlyRecognizer",
    "LateFusionRecognizer",
    "fit_recognizer",
    "masked_pool",
]


def _valid(lengths: torch.Tensor, T: int) -> torch.Tensor:
    return torch.arange(T, device=lengths.device)[None, :] < lengths[:, None]  # (B, T)


def masked_pool(h: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    r"""Mean and maximum over each sequence's valid frames, concatenated.

    .. math:: \mathrm{pool}(h) = \big[\tfrac{1}{L}\textstyle\sum_{t<L} h_t,\
              \max_{t<L} h_t\big]

    Examples
    --------
    >>> h = torch.tensor([[[1.0], [3.0], [9.0]]])  # 2 valid frames of 3
    >>> masked_pool(h, torch.tensor([2])).tolist()
    [[2.0, 3.0]]
    """
    valid = _valid(lengths, h.shape[1])[:, :, None]  # (B, T, 1)
    mean = (h * valid).sum(1) / lengths[:, None].to(h.dtype)  # (B, d)
    top = h.masked_fill(~valid, float("-inf")).amax(1)  # (B, d)
    return torch.cat([mean, top], dim=1)  # (B, 2d)


def _check_batch(
    audio: object, audio_lengths: object, video: object, video_lengths: object
) -> None:
    for name, x, ndim in (("audio", audio, 3), ("video", video, 4)):
        if not isinstance(x, torch.Tensor) or not x.is_floating_point():
            raise TypeError(f"{name} must be a floating-point torch.Tensor")
        if x.ndim != ndim:
            raise ValueError(f"{name} must have {ndim} dims, got {tuple(x.shape)}")
    if audio.shape[0] != video.shape[0]:
        raise ValueError(
            f"audio and video must hold the same utterances: audio has batch "
            f"{audio.shape[0]}, video has {video.shape[0]}"
        )
    for name, L, x in (
        ("audio_lengths", audio_lengths, audio),
        ("video_lengths", video_lengths, video),
    ):
        if not isinstance(L, torch.Tensor) or L.is_floating_point():
            raise TypeError(f"{name} must be an integer torch.Tensor")
        if L.shape != (x.shape[0],):
            raise ValueError(f"{name} must have shape ({x.shape[0]},)")
        if bool((L < 1).any()) or bool((L > x.shape[1]).any()):
            raise ValueError(f"{name} must lie in [1, {x.shape[1]}]")


class _AudioBranch(nn.Module):
    """CMVN over valid frames, then two 'same' 1-D convolutions: (B, M, d)."""

    def __init__(self, n_mels: int, d: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(n_mels, d, 5, padding=2)
        self.conv2 = nn.Conv1d(d, d, 5, padding=2)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        valid = _valid(lengths, x.shape[1])[:, :, None]  # (B, M, 1)
        count = lengths[:, None, None].to(x.dtype)  # (B, 1, 1)
        mean = (x * valid).sum(1, keepdim=True) / count  # (B, 1, F)
        var = (((x - mean) * valid) ** 2).sum(1, keepdim=True) / count
        z = (x - mean) / (var + 1e-5).sqrt() * valid  # (B, M, F), 0 when padded
        h = torch.relu(self.conv1(z.transpose(1, 2))).transpose(1, 2) * valid
        h = torch.relu(self.conv2(h.transpose(1, 2))).transpose(1, 2)  # (B, M, d)
        return h * valid


class _VisualBranch(nn.Module):
    """Flattened lip images, a linear layer and a 'same' 1-D convolution: (B, N, d)."""

    def __init__(self, n_pixels: int, d: int) -> None:
        super().__init__()
        self.embed = nn.Linear(n_pixels, d)
        self.conv = nn.Conv1d(d, d, 3, padding=1)

    def forward(self, v: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        valid = _valid(lengths, v.shape[1])[:, :, None]  # (B, N, 1)
        flat = v.flatten(2)  # (B, N, S, S) -> (B, N, S S)
        h = torch.relu(self.embed(flat - 0.5)) * valid  # (B, N, d)
        h = torch.relu(self.conv(h.transpose(1, 2))).transpose(1, 2)  # (B, N, d)
        return h * valid


class _Recognizer(nn.Module):
    def __init__(self, n_mels: int, n_pixels: int, n_classes: int, d: int) -> None:
        super().__init__()
        self.n_mels = check_int(n_mels, "n_mels", 1)
        self.n_pixels = check_int(n_pixels, "n_pixels", 1)
        self.n_classes = check_int(n_classes, "n_classes", 2)
        self.d = check_int(d, "d", 1)

    def forward(
        self,
        audio: torch.Tensor,
        audio_lengths: torch.Tensor,
        video: torch.Tensor,
        video_lengths: torch.Tensor,
    ) -> torch.Tensor:
        """Log-probabilities (B, C) of the words, from padded streams.

        ``audio`` (B, M, F) log-mel frames, ``video`` (B, N, S, S) lip images,
        and their valid lengths (B,).
        """
        _check_batch(audio, audio_lengths, video, video_lengths)
        if audio.shape[2] != self.n_mels or video[0, 0].numel() != self.n_pixels:
            raise ValueError(
                f"expected {self.n_mels} mel bands and {self.n_pixels} pixels per "
                f"image, got audio {tuple(audio.shape)}, video {tuple(video.shape)}"
            )
        return self._log_probs(audio, audio_lengths, video, video_lengths)


class AudioOnlyRecognizer(_Recognizer):
    r"""The baseline: the audio branch alone (the video is accepted and ignored).

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> model = AudioOnlyRecognizer(n_mels=8, n_pixels=16, n_classes=3, d=4)
    >>> a, v = torch.randn(2, 10, 8), torch.rand(2, 3, 4, 4)
    >>> L_a, L_v = torch.tensor([10, 7]), torch.tensor([3, 2])
    >>> tuple(model(a, L_a, v, L_v).shape)
    (2, 3)
    """

    def __init__(self, n_mels: int, n_pixels: int, n_classes: int, d: int = 32) -> None:
        super().__init__(n_mels, n_pixels, n_classes, d)
        self.audio = _AudioBranch(n_mels, d)
        self.head = nn.Linear(2 * d, n_classes)

    def _log_probs(self, audio, audio_lengths, video, video_lengths) -> torch.Tensor:
        h_a = self.audio(audio, audio_lengths)  # (B, M, d)
        return torch_F.log_softmax(self.head(masked_pool(h_a, audio_lengths)), -1)


class LateFusionRecognizer(_Recognizer):
    r"""Each stream classifies alone; the log-probabilities are averaged.

    .. math:: \log p(y) = \log\mathrm{softmax}\big(\tfrac12 \log p_a(y)
              + \tfrac12 \log p_v(y)\big)

    ``stream_log_probs`` returns :math:`\log p_a` and :math:`\log p_v`.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> model = LateFusionRecognizer(n_mels=8, n_pixels=16, n_classes=3, d=4)
    >>> a, v = torch.randn(2, 10, 8), torch.rand(2, 3, 4, 4)
    >>> L_a, L_v = torch.tensor([10, 7]), torch.tensor([3, 2])
    >>> log_p = model(a, L_a, v, L_v)
    >>> tuple(log_p.shape), bool(torch.allclose(log_p.exp().sum(1), torch.ones(2)))
    ((2, 3), True)
    """

    def __init__(self, n_mels: int, n_pixels: int, n_classes: int, d: int = 32) -> None:
        super().__init__(n_mels, n_pixels, n_classes, d)
        self.audio = _AudioBranch(n_mels, d)
        self.video = _VisualBranch(n_pixels, d)
        self.head_a = nn.Linear(2 * d, n_classes)
        self.head_v = nn.Linear(2 * d, n_classes)

    def stream_log_probs(
        self, audio, audio_lengths, video, video_lengths
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """:math:`\\log p_a` and :math:`\\log p_v`, each (B, C)."""
        _check_batch(audio, audio_lengths, video, video_lengths)
        h_a = self.audio(audio, audio_lengths)  # (B, M, d)
        h_v = self.video(video, video_lengths)  # (B, N, d)
        log_p_a = torch_F.log_softmax(self.head_a(masked_pool(h_a, audio_lengths)), -1)
        log_p_v = torch_F.log_softmax(self.head_v(masked_pool(h_v, video_lengths)), -1)
        return log_p_a, log_p_v

    def _log_probs(self, audio, audio_lengths, video, video_lengths) -> torch.Tensor:
        log_p_a, log_p_v = self.stream_log_probs(
            audio, audio_lengths, video, video_lengths
        )
        return torch_F.log_softmax(0.5 * (log_p_a + log_p_v), -1)  # (B, C)


class AttentionFusionRecognizer(_Recognizer):
    r"""Audio frames attend to the video frames; then pool and classify.

    .. math:: \tilde h^a_t = h^a_t + \mathrm{CrossAttn}(h^a_t;\ h^v_{1..N})

    The video branch is ``d_video`` wide (default ``d // 2``), to show that
    the two widths need not agree. ``attention_weights`` returns the
    (B, H, M, N) weights of the last forward pass.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> model = AttentionFusionRecognizer(n_mels=8, n_pixels=16, n_classes=3, d=4)
    >>> a, v = torch.randn(2, 10, 8), torch.rand(2, 3, 4, 4)
    >>> L_a, L_v = torch.tensor([10, 7]), torch.tensor([3, 2])
    >>> tuple(model(a, L_a, v, L_v).shape), tuple(model.attention_weights.shape)
    ((2, 3), (2, 1, 10, 3))
    """

    def __init__(
        self,
        n_mels: int,
        n_pixels: int,
        n_classes: int,
        d: int = 32,
        *,
        d_video: int | None = None,
        n_heads: int = 1,
    ) -> None:
        super().__init__(n_mels, n_pixels, n_classes, d)
        d_v = max(1, d // 2) if d_video is None else check_int(d_video, "d_video", 1)
        self.audio = _AudioBranch(n_mels, d)
        self.video = _VisualBranch(n_pixels, d_v)
        self.attend = CrossModalAttention(d, d_v, n_heads=n_heads)
        self.head = nn.Linear(2 * d, n_classes)
        self.attention_weights = torch.empty(0)

    def _log_probs(self, audio, audio_lengths, video, video_lengths) -> torch.Tensor:
        h_a = self.audio(audio, audio_lengths)  # (B, M, d)
        h_v = self.video(video, video_lengths)  # (B, N, d_v)
        pad_v = ~_valid(video_lengths, video.shape[1])  # (B, N)
        seen, weights = self.attend(h_a, h_v, h_v, key_padding_mask=pad_v)
        self.attention_weights = weights.detach()  # (B, H, M, N)
        h = (h_a + seen) * _valid(audio_lengths, audio.shape[1])[:, :, None]
        return torch_F.log_softmax(self.head(masked_pool(h, audio_lengths)), -1)


def fit_recognizer(
    model: _Recognizer,
    audio: torch.Tensor,
    audio_lengths: torch.Tensor,
    video: torch.Tensor,
    video_lengths: torch.Tensor,
    labels: torch.Tensor,
    *,
    epochs: int = 60,
    lr: float = 3e-3,
    batch_size: int = 64,
    seed: int = 0,
) -> list[float]:
    """Train ``model`` with Adam on the negative log-likelihood; return epoch losses.

    Mini-batches are drawn in a shuffled order seeded by ``seed``. The model
    is left in ``eval`` mode.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> model = AudioOnlyRecognizer(n_mels=4, n_pixels=4, n_classes=2, d=4)
    >>> a = torch.randn(8, 6, 4)
    >>> a[4:] += 2.0 * torch.arange(6.0)[:, None]  # class 1 rises over time
    >>> L, v, L_v = torch.full((8,), 6), torch.rand(8, 2, 2, 2), torch.full((8,), 2)
    >>> y = torch.tensor([0] * 4 + [1] * 4)
    >>> losses = fit_recognizer(model, a, L, v, L_v, y, epochs=40, lr=0.05)
    >>> losses[-1] < losses[0]
    True
    """
    if not isinstance(model, _Recognizer):
        raise TypeError("model must be one of this module's recognisers")
    _check_batch(audio, audio_lengths, video, video_lengths)
    if not isinstance(labels, torch.Tensor) or labels.shape != (audio.shape[0],):
        raise ValueError(
            f"labels must be an integer tensor of shape ({audio.shape[0]},)"
        )
    epochs = check_int(epochs, "epochs", 1)
    batch_size = check_int(batch_size, "batch_size", 1)
    gen = torch.Generator().manual_seed(check_int(seed, "seed", 0))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    B = audio.shape[0]
    for _ in range(epochs):
        total = 0.0
        for idx in torch.randperm(B, generator=gen).split(batch_size):
            L_a, L_v = audio_lengths[idx], video_lengths[idx]
            M, N = int(L_a.max()), int(L_v.max())  # trim padding of this batch
            log_p = model(audio[idx, :M], L_a, video[idx, :N], L_v)
            loss = torch_F.nll_loss(log_p, labels[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        losses.append(total / B)
    model.eval()
    return losses

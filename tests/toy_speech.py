"""A toy 'speech' task for recogniser tests: characters as one-hot frames.

Shapes: B batch, N frames, V labels.
"""

import torch
import torch.nn.functional as F

from slmsurvey.asr.recognizer import CharacterSet

WORDS = ["ab", "ba", "abc", "cab"]


def spoken(texts, frames_per_char=4, noise=0.05, seed=0):
    """Synthetic 'speech': each character is a few frames of its one-hot code,
    with silence between characters, plus noise. Returns (B, N, F), (B,)."""
    g = torch.Generator().manual_seed(seed)
    charset = CharacterSet(WORDS)
    V = len(charset)
    seqs = []
    for text in texts:
        frames = []
        for k in charset.encode(text):
            frames += [F.one_hot(torch.tensor(k), V).float()] * frames_per_char
            frames += [torch.zeros(V)] * 2
        seqs.append(torch.stack(frames))
    lengths = torch.tensor([len(s) for s in seqs])
    x = torch.nn.utils.rnn.pad_sequence(seqs, batch_first=True)  # (B, N, V)
    x = x + noise * torch.randn(x.shape, generator=g)
    return x * (
        torch.arange(x.shape[1])[None, :, None] < lengths[:, None, None]
    ), lengths

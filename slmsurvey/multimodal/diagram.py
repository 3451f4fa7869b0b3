"""The book's multimodal architecture figure, drawn with matplotlib.

Three ways to combine speech with another modality, side by side:

(a) a joint embedding space: two encoders trained with a contrastive loss
    (:func:`~slmsurvey.multimodal.clip_loss`) so that paired inputs land
    close together;
(b) late fusion: each stream is classified on its own and the decisions are
    combined (:class:`~slmsurvey.multimodal.LateFusionRecognizer`);
(c) attention fusion: audio frames query the video frames through
    cross-modal attention before a single classifier
    (:class:`~slmsurvey.multimodal.AttentionFusionRecognizer`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

__all__ = ["draw_multimodal_architectures"]

AUDIO, VIDEO, TEXT, JOINT = "#cfe2f3", "#fce5cd", "#d9ead3", "#eadcf0"

# Each panel: boxes (x, y, text, colour) on a 0-1 x 0-1 canvas, then arrows.
_W, _H = 0.36, 0.12
_PANELS = {
    "(a) Joint embedding (contrastive)": (
        [
            (0.25, 0.88, "speech\n(log-mel)", AUDIO),
            (0.75, 0.88, "text\n(characters)", TEXT),
            (0.25, 0.62, "audio\nencoder", AUDIO),
            (0.75, 0.62, "text\nencoder", TEXT),
            (0.5, 0.34, "shared space\n$a_i \\cdot b_j / \\tau$", JOINT),
            (0.5, 0.1, "CLIP loss /\nretrieval", JOINT),
        ],
        [(0, 2), (1, 3), (2, 4), (3, 4), (4, 5)],
    ),
    "(b) Late fusion": (
        [
            (0.25, 0.88, "audio\n100 frames/s", AUDIO),
            (0.75, 0.88, "lip images\n25 frames/s", VIDEO),
            (0.25, 0.62, "audio\nencoder", AUDIO),
            (0.75, 0.62, "visual\nencoder", VIDEO),
            (0.25, 0.36, "classifier\n$\\log p_a$", AUDIO),
            (0.75, 0.36, "classifier\n$\\log p_v$", VIDEO),
            (0.5, 0.1, "average\nlog-probs", JOINT),
        ],
        [(0, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 6)],
    ),
    "(c) Attention fusion": (
        [
            (0.25, 0.88, "audio\n100 frames/s", AUDIO),
            (0.75, 0.88, "lip images\n25 frames/s", VIDEO),
            (0.25, 0.62, "audio\nencoder", AUDIO),
            (0.75, 0.62, "visual\nencoder", VIDEO),
            (0.5, 0.36, "cross-modal attention\nQ: audio, K, V: video", JOINT),
            (0.5, 0.1, "pool +\nclassifier", JOINT),
        ],
        [(0, 2), (1, 3), (2, 4), (3, 4), (4, 5)],
    ),
}


def draw_multimodal_architectures(
    *, figsize: tuple[float, float] = (9.0, 3.8)
) -> Figure:
    """Draw the three fusion architectures as boxes and arrows; return the figure.

    Parameters
    ----------
    figsize : (width, height) in inches, keyword-only

    Returns
    -------
    matplotlib.figure.Figure
        One axes per panel, titled (a), (b), (c), axes hidden.

    Examples
    --------
    >>> fig = draw_multimodal_architectures()
    >>> [ax.get_title() for ax in fig.axes][1]
    '(b) Late fusion'
    >>> plt.close(fig)
    """
    fig, axes = plt.subplots(1, 3, figsize=figsize, layout="constrained")
    for ax, (title, (boxes, arrows)) in zip(axes, _PANELS.items(), strict=True):
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_axis_off()
        ax.set_title(title, fontsize=10)
        for x, y, text, colour in boxes:
            wide = _W * (1.75 if "\n" in text and len(text) > 24 else 1.0)
            ax.add_patch(
                FancyBboxPatch(
                    (x - wide / 2, y - _H / 2), wide, _H,
                    boxstyle="round,pad=0.012", facecolor=colour,
                    edgecolor="0.3", linewidth=0.8,
                )
            )  # fmt: skip
            ax.text(x, y, text, ha="center", va="center", fontsize=7.5)
        for i, j in arrows:
            (x0, y0), (x1, y1) = boxes[i][:2], boxes[j][:2]
            ax.annotate(
                "", xy=(x1, y1 + _H / 2 + 0.012), xytext=(x0, y0 - _H / 2 - 0.012),
                arrowprops=dict(arrowstyle="-|>", color="0.25", lw=0.9),
            )  # fmt: skip
    return fig

"""Neural building blocks: attention (and, as chapters land, RNNs, transformers)."""

from slmsurvey.nn.attention import causal_mask, scaled_dot_product_attention

__all__ = ["causal_mask", "scaled_dot_product_attention"]

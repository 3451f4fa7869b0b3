"""Neural building blocks: recurrent cells, attention, transformers, Conformers,
and a tiny BERT-style text encoder with its heads."""

from slmsurvey.nn.attention import causal_mask, scaled_dot_product_attention
from slmsurvey.nn.bert import (
    MaskedLM,
    SequenceClassifier,
    TextEncoder,
    contextual_embeddings,
)
from slmsurvey.nn.conformer import ConformerBlock, ConvolutionModule, ConvSubsampling
from slmsurvey.nn.gradients import gradient_norms_through_time, run_rnn
from slmsurvey.nn.local_attention import (
    attention_score_count,
    local_attention,
    local_attention_mask,
)
from slmsurvey.nn.rnn import GRUCell, LSTMCell, RNNCell, gru_cell, lstm_cell, rnn_cell
from slmsurvey.nn.seq2seq import Seq2Seq
from slmsurvey.nn.transformer import (
    MultiHeadAttention,
    TransformerDecoderLayer,
    TransformerEncoderLayer,
    padding_mask,
    sinusoidal_positional_encoding,
)

__all__ = [
    "ConformerBlock",
    "ConvSubsampling",
    "ConvolutionModule",
    "GRUCell",
    "LSTMCell",
    "MaskedLM",
    "MultiHeadAttention",
    "RNNCell",
    "Seq2Seq",
    "SequenceClassifier",
    "TextEncoder",
    "TransformerDecoderLayer",
    "TransformerEncoderLayer",
    "attention_score_count",
    "causal_mask",
    "contextual_embeddings",
    "gradient_norms_through_time",
    "gru_cell",
    "local_attention",
    "local_attention_mask",
    "lstm_cell",
    "padding_mask",
    "rnn_cell",
    "run_rnn",
    "scaled_dot_product_attention",
    "sinusoidal_positional_encoding",
]

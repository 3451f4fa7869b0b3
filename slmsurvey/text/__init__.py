"""Text: probabilistic grammars, the book's own prose as a corpus, tokenizers."""

from slmsurvey.text.bpe import BPETokenizer
from slmsurvey.text.corpus import book_sentences, book_text
from slmsurvey.text.grammar import ToyGrammar
from slmsurvey.text.tokenize import (
    CharTokenizer,
    WordTokenizer,
    split_sentences,
    word_tokenize,
)

__all__ = [
    "BPETokenizer",
    "CharTokenizer",
    "ToyGrammar",
    "WordTokenizer",
    "book_sentences",
    "book_text",
    "split_sentences",
    "word_tokenize",
]

"""pycocoevalcap's PTBTokenizer (Stanford CoreNLP 3.4.1), reproduced in pure Python."""
from capeval.tokenizers.ptb.tokenizer import (
    PUNCTUATION,
    SIGNATURE,
    PTBTokenizer,
    stream_lookahead,
    tokenize,
    tokenize_batch,
)

STREAM_CONTEXT = True
"""A caption's tokens depend on the captions after it in the stream (see `tokenize_batch`)."""

__all__ = ["PTBTokenizer", "PUNCTUATION", "SIGNATURE", "STREAM_CONTEXT", "stream_lookahead",
           "tokenize", "tokenize_batch"]

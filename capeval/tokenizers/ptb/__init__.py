"""pycocoevalcap's PTBTokenizer (Stanford CoreNLP 3.4.1), reproduced in pure Python."""
from capeval.tokenizers.ptb.tokenizer import (
    PUNCTUATION,
    SIGNATURE,
    PTBTokenizer,
    tokenize,
    tokenize_batch,
)

__all__ = ["PTBTokenizer", "PUNCTUATION", "SIGNATURE", "tokenize", "tokenize_batch"]

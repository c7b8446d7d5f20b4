"""Loading the golden fixtures written by tools/make_goldens.py (pycocoevalcap 1.2 + Java)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

GOLDEN_DIR = Path(__file__).parent / "fixtures" / "golden"
GOLDEN_FILES = sorted(GOLDEN_DIR.glob("coco_*.json"))


def split_tokens(tokenized: str) -> list[str]:
    """Tokens of a caption as pycocoevalcap's tokenizer returns it (a space-joined string)."""
    return tokenized.split(" ") if tokenized else []


@dataclass
class GoldenCorpus:
    name: str
    ids: list
    hypotheses: list[str]
    references: list[list[str]]
    hypothesis_tokens: list[list[str]]
    reference_tokens: list[list[list[str]]]
    item_scores: list[dict[str, float]]
    corpus_scores: dict[str, float]


def load_golden(path: Path) -> GoldenCorpus:
    data = json.loads(path.read_text(encoding="utf-8"))
    items = data["items"]
    return GoldenCorpus(
        name=path.stem,
        ids=[item["image_id"] for item in items],
        hypotheses=[item["hypothesis"] for item in items],
        references=[item["references"] for item in items],
        hypothesis_tokens=[split_tokens(item["hypothesis_tokens"]) for item in items],
        reference_tokens=[[split_tokens(r) for r in item["reference_tokens"]] for item in items],
        item_scores=[item["scores"] for item in items],
        corpus_scores=data["corpus"],
    )

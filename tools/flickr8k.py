"""Load the Flickr8k train captions as a COCO-sized evaluation (development data, not shipped).

The file (``image<TAB>k<TAB>caption`` with a header row; 6,000 images x 5 captions) lives outside
the repository, e.g. ``../shared/data/flickr8k_train.tsv``. The workload used throughout capeval's
parity checks and benchmarks: caption 0 of each image is the hypothesis, captions 1-4 are the
references.
"""
from __future__ import annotations

import csv
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "shared" / "data" / "flickr8k_train.tsv"


def load_flickr8k(path: str | Path = DEFAULT_PATH) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Return (hypotheses {image: caption 0}, references {image: [captions 1..4]}), file order."""
    hypotheses: dict[str, str] = {}
    references: dict[str, list[str]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["k"] == "0":
                hypotheses[row["image"]] = row["caption"]
            else:
                references.setdefault(row["image"], []).append(row["caption"])
    return hypotheses, references

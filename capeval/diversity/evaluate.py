"""`evaluate_diversity`: score the caption sets of one system (several captions per image)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from capeval import __version__
from capeval.diversity import DIVERSITY_METRICS
from capeval.diversity.base import DiversityMetric
from capeval.diversity.counts import DivN, Novel, Vocab
from capeval.diversity.pairwise import MutualBleu, SelfCider
from capeval.document_frequencies import DocumentFrequencies
from capeval.errors import CapevalInputError, CapevalUsageError
from capeval.evaluation import Evaluation
from capeval.tokenizers import tokenize, tokenize_references, tokenizer_signature


def evaluate_diversity(
    captions: Mapping[Any, Sequence[str]],
    metrics: Iterable[str | DiversityMetric] = DIVERSITY_METRICS,
    *,
    references: Mapping[Any, Sequence[str]] | None = None,
    train_captions: Sequence[str] | None = None,
    document_frequencies: DocumentFrequencies | str | None = None,
    tokenizer: str = "ptb",
    source: str = "hypotheses",
    train_source: str = "train",
) -> Evaluation:
    """Score how diverse each image's captions are.

    Parameters
    ----------
    captions : mapping image id -> non-empty sequence of str
        The captions of each image (e.g. M samples of a captioner), in order.
    metrics : iterable of {"vocab", "novel", "div-1", "div-2", "mbleu-4", "self-cider"}
        Registry names, or metric objects from `diversity_metrics` (built once and shared by
        several systems).
    references : mapping image id -> sequence of str, optional
        Self-CIDEr's document frequencies come from these (as ImageCaptioning.pytorch takes
        them from the split's references), unless `document_frequencies` is given.
    train_captions : sequence of str, optional
        The training captions, required by ``novel``.
    document_frequencies : DocumentFrequencies or path, optional
        Self-CIDEr's df table instead of the references'.
    tokenizer : str, default="ptb"
        Applied to captions, references and training captions alike.
    source, train_source : str
        Names of where captions and training captions came from, for messages and signature.

    Returns
    -------
    Evaluation
        Corpus scores, per-image scores and statistics keyed by metric name, as `evaluate`.
        ``Vocab``'s corpus score is the distinct words over all images, not a sum of rows.

    Raises
    ------
    CapevalUsageError
        For an unknown metric, a missing input a metric needs, or too few captions.
    CapevalInputError
        For an image without captions or a caption that is not a str.
    """
    metrics = list(metrics)
    metric_objects = diversity_metrics(
        [spec for spec in metrics if isinstance(spec, str)], references=references,
        train_captions=train_captions, document_frequencies=document_frequencies,
        tokenizer=tokenizer, train_source=train_source)
    given = iter(metric_objects)
    metric_objects = [spec if isinstance(spec, DiversityMetric) else next(given)
                      for spec in metrics]
    ids = list(captions)
    for image_id in ids:
        caption_list = captions[image_id]
        if isinstance(caption_list, str) or not len(caption_list):
            raise CapevalInputError(source, f"image {image_id!r}",
                                    "needs a non-empty list of captions")
    groups = [list(captions[image_id]) for image_id in ids]
    caption_sets = tokenize_references(groups, None, tokenizer)  # one stream, image by image
    if not metric_objects:
        raise CapevalUsageError("no diversity metric to compute", option="metrics")
    stats: dict[str, Any] = {}
    corpus: dict[str, float] = {}
    columns: dict[str, Any] = {}
    for metric in metric_objects:
        metric.check(caption_sets)
        stats[metric.name] = metric.image_stats(caption_sets)
        corpus.update(metric.corpus_score(caption_sets, stats[metric.name]))
        per_image = metric.scores_from_stats(stats[metric.name])
        columns.update(zip(metric.score_names, per_image.T, strict=True))
    per_item = pd.DataFrame(columns, index=pd.Index(ids, name="image_id"))
    counts = {len(group) for group in groups}
    signature = {"captions": str(counts.pop()) if len(counts) == 1 else "var",
                 "tok": tokenizer_signature(tokenizer)}
    for metric in metric_objects:
        signature.update({f"{metric.name}.{key}": value
                          for key, value in metric.signature().items()})
    signature["version"] = __version__
    by_name: dict[str, Any] = {metric.name: metric for metric in metric_objects}
    return Evaluation(ids, corpus, per_item, stats, by_name, signature)


def diversity_metrics(
    names: Iterable[str],
    *,
    references: Mapping[Any, Sequence[str]] | None = None,
    train_captions: Sequence[str] | None = None,
    document_frequencies: DocumentFrequencies | str | None = None,
    tokenizer: str = "ptb",
    train_source: str = "train",
) -> list[DiversityMetric]:
    """Build the diversity metrics registered under `names` (arguments as `evaluate_diversity`).

    References and training captions are tokenized here, once.

    Raises
    ------
    CapevalUsageError
        For an unknown or repeated name, or a missing input a metric needs.
    """
    names = [name.lower() for name in names]
    unknown = [name for name in names if name not in DIVERSITY_METRICS]
    if unknown:
        raise CapevalUsageError(f"unknown diversity metric {unknown[0]!r}; choose from "
                                f"{', '.join(DIVERSITY_METRICS)}", option="metrics")
    if len(set(names)) != len(names):
        raise CapevalUsageError("a diversity metric is listed twice", option="metrics")
    return [_build(name, references, train_captions, document_frequencies, tokenizer,
                   train_source) for name in names]


def _build(name: str, references, train_captions, document_frequencies, tokenizer: str,
           train_source: str) -> DiversityMetric:
    if name == "vocab":
        return Vocab()
    if name in ("div-1", "div-2"):
        return DivN(int(name[-1]))
    if name == "mbleu-4":
        return MutualBleu()
    if name == "novel":
        if train_captions is None:
            raise CapevalUsageError("novel needs the training captions (--train-captions "
                                    "FILE)", option="train_captions")
        tokens = tokenize(list(train_captions), tokenizer)
        return Novel({tuple(caption) for caption in tokens}, train_source)
    if document_frequencies is None:
        if references is None:
            raise CapevalUsageError("self-cider needs references (--refs) or document "
                                    "frequencies (--df) for its CIDEr weights",
                                    option="references")
        reference_tokens = tokenize_references([list(refs) for refs in references.values()],
                                               None, tokenizer)
        document_frequencies = DocumentFrequencies.from_references(
            reference_tokens, tokenizer=tokenizer_signature(tokenizer))
    elif not isinstance(document_frequencies, DocumentFrequencies):
        document_frequencies = DocumentFrequencies.load(document_frequencies)
    return SelfCider(document_frequencies)

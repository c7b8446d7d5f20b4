"""METEOR 1.5 as the COCO caption evaluation computes it (``meteor-1.5.jar -l en -norm``).

Modules: `text` (normalizer, Java string semantics), `corpus` (captions and sentence pairs),
`resources` (packaged data), `paraphrase` (the paraphrase table and its corpus-wide search),
`matchers` (candidate matches), `aligner` (beam search), `scoring` (statistics to scores),
`metric` (the `Meteor` metric).
"""
from __future__ import annotations

from capeval.metrics.meteor.metric import Meteor

__all__ = ["Meteor"]

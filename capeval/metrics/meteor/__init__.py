"""METEOR 1.5 as the COCO caption evaluation computes it (``meteor-1.5.jar -l en -norm``).

Modules: `text` (normalizer), `resources` (packaged data), `matchers` (candidate matches),
`aligner` (beam search), `scoring` (statistics to scores), `metric` (the `Meteor` metric).
"""
from __future__ import annotations

from capeval.metrics.meteor.metric import Meteor

__all__ = ["Meteor"]

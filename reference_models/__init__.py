"""Reference captioning models in NumPy, used through ``capeval demo``, ``train`` and ``caption``.

Layers are forward/backward pairs (`layers`, `recurrent`, `attention`); `captioner` builds the
image captioner on them, `decoding` turns it into captions, `training` fits it, `shapes`
generates the demo data and `data` loads a user's features and captions. The ``capeval``
package never imports this one; the command line glues them together.
"""

CELLS = ("rnn", "lstm", "gru")
"""Recurrent cells of the captioner (`capeval train --cell`)."""

STATE_SOURCES = ("features", "regions")
"""What sets the initial state: the global features or the mean of the regions."""

OPTIMIZERS = {"sgd": "Sgd", "adam": "Adam", "rmsprop": "RmsProp", "adagrad": "Adagrad"}
"""Optimiser name -> its class in `capeval.reference_models.optim`. The names live here, apart
from the NumPy code, so that the command line can offer them without importing NumPy."""

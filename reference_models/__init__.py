"""Reference captioning models in NumPy, used through ``capeval demo``, ``train`` and ``caption``.

Layers are forward/backward pairs (`layers`, `recurrent`, `attention`); `captioner` builds the
image captioner on them, `decoding` turns it into captions, `training` fits it, `shapes`
generates the demo data and `data` loads a user's features and captions. The ``capeval``
package never imports this one; the command line glues them together.
"""

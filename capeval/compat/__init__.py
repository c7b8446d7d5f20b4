"""Compatibility layers for code written against other caption-evaluation packages.

`capeval.compat.pycocoevalcap` replaces pycocoevalcap 1.2's ``Bleu``, ``Meteor``, ``Rouge``,
``Cider``, ``PTBTokenizer`` and ``COCOEvalCap`` by changing one import.
"""

"""The registry of real-world corpora (paper Section 5, and COCO captions as Texygen used them): each corpus's
name, its options and its loader.
`load_corpus(name, mirror, **options)` builds or reads one; corpus.py holds what they share (the `Corpus`
type, splits, vocabularies), so the corpora import it and this module imports them, one way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reproduction.datasets import coco, nottingham, obama, poems
from reproduction.datasets.corpus import CORPORA, Corpus, make_options
from reproduction.errors import UserError

LOADERS = {"poems": (poems.PoemOptions, poems.load),
           "obama": (obama.ObamaOptions, obama.load),
           "nottingham": (nottingham.NottinghamOptions, nottingham.load),
           "coco": (coco.CocoOptions, coco.load)}
assert tuple(LOADERS) == CORPORA


def load_corpus(name: str, mirror: str | Path | None = None, **options: Any) -> Corpus:
    """The corpus `name` (CORPORA) with `options` overriding that corpus's defaults."""
    if name not in LOADERS:
        raise UserError(f"unknown corpus {name!r}; choose one of {', '.join(CORPORA)}")
    cls, load = LOADERS[name]
    return load(make_options(cls, options), mirror)

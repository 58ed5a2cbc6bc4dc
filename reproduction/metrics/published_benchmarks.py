"""The published numbers of the real-text benchmark that our COCO rows stand beside (issue 43; docs/benchmark.md),
as one cited table.

- BLEU-2..5 against the COCO test set and Self-BLEU-2..5: Texygen (Zhu et al., SIGIR 2018), README "Evaluation
  Results" and docs/evaluation.md (geek-ai/Texygen at commit 08c67a1, "SIGIR"); RelGAN (Nie et al., ICLR 2019)
  Table 2 copies the BLEU rows. Checked here: the `texygen` protocol (metrics/benchmark_protocols.py) applied
  to the samples Texygen published with them (docs/instances/seq.txt and mle.txt) gives every BLEU number to the
  third decimal and every Self-BLEU number to within 0.001.
- NLL-gen: RelGAN Table 2, the generator's NLL of the training data as Texygen computes its "nll-test"
  (Texygen issue 22). Taken from issue 43 and the project's ../shared/BENCHMARKS.md; not re-read from the
  paper here, and not checkable without the trained models.

These are the numbers of one run each (Texygen sets no global seed), computed under the `texygen` protocol.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PublishedRow:
    """One model's published row on a corpus, under the protocol that produced it."""

    model: str
    corpus: str
    protocol: str
    bleu: dict[int, float]
    self_bleu: dict[int, float]
    nll_gen: float | None
    source: str


TEXYGEN_SOURCE = ("Texygen README / docs/evaluation.md (BLEU, Self-BLEU); RelGAN Table 2 (NLL-gen, and the BLEU "
                  "rows copied)")

PUBLISHED: tuple[PublishedRow, ...] = (
    PublishedRow("SeqGAN", "coco", "texygen", {2: 0.745, 3: 0.498, 4: 0.294, 5: 0.180},
                 {2: 0.950, 3: 0.840, 4: 0.670, 5: 0.489}, 1.082, TEXYGEN_SOURCE),
    PublishedRow("MLE", "coco", "texygen", {2: 0.731, 3: 0.497, 4: 0.305, 5: 0.189},
                 {2: 0.916, 3: 0.769, 4: 0.583, 5: 0.408}, 0.718, TEXYGEN_SOURCE),
)


def published_rows(corpus: str) -> list[PublishedRow]:
    """The published rows of `corpus` (none for a corpus without a checked published table)."""
    return [row for row in PUBLISHED if row.corpus == corpus]

"""The two protocols of the real-text benchmark (COCO captions, EMNLP News; issue 43; docs/benchmark.md): `texygen`,
exactly what produced the published numbers of Texygen (Zhu et al., SIGIR 2018) that later papers copy, and
`corrected`, the same metrics without its flaws. BLEU is metrics/bleu.py (nltk's sentence_bleu, tested equal).

`texygen` (geek-ai/Texygen `utils/metrics/Bleu.py`, `SelfBleu.py`, `Nll.py`). Which of Texygen's code paths made
the published numbers was settled by scoring the samples Texygen published beside them (its
`docs/instances/seq.txt`, `mle.txt`, `leakgan.txt`, 9,984 captions each) with each path:

- BLEU-n, n = 2..5: each sample against *all* test sentences (10,000 for COCO) by sentence_bleu with uniform
  weights 1/n and smoothing method1, averaged over every sample (`Bleu.get_bleu`, `get_bleu_parallel`). This
  reproduces all 12 published BLEU numbers of SeqGAN, MLE and LeakGAN to the third decimal (SeqGAN 0.745 /
  0.498 / 0.294 / 0.180), and Texygen's BLEU against the training file too (0.917 / 0.747 / 0.530 / 0.348).
  The default fast path, the first 500 references only, gives SeqGAN 0.520 / 0.260 / 0.142 / 0.090: not used
  for the published numbers, as the author says (Texygen issue 8). RelGAN (100 samples) and TextGAN-PyTorch
  (200) scored fewer samples, which changes the mean's noise, not its expectation.
- Self-BLEU-n: each sample against all the *other* samples, over every sample (`SelfBleu.get_bleu_parallel`).
  This reproduces the 12 published Self-BLEU numbers to within 0.001 (SeqGAN 0.951 / 0.841 / 0.670 / 0.490
  for the published 0.950 / 0.840 / 0.670 / 0.489). The plain path (`SelfBleu.get_bleu`, which RelGAN copied),
  where each sample is among its own references, scores 1.000 / 1.000 / 1.000 / 0.999 on the same samples
  (Texygen issues 27 and 46): the published numbers cannot come from it. `self_bleu_inclusive` computes it, to
  show what that path would report; it is not part of either protocol. The fast path (the first 500 samples)
  gives 0.785 / 0.539 / 0.339 / 0.210: not used either.
- NLL-test (Texygen's "nll-test", RelGAN's NLL-gen; Texygen issue 22): the generator's mean per-position
  negative log-likelihood of the *training* sentences, each followed by the end token up to the sequence length
  with every padding position counted, in batches of 64 with the last partial batch dropped (`nll_texygen`).

`corrected`:

- BLEU-n of every sample against held-out references only: the test sentences other than the real-data row's
  and other than those equal to a training sentence (where the training file is known);
- a real-data row: K real sentences that are never among the references, scored exactly like the samples
  against the same references. For COCO these are the training captions: its test file holds several captions of each
  image, so a test caption held out from the references would still be scored against its own image's other
  captions (BLEU-5 about 0.43 where any caption of another image scores 0.20; datasets/coco.py). For the
  project's poems and Obama splits it is their held-out probe, for EMNLP News a held-out tenth of the test file;
- Self-BLEU-n leave-one-out over the first K samples and over the K real sentences, K = min(number of real
  sentences available, number of samples): Self-BLEU rises with the number of sentences compared, so both sides
  use one count;
- NLL-test: the generator's negative log-likelihood per token of held-out sentences (for COCO Texygen's
  nll_test_coco.txt, the 6,810 test captions whose tokens are all in the vocabulary), each token and the first
  end token counted, the padding after it not (`nll_heldout`).

Every row states its counts: sentences scored, references, sentences in Self-BLEU, sentences in NLL-test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from reproduction.errors import NumericalFault, UserError
from reproduction.metrics.bleu import bleu_per_hypothesis, bleu_per_order, self_bleu_per_order
from reproduction.metrics.stats import mean_interval

if TYPE_CHECKING:
    from oracle.network import LSTMNetwork

PROTOCOLS = ("texygen", "corrected")
ORDERS = (2, 3, 4, 5)
TEXYGEN_BATCH = 64  # Texygen's batch size: NLL-test averages over whole batches of 64


def check_protocol(protocol: str) -> None:
    if protocol not in PROTOCOLS:
        raise UserError(f"unknown protocol {protocol!r}: choose one of {', '.join(PROTOCOLS)}")


@dataclass(frozen=True)
class Row:
    """One row of the benchmark: mean BLEU-n and Self-BLEU-n by order, optional NLL-test, and the counts behind
    them. `bleu_ci95` is the half-width of the 95% t-interval of each BLEU mean over the scored sentences."""

    label: str
    protocol: str
    bleu: dict[int, float]
    self_bleu: dict[int, float]
    sentences: int
    references: int
    self_bleu_sentences: int
    bleu_ci95: dict[int, float] = field(default_factory=dict)
    nll_test: float | None = None
    nll_sentences: int = 0

    def with_nll(self, value: float, sentences: int) -> Row:
        return Row(self.label, self.protocol, self.bleu, self.self_bleu, self.sentences, self.references,
                   self.self_bleu_sentences, self.bleu_ci95, value, sentences)

    def as_dict(self) -> dict[str, Any]:
        """Flat columns: bleu2..bleu5, self_bleu2..self_bleu5, nll_test and the counts."""
        out: dict[str, Any] = {"label": self.label, "protocol": self.protocol}
        out.update({f"bleu{n}": v for n, v in self.bleu.items()})
        out.update({f"bleu{n}_ci95": v for n, v in self.bleu_ci95.items()})
        out.update({f"self_bleu{n}": v for n, v in self.self_bleu.items()})
        out.update({"nll_test": self.nll_test, "sentences": self.sentences, "references": self.references,
                    "self_bleu_sentences": self.self_bleu_sentences, "nll_sentences": self.nll_sentences})
        return out


def _check_sentences(sentences: Sequence[Sequence[str]], what: str, minimum: int) -> None:
    if len(sentences) < minimum:
        raise UserError(f"{what}: {len(sentences)} sentence(s); the benchmark needs at least {minimum} "
                        "(Self-BLEU compares each sentence with the others)")


def score_rows(label: str, protocol: str, sentences: Sequence[Sequence[str]], references: Sequence[Sequence[str]],
               self_bleu_count: int | None = None, orders: tuple[int, ...] = ORDERS) -> Row:
    """BLEU-n of every sentence against all `references`, and Self-BLEU-n (leave-one-out) of the first
    `self_bleu_count` sentences (all of them if None)."""
    _check_sentences(sentences, label, 2)
    count = len(sentences) if self_bleu_count is None else min(self_bleu_count, len(sentences))
    bleu, ci = {}, {}
    for n, per_sentence in bleu_per_order(references, sentences, orders).items():
        bleu[n], ci[n] = mean_interval(per_sentence.tolist())
    self_bleu = {n: float(v.mean()) for n, v in self_bleu_per_order(list(sentences[:count]), orders).items()}
    return Row(label, protocol, bleu, self_bleu, len(sentences), len(references), count, ci)


def score_texygen(samples: Sequence[Sequence[str]], references: Sequence[Sequence[str]],
                  label: str = "samples") -> Row:
    """The `texygen` protocol's BLEU and Self-BLEU: every sample against all references; Self-BLEU over every
    sample, each against all the others."""
    return score_rows(label, "texygen", samples, references)


def score_corrected(samples: Sequence[Sequence[str]], references: Sequence[Sequence[str]],
                    real: Sequence[Sequence[str]], label: str = "samples",
                    real_label: str = "real data") -> tuple[Row, Row]:
    """The `corrected` protocol's rows: every sample, and the first K real sentences, K = min(len(real),
    len(samples)), each against the same references (which must not hold a real-data sentence); Self-BLEU of the
    first K samples and of the K real sentences."""
    _check_sentences(real, real_label, 2)
    check_apart(real, references)
    count = min(len(real), len(samples))
    return (corrected_samples_row(samples, references, count, label),
            score_rows(real_label, "corrected", real[:count], references))


def check_apart(real: Sequence[Sequence[str]], references: Sequence[Sequence[str]]) -> None:
    """The corrected protocol's condition: no real-data sentence is among the references (UserError if one is)."""
    real_keys = {tuple(s) for s in real}
    if any(tuple(r) in real_keys for r in references):
        raise UserError("a real-data sentence is among the references: the corrected protocol needs them apart")


def corrected_samples_row(samples: Sequence[Sequence[str]], references: Sequence[Sequence[str]], real_count: int,
                          label: str = "samples") -> Row:
    """The samples' row of `score_corrected` alone, for a caller that scores the real data once for many sample
    sets: Self-BLEU over the first K = min(real_count, len(samples))."""
    return score_rows(label, "corrected", samples, references, min(real_count, len(samples)))


def self_bleu_inclusive(samples: Sequence[Sequence[str]], n: int) -> float:
    """Texygen's plain Self-BLEU path (`SelfBleu.get_bleu`, RelGAN's code): each sample against all samples,
    itself included, so every sample of n tokens or more scores 1. Not used by either protocol."""
    return float(bleu_per_hypothesis(samples, samples, n).mean())


# --- NLL-test ---------------------------------------------------------------------------------------------------

def _finite(value: float, where: str) -> float:
    if not np.isfinite(value):
        raise NumericalFault(f"NLL is {value} at {where}")
    return float(value)


def nll_texygen(network: LSTMNetwork, train: np.ndarray, batch_size: int = TEXYGEN_BATCH,
                temperature: float | None = None) -> tuple[float, int]:
    """Texygen's NLL-test: mean per-position NLL of the training sequences (padding included), over the whole
    batches of `batch_size` in file order (the last partial batch dropped); at `temperature` T the model is
    softmax(logits / T). Returns (value, sequences used)."""
    from oracle.network import sequence_nll

    used = (len(train) // batch_size) * batch_size
    if used == 0:
        raise UserError(f"NLL-test (texygen) needs at least one batch of {batch_size} training sequences, got "
                        f"{len(train)}")
    per_sequence = sequence_nll(network, np.asarray(train[:used], np.int32), temperature=temperature)
    return _finite(float(per_sequence.mean()), "NLL-test (texygen)"), used


def nll_heldout(network: LSTMNetwork, held_out: np.ndarray, end_token: int | None,
                chunk: int | None = None, temperature: float = 1.0) -> tuple[float, int]:
    """NLL per token of held-out sequences: every token up to and including the first end token (all of a
    sequence that has none); padding after it is not counted. At `temperature` T the model is softmax(logits / T)
    (a temperature curve; T = 1 is the model itself, bit for bit). Scored `chunk` sequences per compiled call
    (default: oracle.network.score_chunk). Returns (value, sequences)."""
    import tensorflow as tf

    from oracle.network import score_chunk

    seqs = np.asarray(held_out, np.int32)
    if len(seqs) == 0:
        raise UserError("NLL-test (corrected): no held-out sequences")
    chunk, scale = chunk or score_chunk(network.spec), tf.constant(temperature, tf.float32)
    total, tokens = 0.0, 0
    for i in range(0, len(seqs), chunk):
        part = seqs[i:i + chunk]
        log_probs = network.token_log_probs_at(tf.constant(part), scale).numpy().astype(np.float64)
        mask = counted_positions(part, end_token)
        total -= float(log_probs[mask].sum())
        tokens += int(mask.sum())
    return _finite(total / tokens, "NLL-test (corrected)"), len(seqs)


def counted_positions(seqs: np.ndarray, end_token: int | None) -> np.ndarray:
    """bool [n, T]: the positions up to and including each sequence's first end token (all if it has none)."""
    seqs = np.asarray(seqs)
    if end_token is None:
        return np.ones(seqs.shape, dtype=bool)
    is_end = seqs == end_token
    first = np.where(is_end.any(axis=1), is_end.argmax(axis=1), seqs.shape[1] - 1)
    return np.arange(seqs.shape[1])[None, :] <= first[:, None]

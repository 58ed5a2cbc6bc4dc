"""The real-world tables (paper Tables 2-4): each run's final samples rescored under both BLEU rules, beside
the paper's numbers and real data, across seeds. Needs no TensorFlow, so `python -m reproduction rescore` and a
republication read finished runs without loading the models.

- `rescore_run`: the final samples (final_samples.npz) of one finished run scored against the corpus's
  references (metrics.real_data.score_samples), as `python -m reproduction rescore` prints them.
- `build_table` / `table_markdown`: one row per metric (each BLEU order under both rules, the share of samples
  with no match at each order, MSE for music, Self-BLEU, NLL-test); ours are the mean and 95% t-interval across
  seeds, with each seed's value listed; real data is the corpus's held-out probe scored the same way
  (metrics.real_data.real_data_scores), and each model's score is also a fraction of real data's. p across
  seeds: Welch's t-test of the per-seed final scores, SeqGAN against MLE (the primary test: seeds are the
  replicates); p within runs: Welch's t-test of the per-sample scores pooled over seeds (secondary: it measures
  sampling noise within runs, so it is tiny whenever the means differ at all).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from reproduction.datasets.corpus import Corpus
from reproduction.errors import UserError
from reproduction.metrics import real_data
from reproduction.metrics.bleu import BLEU_RULES
from reproduction.metrics.real_data import Scores
from reproduction.metrics.stats import format_p, mean_interval, welch_p_value
from reproduction.run_log import read_rows, read_run_json, read_samples

METHODS = ("seqgan", "mle")  # seqgan first: its pretraining snapshot serves mle
LABELS = {"mle": "MLE", "seqgan": "SeqGAN"}
# paper Tables 2-4: (MLE, SeqGAN); lower is better only for MSE
PAPER = {"poems": {"bleu2": (0.6670, 0.7389)}, "obama": {"bleu3": (0.519, 0.556), "bleu4": (0.416, 0.427)},
         "nottingham": {"bleu4": (0.9210, 0.9406), "mse": (22.38, 20.62)}}
PAPER_REAL = {"poems": {"bleu2": 0.746}}  # paper Table 2's "Real data" row; Tables 3 and 4 have none


def paper_order(dataset: str) -> int:
    """The first BLEU order the paper reports for a corpus (poems 2, Obama 3, Nottingham 4)."""
    return int(next(m for m in PAPER[dataset] if m.startswith("bleu"))[len("bleu"):])


def own_order(dataset: str) -> int | None:
    """The corpus's own BLEU order for its frontier beside BLEU-5 (poems 2, Obama 3): the paper's first order, when
    the paper has the corpus and that order is not 5; else None."""
    return paper_order(dataset) if dataset in PAPER and paper_order(dataset) != 5 else None


def metrics_of(dataset: str) -> list[str]:
    """The table's rows: each BLEU order under both rules, the share of sequences without a match at each order,
    MSE (music), Self-BLEU under both rules, NLL-test."""
    music = ["mse"] if dataset == "nottingham" else []
    return real_data.bleu_columns(dataset) + real_data.unmatched_columns(dataset) + music + [
        real_data.column("self_bleu", rule) for rule in BLEU_RULES] + ["nll_test"]


def rule_of(metric: str) -> str:
    """The BLEU rule of a table row ("" for MSE and NLL-test)."""
    if metric.startswith(("bleu", "self_bleu")):
        return "legacy" if metric.endswith("_legacy") else "method1"
    return ""


def final_tokens(run: Path, corpus: Corpus) -> np.ndarray:
    """The final samples (final_samples.npz `tokens`) of a finished real-data run on `corpus`, checked."""
    run = Path(run)
    if not (run / "run.json").exists():
        raise UserError(f"{run}: no run.json; pass a directory written by `python -m reproduction train`")
    cfg = read_run_json(run / "run.json")["config"]
    dataset = cfg.get("dataset", "synthetic")
    if dataset != corpus.name:
        raise UserError(f"{run} is a run on {dataset!r}, not on the {corpus.name} corpus"
                        + ("; synthetic runs are scored by the oracle (`evaluate --run`)" if dataset == "synthetic"
                           else ""))
    shape = cfg.get("shape", {})
    if (shape.get("vocab_size"), shape.get("seq_len")) != (corpus.vocab_size, corpus.seq_len):
        raise UserError(f"{run} was trained on a {dataset} vocabulary of {shape.get('vocab_size')} and length "
                        f"{shape.get('seq_len')}, but the corpus now has {corpus.vocab_size} and {corpus.seq_len}")
    path = run / "final_samples.npz"
    if not path.is_file():
        raise UserError(f"{path}: no final samples; the run has not finished (rerun its train command)")
    return read_samples(path)["tokens"]


def rescore_run(run: Path, corpus: Corpus, rules: tuple[str, ...] = BLEU_RULES,
                self_bleu_count: int | None = None) -> Scores:
    """The final samples of a finished real-data run scored against the corpus's references, as the tables
    score them (metrics.real_data.score_samples); no retraining, no TensorFlow."""
    return real_data.score_samples(corpus, final_tokens(run, corpus), rules, self_bleu_count)


def rescore_all(dataset: str, seeds: list[int], locate: Any, corpus: Corpus) -> tuple[dict[str, list[Scores]],
                                                                                      Scores]:
    """(method -> the rescored final samples of each seed, real data's scores), with Self-BLEU over one count
    for all: the probe's size, or the fewest final samples of a run if that is smaller."""
    tokens = {m: [final_tokens(locate(m, s), corpus) for s in seeds] for m in METHODS}
    count = min([len(corpus.require_probe())] + [len(t) for ts in tokens.values() for t in ts])
    scores = {m: [real_data.score_samples(corpus, t, self_bleu_count=count) for t in ts] for m, ts in tokens.items()}
    return scores, real_data.real_data_scores(corpus, self_bleu_count=count)


def _of(value: float, real: float) -> float:
    return value / real if real and not math.isnan(real) and not math.isnan(value) else math.nan


def build_table(dataset: str, seeds: list[int], locate: Any, corpus: Corpus,
                scores: dict[str, list[Scores]] | None = None, real: Scores | None = None) -> list[dict[str, Any]]:
    """One row per metric (metrics_of): the paper's numbers, ours across seeds, real data, fractions, p."""
    if scores is None or real is None:
        scores, real = rescore_all(dataset, seeds, locate, corpus)
    last = {m: [read_rows(locate(m, s) / "metrics.csv")[-1] for s in seeds] for m in METHODS}
    rows = []
    for metric in metrics_of(dataset):
        base = metric.removesuffix("_legacy")
        row: dict[str, Any] = {"metric": metric, "rule": rule_of(metric), "seeds": len(seeds)}
        row["paper_mle"], row["paper_seqgan"] = PAPER[dataset].get(base, (math.nan, math.nan))
        row["paper_real"] = PAPER_REAL.get(dataset, {}).get(base, math.nan)
        per_seed = {m: [float(r[metric]) for r in last[m]] if metric == "nll_test" else
                    [sc.means[metric] for sc in scores[m]] for m in METHODS}
        for m in METHODS:
            row[f"{m}_mean"], row[f"{m}_ci95"] = mean_interval(per_seed[m])
            row.update({f"{m}_s{seed}": value for seed, value in zip(seeds, per_seed[m], strict=True)})
        row["real"] = real.means.get(metric, math.nan)
        row["real_ci95"] = mean_interval(real.per_sequence[metric])[1] if metric in real.per_sequence else math.nan
        for m in METHODS:
            row[f"{m}_of_real"] = _of(row[f"{m}_mean"], row["real"])
        row["p_seeds"] = welch_p_value(per_seed["seqgan"], per_seed["mle"]) if len(seeds) >= 2 else math.nan
        if metric in scores["mle"][0].per_sequence:
            pooled = {m: np.concatenate([sc.per_sequence[metric] for sc in scores[m]]) for m in METHODS}
            row["p_within"] = welch_p_value(pooled["seqgan"], pooled["mle"])
        else:
            row["p_within"] = math.nan
        rows.append(row)
    return rows


def _pm(mean: float, half: float, digits: int = 4) -> str:
    if math.isnan(mean):
        return ""
    return f"{mean:.{digits}f}" if math.isnan(half) else f"{mean:.{digits}f} ± {half:.{digits}f}"


def _num(x: float) -> str:
    return "" if math.isnan(x) else f"{x:.4g}"


def _frac(x: float) -> str:
    return "" if math.isnan(x) else f"{x:.1%}"


def table_markdown(dataset: str, profile: str, corpus: Corpus, seeds: list[int], rows: list[dict[str, Any]],
                   scores: dict[str, list[Scores]], real: Scores) -> str:
    n_samples = scores["mle"][0].sequences
    lines = [
        f"# {dataset}: MLE against SeqGAN, and real data (profile `{profile}`, {rows[0]['seeds']} seed(s))", "",
        f"Corpus: {corpus.describe()}. Ours: {n_samples:,} samples of each run's final generator (final_samples.npz), "
        f"rescored at publication against the {real.references:,} references (held-out sequences, never trained "
        "on); ± is the 95% t-interval across seeds. Real data: the "
        f"{real.sequences:,} held-out sequences of the real-data probe (disjoint from the references and from the "
        "training split) scored the same way; its ± is the 95% t-interval over those sequences. Self-BLEU "
        f"(diversity; lower is more diverse) of the first {real.self_bleu_sequences:,} sequences of each, so that "
        "models and real data are compared at the same count. \"/ real\" is our mean as a fraction of real data's.",
        "",
        "Rules: `method1` is nltk's smoothing method1 (today's nltk and Texygen; our primary number); `legacy` is "
        "nltk 3.2.x unsmoothed, as 2016-2017 code ran it: an n-gram order without a match is left out, which "
        "inflates scores: `unmatchedN` is the share of sequences with no N-gram in any reference, which the legacy "
        "rule scores on their lower orders alone. The paper does not say which it used, so its numbers stand "
        "beside both. BLEU grows with the number of references (reference_size.png), so compare fractions of "
        "real data rather than absolute scores" + (
            "; the paper's real-data BLEU-2 of 0.746 needs many more references than this held-out set holds."
            if dataset in PAPER_REAL else "."), "",
        "p across seeds: Welch's t-test of the per-seed final scores, SeqGAN against MLE (seeds are the "
        "replicates; empty with one seed). p within runs (secondary): Welch's t-test of the per-sample scores "
        "pooled over seeds; it measures sampling noise within runs, not variation between runs. NLL-test (the "
        "generator's NLL of the references) is read from the runs' logs. Written by `make reproduce`; "
        "`python -m reproduction rescore --run DIR` rescores one run.", "",
        "| metric | rule | paper MLE | paper SeqGAN | paper real data | ours MLE | ours SeqGAN | real data | "
        "MLE / real | SeqGAN / real | p across seeds | p within runs (secondary) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['metric']} | {r['rule']} | {_num(r['paper_mle'])} | {_num(r['paper_seqgan'])} | "
            f"{_num(r['paper_real'])} | {_pm(r['mle_mean'], r['mle_ci95'])} | "
            f"{_pm(r['seqgan_mean'], r['seqgan_ci95'])} | {_pm(r['real'], r['real_ci95'])} | "
            f"{_frac(r['mle_of_real'])} | {_frac(r['seqgan_of_real'])} | {format_p(r['p_seeds'])} | "
            f"{format_p(r['p_within'])} |")
    lines += ["", "Per seed, MLE / SeqGAN (the values behind the means and the test across seeds):", "",
              "| metric | " + " | ".join(f"seed {s}" for s in seeds) + " |", "|---|" + "---|" * len(seeds)]
    for r in rows:
        lines.append(f"| {r['metric']} | " + " | ".join(f"{r[f'mle_s{s}']:.4f} / {r[f'seqgan_s{s}']:.4f}"
                                                        for s in seeds) + " |")
    return "\n".join(lines) + "\n"

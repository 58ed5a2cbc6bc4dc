"""The real-world experiments (paper Section 5, Tables 2-4): MLE against SeqGAN on Chinese quatrains, Obama
speeches and Nottingham melodies, with the synthetic experiment's generator, discriminator, rollout and
training loops; only the data and the sizes change (config.for_corpus).

Per corpus and seed: one shared MLE pretraining, then SeqGAN (adversarial) and MLE (continued) for as many
batches/epochs. Published to results/<corpus>/<profile>/: a table beside the paper's (final evaluation;
mean and 95% t-interval over seeds; Welch's t-test of per-sample scores, SeqGAN against MLE), the learning
curve of the corpus's first BLEU order, and samples a person can judge (20 poems, 10 paragraphs, melodies
as MIDI files and a piano-roll picture).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np

from reproduction import plots
from reproduction.config import RunConfig, for_corpus, make_config
from reproduction.datasets.corpus import Corpus, load_corpus
from reproduction.experiments.sweep import RunSpec, train_all
from reproduction.io_utils import copy_file, load_npz, write_text
from reproduction.metrics.real_data import BLEU_ORDERS
from reproduction.metrics.stats import format_p, mean_interval, welch_p_value
from reproduction.run_log import csv_text, mle_epochs, read_rows

METHODS = ("seqgan", "mle")  # seqgan first: its pretraining snapshot serves mle
LABELS = {"mle": "MLE", "seqgan": "SeqGAN"}
# paper Tables 2-4: (MLE, SeqGAN); lower is better only for MSE
PAPER = {"poems": {"bleu2": (0.6670, 0.7389)}, "obama": {"bleu3": (0.519, 0.556), "bleu4": (0.416, 0.427)},
         "nottingham": {"bleu4": (0.9210, 0.9406), "mse": (22.38, 20.62)}}
SAMPLES_SHOWN = {"poems": 20, "obama": 10, "nottingham": 5}


def config(dataset: str, method: str, profile: str, seed: int, mirror: str | Path | None = None,
           corpus: Corpus | None = None) -> RunConfig:
    """The run configuration of `method` on a real-world corpus, sized by the corpus."""
    cfg = make_config(method, profile, seed=seed, dataset=dataset)  # validates dataset and method first
    corpus = corpus or load_corpus(dataset, mirror)
    return for_corpus(cfg, corpus.vocab_size, corpus.seq_len, len(corpus.train))


def run_dir(runs: Path, profile: str, dataset: str, method: str, seed: int) -> Path:
    return runs / profile / f"{dataset}-{method}-s{seed}"


def plan(profile: str, datasets: list[str], seeds: list[int], mirror: str | Path | None = None,
         runs: Path = Path("runs"), configure: Any = None, adam: str = "fused") -> list[RunSpec]:
    """MLE and SeqGAN on each corpus and seed. `configure(cfg)` may adjust each configuration (tests shrink
    the models)."""
    specs = []
    for dataset in datasets:
        corpus = load_corpus(dataset, mirror)
        for seed in seeds:
            for method in METHODS:
                cfg = dataclasses.replace(config(dataset, method, profile, seed, corpus=corpus), adam=adam)
                specs.append(RunSpec(configure(cfg) if configure else cfg,
                                     run_dir(runs, profile, dataset, method, seed), runs / profile / "shared"))
    return specs


def reproduce(profile: str, datasets: list[str], seeds: list[int], mirror: str | Path | None = None,
              runs: Path = Path("runs"), results: Path = Path("results"), show_progress: bool = True,
              configure: Any = None) -> list[Path]:
    """Train (or resume) MLE and SeqGAN on each corpus and seed, then publish."""
    train_all(plan(profile, datasets, seeds, mirror, runs, configure), mirror, show_progress)
    return publish_all(profile, datasets, seeds, mirror, runs, results)


def publish_all(profile: str, datasets: list[str], seeds: list[int], mirror: str | Path | None, runs: Path,
                results: Path) -> list[Path]:
    written = []
    for dataset in datasets:
        corpus = load_corpus(dataset, mirror)
        dest = results / dataset / profile
        publish(dataset, profile, seeds, corpus, lambda m, s, d=dataset: run_dir(runs, profile, d, m, s), dest)
        written.append(dest)
    return written


def metrics_of(dataset: str) -> list[str]:
    return [f"bleu{n}" for n in BLEU_ORDERS[dataset]] + (["mse"] if dataset == "nottingham" else []) + [
        "self_bleu", "nll_test"]


def build_table(dataset: str, seeds: list[int], locate: Any) -> list[dict[str, Any]]:
    last = {m: [read_rows(locate(m, s) / "metrics.csv")[-1] for s in seeds] for m in METHODS}
    finals = {m: [load_npz(locate(m, s) / "final_samples.npz") for s in seeds] for m in METHODS}
    rows = []
    for metric in metrics_of(dataset):
        row: dict[str, Any] = {"metric": metric, "seeds": len(seeds)}
        paper = PAPER[dataset].get(metric)
        row["paper_mle"], row["paper_seqgan"] = paper if paper else (math.nan, math.nan)
        for m in METHODS:
            row[f"{m}_mean"], row[f"{m}_ci95"] = mean_interval([float(r[metric]) for r in last[m]])
        if metric in finals["mle"][0]:
            pooled = {m: np.concatenate([f[metric] for f in finals[m]]) for m in METHODS}
            row["p_value"] = welch_p_value(pooled["seqgan"], pooled["mle"])
        else:
            row["p_value"] = math.nan
        rows.append(row)
    return rows


def _pm(mean: float, half: float) -> str:
    return f"{mean:.4f}" if math.isnan(half) else f"{mean:.4f} ± {half:.4f}"


def _num(x: float) -> str:
    return "" if math.isnan(x) else f"{x:.4g}"


def table_markdown(dataset: str, profile: str, corpus: Corpus, rows: list[dict[str, Any]]) -> str:
    lines = [f"# {dataset}: MLE against SeqGAN (profile `{profile}`, {rows[0]['seeds']} seed(s))", "",
             f"Corpus: {corpus.describe()}. Scores of 10,000 samples of the final generator (the last evaluation); "
             "BLEU against the whole test split; ± is the 95% t-interval across seeds; p = Welch's t-test of the "
             "per-sample scores (10,000 per seed, pooled), SeqGAN against MLE. Self-BLEU (diversity; lower is more "
             "diverse) and NLL-test (the generator's NLL of the test split) are ours, not the paper's. Written by "
             "`make reproduce`.", "",
             "| metric | paper MLE | paper SeqGAN | ours MLE | ours SeqGAN | p |", "|---|---|---|---|---|---|"]
    for r in rows:
        p = format_p(r["p_value"])
        lines.append(f"| {r['metric']} | {_num(r['paper_mle'])} | {_num(r['paper_seqgan'])} | "
                     f"{_pm(r['mle_mean'], r['mle_ci95'])} | {_pm(r['seqgan_mean'], r['seqgan_ci95'])} | {p} |")
    return "\n".join(lines) + "\n"


def publish(dataset: str, profile: str, seeds: list[int], corpus: Corpus, locate: Any, dest: Path) -> None:
    rows = build_table(dataset, seeds, locate)
    write_text(dest / "table.csv", csv_text(rows, list(rows[0])))
    write_text(dest / "table.md", table_markdown(dataset, profile, corpus, rows))
    metric = f"bleu{BLEU_ORDERS[dataset][0]}"
    curves = {}
    for m in METHODS:
        per_seed = [[(float(r["x"]), float(r[metric])) for r in read_rows(locate(m, s) / "metrics.csv") if r[metric]]
                    for s in seeds]
        curves[LABELS[m]] = [(pts[0][0], float(np.mean([p[i][1] for p in per_seed])))
                             for i, pts in enumerate(zip(*per_seed, strict=True))]
    start = mle_epochs(locate("seqgan", seeds[0]))
    plots.learning_curves(curves, start, dest / "learning_curve", f"{dataset}: {metric.upper()} against the test "
                          f"split, profile {profile}, mean of {len(seeds)} seed(s)", ylabel=metric.upper())
    shown = {LABELS[m]: load_npz(locate(m, seeds[0]) / "final_samples.npz")["tokens"] for m in METHODS}
    write_samples(dataset, corpus, seeds[0], shown, dest)
    for m in METHODS:
        for s in seeds:
            for suffix, source in (("csv", "metrics.csv"), ("json", "run.json")):
                copy_file(locate(m, s) / source, dest / f"runs/{m}_s{s}.{suffix}")


def write_samples(dataset: str, corpus: Corpus, seed: int, samples: dict[str, np.ndarray], dest: Path) -> None:
    """The first samples of each method, readable (poems, paragraphs) or playable (MIDI) and pictured."""
    k = SAMPLES_SHOWN[dataset]
    lines = [f"# {dataset}: the first {k} samples of each final generator (seed {seed}), and of the test split", ""]
    shown = {**samples, "test split": corpus.test}
    for label, tokens in shown.items():
        lines += [f"## {label}", ""] + [f"{i + 1}. {corpus.decode(t)}" for i, t in enumerate(tokens[:k])] + [""]
    write_text(dest / "samples.md", "\n".join(lines))
    if dataset == "nottingham":
        from reproduction.datasets.nottingham import write_midi

        for label, tokens in shown.items():
            for i, t in enumerate(tokens[:k]):
                write_midi(t, dest / "midi" / f"{label.replace(' ', '_').lower()}_{i + 1}.mid")
        plots.piano_roll({label: [list(map(int, t)) for t in tokens[:k]] for label, tokens in shown.items()},
                         dest / "piano_roll", "Nottingham: melodies of 32 steps of 0.4 s (tokens = piano keys)")

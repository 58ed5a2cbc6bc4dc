"""COCO captions, the real-text benchmark of Texygen (Zhu et al., SIGIR 2018) that later text GANs report on
(issue 43; docs/benchmark.md): MLE, SeqGAN and self-imitation trained on its 10,000 training captions with the
same generator, discriminator, rollout and training loops as every other experiment, under the `quick` profile
(the paper's models, sized for COCO by config.for_corpus, as on the paper's corpora; `smoke` and `paper` alike)
and the `texygen` profile (Texygen's models and
schedule, config.texygen_config), and scored under both protocols of metrics/benchmark_protocols.py.

Per seed: one shared MLE pretraining, then SeqGAN, MLE (continued under quick; stopped after its pretraining
under texygen, as Texygen's MLE was) and self-imitation. Each finished run keeps its record in
results/coco/PROFILE/runs/: metrics, configuration, its 10,000 final samples (compressed) and its temperature
curve (training/temperature_curve.text_curve), so that publishing needs no checkpoint. Published to
results/coco/PROFILE/ (`publish`):

- table.md / table.csv: each row's BLEU-2..5, Self-BLEU-2..5 and NLL-test under the `texygen` protocol beside
  Texygen's published numbers (and how far from them), and under the `corrected` protocol beside real data;
  mean and 95% t-interval across seeds, each seed's value in the CSV; p across seeds (Welch) against MLE;
- benchmark.json: the rows `python -m reproduction benchmark` sets beside a user's samples;
- frontier.png / frontier.csv: BLEU-5 against Self-BLEU-5 (the plane of Caccia et al., ICLR 2020) and BLEU-5
  against NLL-test, MLE's temperature curve (mean over seeds) with every row's final point, real data's and
  the published ones; `cooled_mle` reads off where cooled MLE stands at each row's diversity;
- samples.md: the first captions of each final generator and of real data.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from reproduction import config as configuration
from reproduction.config import DEFAULT_ADAM, AdamOptions, RunConfig, for_corpus
from reproduction.datasets.benchmark_view import BenchmarkData
from reproduction.datasets.benchmark_view import load_data as benchmark_data
from reproduction.io_utils import write_text
from reproduction.metrics import benchmark_protocols as protocols
from reproduction.metrics.published_benchmarks import published_rows
from reproduction.metrics.stats import format_p, mean_interval, welch_p_value
from reproduction.publications.text_benchmark import PROJECT_TABLE, write_project_table
from reproduction.publications.text_frontier import (
    COLUMNS,
    HEADERS,
    Point,
    cooled_lines,
    mean_curve,
    real_data_row,
    score_run,
    seed_points,
    self_bleu_counts,
    write_frontier,
)
from reproduction.run_log import csv_text, read_samples
from reproduction.sweeps.plan import RunSpec

DATASET = "coco"
METHODS = ("seqgan", "mle", "self-imitation")  # seqgan first: its pretraining snapshot serves the others
LABELS = {"mle": "MLE", "seqgan": "SeqGAN", "self-imitation": "self-imitation"}
EXTRAS = ("samples", "temperatures")  # what each run's record keeps (sweeps/records.py)
SAMPLES_SHOWN = 10

Locate = Callable[[str, int], Path]


def config(method: str, profile: str, seed: int, corpus_size: tuple[int, int, int]) -> RunConfig:
    """The configuration of `method` on COCO under `profile`, sized by the corpus (vocabulary, length, training
    captions)."""
    cfg = configuration.make_config(method, profile, seed=seed, dataset=DATASET)
    return for_corpus(cfg, *corpus_size)


def run_dir(runs: Path, profile: str, method: str, seed: int) -> Path:
    return Path(runs) / profile / f"{DATASET}-{method}-s{seed}"


def record(results: Path, profile: str, method: str, seed: int) -> Path:
    return Path(results) / DATASET / profile / "runs" / f"{method}_s{seed}"


def plan(profile: str, seeds: list[int], methods: tuple[str, ...] = METHODS, mirror: str | Path | None = None,
         runs: Path = Path("runs"), adam: AdamOptions = DEFAULT_ADAM, results: Path = Path("results"),
         configure: Callable[[RunConfig], RunConfig] | None = None) -> list[RunSpec]:
    """Every method on each seed. `configure(cfg)` may adjust each configuration (tests shrink the models)."""
    from reproduction.datasets.registry import load_corpus

    corpus = load_corpus(DATASET, mirror)
    size = (corpus.vocab_size, corpus.seq_len, len(corpus.train))
    specs = []
    for seed in seeds:
        for method in sorted(methods, key=METHODS.index):
            cfg = dataclasses.replace(config(method, profile, seed, size), **adam.fields())
            specs.append(RunSpec(configure(cfg) if configure else cfg, run_dir(runs, profile, method, seed),
                                 Path(runs) / profile / "shared", record(results, profile, method, seed), EXTRAS))
    return specs


# --- scoring ----------------------------------------------------------------------------------------------------

def aggregate(scores: dict[str, dict[int, dict[str, dict[str, float]]]], protocol: str) -> list[dict[str, Any]]:
    """One row per method: mean and 95% half-width across seeds of every column, each seed's value, and p across
    seeds (Welch) against MLE."""
    rows = []
    for method, per_seed in scores.items():
        seeds = sorted(per_seed)
        row: dict[str, Any] = {"protocol": protocol, "label": LABELS[method], "method": method, "seeds": len(seeds)}
        for c in COLUMNS:
            values = [per_seed[s][protocol][c] for s in seeds]
            row[c], row[f"{c}_ci95"] = mean_interval(values)
            row[f"{c}_per_seed"] = values
            if method != "mle" and "mle" in scores:
                mle = [scores["mle"][s][protocol][c] for s in sorted(scores["mle"])]
                row[f"{c}_p_vs_mle"] = welch_p_value(np.array(values), np.array(mle)) if len(seeds) > 1 else math.nan
        rows.append(row)
    return rows


# --- publishing ---------------------------------------------------------------------------------------------------

def publish(profile: str, seeds: list[int], methods: tuple[str, ...], locate: Locate, dest: Path,
            mirror: str | Path | None = None) -> Path:
    """Write results/coco/PROFILE/ (module docstring) from finished run directories (or ones restored from their
    records)."""
    methods = tuple(sorted(methods, key=METHODS.index))
    data = benchmark_data(DATASET, mirror)
    scores = {m: {s: score_run(locate(m, s), data) for s in seeds} for m in methods}
    samples = len(read_samples(locate(methods[0], seeds[0]) / "final_samples.npz")["tokens"])
    real = real_data_row(data, samples)
    tables = {p: aggregate(scores, p) for p in protocols.PROTOCOLS}
    curve = mean_curve([locate("mle", s) for s in seeds]) if "mle" in methods else None
    write_text(dest / "table.md", table_markdown(profile, seeds, tables, real, curve, data, samples))
    write_text(dest / "table.csv", _table_csv(scores, real))
    counts = self_bleu_counts(data, samples)
    means = [({k: v for k, v in r.items() if not k.endswith(("_per_seed", "_ci95")) and "_p_vs_" not in k}, p)
             for p in protocols.PROTOCOLS for r in tables[p]]
    write_project_table(dest / PROJECT_TABLE, DATASET, profile,
                        [{**r, "sentences": samples, "self_bleu_sentences": counts[p]} for r, p in means])
    if curve is not None:
        _frontier(profile, seeds, tables, real, curve, dest)
    _samples_md(profile, seeds[0], methods, locate, data, dest)
    return dest


def _table_csv(scores: dict[str, dict[int, dict[str, dict[str, float]]]], real: dict[str, float]) -> str:
    rows = [{"protocol": p, "row": LABELS[m], "seed": s, **scores[m][s][p]}
            for p in protocols.PROTOCOLS for m in scores for s in sorted(scores[m])]
    rows.append({"protocol": "corrected", "row": "real data (training captions)", "seed": "", **real,
                 "nll_test": ""})
    return csv_text(rows, ["protocol", "row", "seed", *COLUMNS])


def _cell(row: dict[str, Any], c: str) -> str:
    value, half = row.get(c), row.get(f"{c}_ci95")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:.3f}" + ("" if half is None or math.isnan(half) else f" ± {half:.3f}")


def _ours(row: dict[str, Any]) -> str:
    n = row["seeds"]
    return f"{row['label']} (ours, {n} seed{'s' if n > 1 else ''})"


def table_markdown(profile: str, seeds: list[int], tables: dict[str, list[dict[str, Any]]], real: dict[str, float],
                   curve: list[dict[str, float]] | None, data: BenchmarkData, samples: int) -> str:
    published = {p.model: p for p in published_rows(DATASET)}
    seed_list = ", ".join(map(str, seeds))
    lines = [f"# COCO captions, profile {profile}: MLE, SeqGAN and self-imitation under both protocols", "",
             f"Corpus: {data.description}. Each row: " + (
                 f"the mean and 95% t-interval across seeds {seed_list}" if len(seeds) > 1 else
                 f"seed {seed_list} (one seed so far: no interval, no test across seeds)") +
             f" of {samples:,} samples of each final generator (per-seed values in table.csv); NLL-test of the final "
             "generator. Written by `python -m reproduction reproduce --profile " + profile + " --datasets coco` "
             "from the runs' records (runs/); docs/benchmark.md explains both protocols.", ""]
    header = "| row | " + " | ".join(HEADERS) + " |"
    rule = "|---|" + "---|" * len(HEADERS)
    lines += ["## `texygen`: what produced Texygen's published numbers", "",
              "BLEU-n of every sample against all 10,000 test captions; Self-BLEU-n of every sample against all "
              "the others; NLL-test: Texygen's, the mean per-position NLL of the training captions, padding "
              "included. Published rows: Texygen's README (one run each, no seed); NLL-gen from RelGAN's Table 2.",
              "", header, rule]
    for row in tables["texygen"]:
        lines.append(f"| {_ours(row)} | " + " | ".join(_cell(row, c) for c in COLUMNS) + " |")
    for model, p in published.items():
        values = {**{f"bleu{n}": v for n, v in p.bleu.items()}, **{f"self_bleu{n}": v for n, v in p.self_bleu.items()},
                  "nll_test": p.nll_gen}
        lines.append(f"| {model}, published | " + " | ".join(_cell(values, c) for c in COLUMNS) + " |")
        ours = next((r for r in tables["texygen"] if r["label"] == model), None)
        if ours is not None:
            lines.append(f"| {model}: ours − published | " + " | ".join(
                "" if values.get(c) is None else f"{ours[c] - values[c]:+.3f}" for c in COLUMNS) + " |")
    lines += ["", "## `corrected`: held-out references, leave-one-out Self-BLEU, a real-data row", "",
              "BLEU-n against the test captions other than those equal to a training caption; Self-BLEU-n "
              "leave-one-out over as many sentences for every row; NLL-test per token of the 6,810 in-vocabulary "
              "test captions (nll_test_coco.txt), up to and including the end token. Real data: training "
              "captions, never references, scored like samples (docs/benchmark.md says why not test captions).",
              "", header, rule]
    for row in tables["corrected"]:
        lines.append(f"| {_ours(row)} | " + " | ".join(_cell(row, c) for c in COLUMNS) + " |")
    lines.append("| real data (training captions) | " + " | ".join(_cell(real, c) for c in COLUMNS) + " |")
    lines += ["", "## p across seeds against MLE (Welch's t-test of the per-seed values)", ""]
    if len(seeds) > 1:
        lines += ["| protocol | row | " + " | ".join(HEADERS) + " |", "|---|---|" + "---|" * len(HEADERS)]
    else:
        lines.append("Needs two seeds or more; this table has one.")
    for p in protocols.PROTOCOLS if len(seeds) > 1 else ():
        for row in tables[p]:
            if row["method"] != "mle" and f"{COLUMNS[0]}_p_vs_mle" in row:
                lines.append(f"| {p} | {row['label']} | "
                             + " | ".join(format_p(row[f"{c}_p_vs_mle"]) for c in COLUMNS) + " |")
    if curve is not None:
        points = _points(tables, real, published.values(), "self_bleu5")
        lines += ["", *cooled_lines(curve, {p: points[p] + _seed_points(tables[p], seeds) for p in points})]
    return "\n".join(lines) + "\n"


def _points(tables: dict[str, list[dict[str, Any]]], real: dict[str, float], published: Iterable[Any],
            y: str) -> dict[str, list[Point]]:
    """Per protocol, (label, BLEU-5, `y`) of our rows, then real data's (corrected) or the published rows' (texygen;
    none where `y` is nll_test)."""
    points = {}
    for p in protocols.PROTOCOLS:
        points[p] = [(f"{r['label']} (ours)", r["bleu5"], r[y]) for r in tables[p]]
        if y == "nll_test":
            continue
        if p == "corrected":
            points[p].append(("real data (training captions)", real["bleu5"], real[y]))
        else:
            points[p] += [(f"{q.model}, published", q.bleu[5], q.self_bleu[5]) for q in published]
    return points


def _seed_points(rows: list[dict[str, Any]], seeds: list[int]) -> list[Point]:
    """`seed_points` of each of our rows, in BLEU-5 and Self-BLEU-5."""
    return [pt for r in rows for pt in seed_points(r["label"], seeds, r["bleu5_per_seed"], r["self_bleu5_per_seed"])]


def _frontier(profile: str, seeds: list[int], tables: dict[str, list[dict[str, Any]]], real: dict[str, float],
              curve: list[dict[str, float]], dest: Path) -> None:
    published = published_rows(DATASET)
    title = (f"COCO, profile {profile}: MLE sampled at temperatures (mean of seed(s) {', '.join(map(str, seeds))}) "
             "and every row's final point")
    write_frontier(title, curve, _points(tables, real, published, "self_bleu5"),
                   _points(tables, real, published, "nll_test"), dest)


def _samples_md(profile: str, seed: int, methods: tuple[str, ...], locate: Locate, data: BenchmarkData,
                dest: Path) -> None:
    lines = [f"# COCO, profile {profile}: the first {SAMPLES_SHOWN} captions of each final generator (seed {seed}) "
             "and of real data", "", "As the benchmark scores them: each sample decoded to text with every end "
             "token dropped (as Texygen wrote its samples), tokenised again.", ""]
    shown = {LABELS[m]: data.sentences(read_samples(locate(m, seed) / "final_samples.npz")["tokens"][:SAMPLES_SHOWN])
             for m in methods}
    shown["real data (training captions, in the corrected protocol's order)"] = data.probe[:SAMPLES_SHOWN]
    for label, sentences in shown.items():
        lines += [f"## {label}", ""] + [f"{i + 1}. {' '.join(s)}" for i, s in enumerate(sentences)] + [""]
    write_text(dest / "samples.md", "\n".join(lines))


def publish_all(profile: str, seeds: list[int], runs: Path, results: Path, mirror: str | Path | None = None,
                methods: tuple[str, ...] = METHODS) -> Path:
    return publish(profile, seeds, methods, lambda m, s: run_dir(runs, profile, m, s),
                   Path(results) / DATASET / profile, mirror)

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
import itertools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from reproduction import config as configuration
from reproduction import plots
from reproduction.config import DEFAULT_ADAM, AdamOptions, RunConfig, for_corpus
from reproduction.datasets.benchmark_view import BenchmarkData
from reproduction.datasets.benchmark_view import load_data as benchmark_data
from reproduction.errors import UserError
from reproduction.io_utils import write_text
from reproduction.metrics import benchmark_protocols as protocols
from reproduction.metrics.published_benchmarks import published_rows
from reproduction.metrics.stats import format_p, mean_interval, welch_p_value
from reproduction.publications.text_benchmark import PROJECT_TABLE, write_project_table
from reproduction.run_log import csv_text, read_samples
from reproduction.sweeps.plan import RunSpec
from reproduction.training.temperature_curve import read_text_curve

DATASET = "coco"
METHODS = ("seqgan", "mle", "self-imitation")  # seqgan first: its pretraining snapshot serves the others
LABELS = {"mle": "MLE", "seqgan": "SeqGAN", "self-imitation": "self-imitation"}
EXTRAS = ("samples", "temperatures")  # what each run's record keeps (sweeps/records.py)
SAMPLES_SHOWN = 10
COLUMNS = [f"bleu{n}" for n in protocols.ORDERS] + [f"self_bleu{n}" for n in protocols.ORDERS] + ["nll_test"]
HEADERS = [f"BLEU-{n}" for n in protocols.ORDERS] + [f"Self-BLEU-{n}" for n in protocols.ORDERS] + ["NLL-test"]
NLL_OF = {"texygen": "nll_texygen", "corrected": "nll_test"}  # a text curve's NLL column of each protocol

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

def score_run(run: Path, data: BenchmarkData) -> dict[str, dict[str, float]]:
    """Protocol -> columns of one finished run: its final samples' BLEU-n and Self-BLEU-n, and the NLL-test of
    its final generator (from its temperature curve at T = 1, computed when the run finished)."""
    tokens = read_samples(Path(run) / "final_samples.npz")["tokens"]
    sentences = data.sentences(tokens)
    curve = read_text_curve(run)
    if curve is None:
        raise UserError(f"{run}: no temperature curve (temperatures.csv); its record is incomplete: retrain it "
                        "(reproduce --retrain) or publish from a run directory that has its checkpoint")
    at_one = next(r for r in curve if r["temperature"] == 1.0)
    rows = {"texygen": protocols.score_texygen(sentences, data.texygen_references),
            "corrected": protocols.corrected_samples_row(sentences, data.corrected_references, len(data.probe))}
    return {p: {**_columns(r), "nll_test": at_one[NLL_OF[p]]} for p, r in rows.items()}


def _columns(row: protocols.Row) -> dict[str, float]:
    return {**{f"bleu{n}": row.bleu[n] for n in protocols.ORDERS},
            **{f"self_bleu{n}": row.self_bleu[n] for n in protocols.ORDERS}}


def real_data_row(data: BenchmarkData, samples: int) -> dict[str, float]:
    """The corrected protocol's real-data row for `samples` scored samples (K = min(samples, training captions))."""
    count = min(samples, len(data.probe))
    protocols.check_apart(data.probe, data.corrected_references)
    return _columns(protocols.score_rows(data.probe_label, "corrected", data.probe[:count], data.corrected_references))


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


# --- the temperature frontier -----------------------------------------------------------------------------------

def mean_curve(runs: list[Path]) -> list[dict[str, float]]:
    """A text curve averaged over seeds at each temperature."""
    curves = [read_text_curve(r) for r in runs]
    if any(c is None for c in curves):
        raise UserError("a run has no temperature curve (temperatures.csv): retrain it or publish from its run "
                        "directory")
    return [{k: float(np.mean([c[i][k] for c in curves])) for k in curves[0][i]} for i in range(len(curves[0]))]


def cooled_mle(curve: list[dict[str, float]], protocol: str, self_bleu5: float) -> tuple[float, float] | None:
    """(temperature, BLEU-5) of MLE's curve at the Self-BLEU-5 `self_bleu5`, interpolated linearly between the two
    temperatures around it; None outside the curve's range."""
    for a, b in itertools.pairwise(curve):
        lo, hi = sorted((a[f"{protocol}_self_bleu5"], b[f"{protocol}_self_bleu5"]))
        if lo <= self_bleu5 <= hi and hi > lo:
            w = (self_bleu5 - a[f"{protocol}_self_bleu5"]) / (b[f"{protocol}_self_bleu5"] - a[f"{protocol}_self_bleu5"])
            return (a["temperature"] + w * (b["temperature"] - a["temperature"]),
                    a[f"{protocol}_bleu5"] + w * (b[f"{protocol}_bleu5"] - a[f"{protocol}_bleu5"]))
    return None


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
    counts = {"texygen": samples, "corrected": min(samples, len(data.probe))}  # each protocol's Self-BLEU count
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
        lines += ["", "## Against cooled MLE (frontier.png)", "",
                  "MLE's final generator sampled at temperatures " + ", ".join(f"{r['temperature']:g}" for r in curve)
                  + " (mean over seeds) traces a curve of BLEU-5 against Self-BLEU-5. At each row's Self-BLEU-5, "
                  "the curve's BLEU-5 (linear between temperatures) is what MLE reaches by sampling cooler or "
                  "hotter: a row above it has learned more than a temperature.", "",
                  "| protocol | row | Self-BLEU-5 | BLEU-5 | cooled MLE at that Self-BLEU-5: T | BLEU-5 "
                  "| row − cooled MLE |",
                  "|---|---|---|---|---|---|---|"]
        for p in protocols.PROTOCOLS:
            points = [(r["label"] + " (ours)", r["bleu5"], r["self_bleu5"]) for r in tables[p]]
            if p == "corrected":
                points.append(("real data (training captions)", real["bleu5"], real["self_bleu5"]))
            else:
                points += [(f"{m}, published", q.bleu[5], q.self_bleu[5]) for m, q in published.items()]
            for label, bleu5, self5 in points:
                at = cooled_mle(curve, p, self5)
                cells = ("outside the curve", "", "") if at is None else (
                    f"{at[0]:.2f}", f"{at[1]:.3f}", f"{bleu5 - at[1]:+.3f}")
                lines.append(f"| {p} | {label} | {self5:.3f} | {bleu5:.3f} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _frontier(profile: str, seeds: list[int], tables: dict[str, list[dict[str, Any]]], real: dict[str, float],
              curve: list[dict[str, float]], dest: Path) -> None:
    published = published_rows(DATASET)
    fields = ["temperature"] + [f"{p}_{c}" for p in protocols.PROTOCOLS for c in COLUMNS[:-1]] + [
        "nll_test", "nll_texygen"]
    write_text(dest / "frontier.csv", csv_text(curve, fields))
    diversity, coverage = {}, {}
    for p in protocols.PROTOCOLS:
        points = {f"{r['label']} (ours)": (r["bleu5"], r["self_bleu5"]) for r in tables[p]}
        if p == "corrected":
            points["real data (training captions)"] = (real["bleu5"], real["self_bleu5"])
        else:
            points.update({f"{q.model}, published": (q.bleu[5], q.self_bleu[5]) for q in published})
        mle = [(r["temperature"], r[f"{p}_bleu5"], r[f"{p}_self_bleu5"]) for r in curve]
        diversity[f"protocol {p}"] = ({"MLE (ours)": mle}, points)
        nll = NLL_OF[p]
        coverage[f"protocol {p}"] = (
            {"MLE (ours)": [(r["temperature"], r[f"{p}_bleu5"], r[nll]) for r in curve]},
            {f"{r['label']} (ours)": (r["bleu5"], r["nll_test"]) for r in tables[p]})
    title = (f"COCO, profile {profile}: MLE sampled at temperatures (mean of seed(s) {', '.join(map(str, seeds))}) "
             "and every row's final point")
    plots.planes(diversity, dest / "frontier", title, xlabel="BLEU-5 (higher: closer to the references)",
                 ylabel="Self-BLEU-5 (lower: more diverse)")
    plots.planes(coverage, dest / "frontier_nll", title, xlabel="BLEU-5 (higher: closer to the references)",
                 ylabel="NLL-test (lower: better coverage)")


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

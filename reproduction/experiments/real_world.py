"""The real-world experiments (paper Section 5, Tables 2-4): MLE against SeqGAN on Chinese quatrains, Obama
speeches and Nottingham melodies, with the synthetic experiment's generator, discriminator, rollout and
training loops; only the data and the sizes change (config.for_corpus).

Per corpus and seed: one shared MLE pretraining, then SeqGAN (adversarial) and MLE (continued) for as many
batches/epochs. Published to results/<corpus>/<profile>/ (`publish`; it reads only the finished run
directories, so old runs can be republished):

- table.md / table.csv: the paper's MLE, SeqGAN and real-data numbers beside ours. Each run's final samples
  (final_samples.npz) are rescored (`rescore_run`, also `python -m reproduction rescore`) against the
  corpus's references under both BLEU rules (method1, legacy); ours are the mean and 95% t-interval across
  seeds; real data is the corpus's held-out probe scored the same way (metrics.real_data.real_data_scores),
  and each model's score is also given as a fraction of real data's. p across seeds: Welch's t-test of the
  per-seed final scores, SeqGAN against MLE (the primary test: seeds are the replicates); p within runs:
  Welch's t-test of the per-sample scores pooled over seeds (secondary: it measures sampling noise within
  runs, so it is tiny whenever the means differ at all).
- reference_size.png / .csv: BLEU against the number of references (nested random subsets) for real data,
  MLE and SeqGAN, both rules: scores grow with the reference set, so absolute BLEU is only comparable at
  equal size.
- learning_curve.png: the corpus's first BLEU order (method1) as logged during training, mean across seeds
  with the min-max band, and real data's level.
- samples.md (and MIDI files, a piano roll): samples a reader can judge: poems as quatrains, Obama
  paragraphs as detokenised text, melodies as pitch names and playable MIDI.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from reproduction import plots
from reproduction.config import RunConfig, for_corpus, make_config
from reproduction.datasets.corpus import Corpus, load_corpus
from reproduction.errors import UserError
from reproduction.experiments.sweep import RunSpec, train_all
from reproduction.io_utils import copy_file, load_npz, write_text
from reproduction.metrics import real_data
from reproduction.metrics.bleu import BLEU_RULES
from reproduction.metrics.real_data import BLEU_ORDERS, Scores
from reproduction.metrics.stats import format_p, mean_interval, welch_p_value
from reproduction.run_log import csv_text, curve_band, mle_epochs, read_rows

METHODS = ("seqgan", "mle")  # seqgan first: its pretraining snapshot serves mle
LABELS = {"mle": "MLE", "seqgan": "SeqGAN"}
# paper Tables 2-4: (MLE, SeqGAN); lower is better only for MSE
PAPER = {"poems": {"bleu2": (0.6670, 0.7389)}, "obama": {"bleu3": (0.519, 0.556), "bleu4": (0.416, 0.427)},
         "nottingham": {"bleu4": (0.9210, 0.9406), "mse": (22.38, 20.62)}}
PAPER_REAL = {"poems": {"bleu2": 0.746}}  # paper Table 2's "Real data" row; Tables 3 and 4 have none
SAMPLES_SHOWN = {"poems": 20, "obama": 10, "nottingham": 5}
REFERENCE_SIZES = (250, 500, 1000, 2000)  # and all of the corpus's references
REAL = "real data"
COLORS = {"MLE": "tab:blue", "SeqGAN": "tab:orange", REAL: "black"}


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
    try:
        cfg = json.loads((run / "run.json").read_text())["config"]
    except FileNotFoundError:
        raise UserError(f"{run}: no run.json; pass a directory written by `python -m reproduction train`") from None
    except (ValueError, KeyError, TypeError) as e:
        raise UserError(f"{run / 'run.json'}: unreadable ({e})") from e
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
    final = load_npz(path)
    if "tokens" not in final:
        raise UserError(f"{path} holds no `tokens`")
    return final["tokens"]


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


def table_markdown(dataset: str, profile: str, corpus: Corpus, rows: list[dict[str, Any]],
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
    seeds = [int(k.removeprefix("mle_s")) for k in rows[0] if k.startswith("mle_s")]
    lines += ["", "Per seed, MLE / SeqGAN (the values behind the means and the test across seeds):", "",
              "| metric | " + " | ".join(f"seed {s}" for s in seeds) + " |", "|---|" + "---|" * len(seeds)]
    for r in rows:
        lines.append(f"| {r['metric']} | " + " | ".join(f"{r[f'mle_s{s}']:.4f} / {r[f'seqgan_s{s}']:.4f}"
                                                        for s in seeds) + " |")
    return "\n".join(lines) + "\n"


def _band(values_per_seed: list[list[float]], xs: list[float]) -> plots.Band:
    """(x, mean, min, max) across seeds at each x."""
    v = np.asarray(values_per_seed, dtype=float)
    return [(x, float(v[:, i].mean()), float(v[:, i].min()), float(v[:, i].max())) for i, x in enumerate(xs)]


def learning_curve_bands(seeds: list[int], locate: Any, metric: str) -> dict[str, plots.Band]:
    """Label -> (x, mean, min, max across seeds) of `metric` as logged, at the evaluations every seed has."""
    return {LABELS[m]: curve_band([locate(m, s) for s in seeds], metric) for m in METHODS}


def reference_size_rows(corpus: Corpus, seeds: list[int], locate: Any) -> tuple[list[int], list[dict[str, Any]]]:
    """BLEU against nested random subsets of the references (REFERENCE_SIZES below the corpus's count, and all
    of them), for real data (the probe) and each run's final samples: (sizes, one row per source and size)."""
    sizes = [k for k in REFERENCE_SIZES if k < len(corpus.test)] + [len(corpus.test)]
    sources = [(REAL, "", corpus.require_probe())] + [
        (LABELS[m], s, load_npz(locate(m, s) / "final_samples.npz")["tokens"]) for m in METHODS for s in seeds]
    rows = []
    for label, seed, samples in sources:
        curve = real_data.bleu_by_reference_size(corpus, samples, sizes)
        for i, size in enumerate(sizes):
            rows.append({"source": label, "seed": seed, "references": size, **{c: v[i] for c, v in curve.items()}})
    return sizes, rows


def plot_reference_size(dataset: str, profile: str, sizes: list[int], rows: list[dict[str, Any]], seeds: list[int],
                        path: Path) -> None:
    panels: dict[str, dict[str, plots.Band]] = {}
    styles: dict[str, dict] = {}
    for rule in BLEU_RULES:
        curves = {}
        for k, n in enumerate(BLEU_ORDERS[dataset]):
            col = real_data.column(f"bleu{n}", rule)
            for label in (REAL, "MLE", "SeqGAN"):
                values = [[r[col] for r in rows if r["source"] == label and r["seed"] == s]
                          for s in ([""] if label == REAL else seeds)]
                name = f"{label} BLEU-{n}"
                curves[name] = _band(values, [float(x) for x in sizes])
                styles[name] = {"color": COLORS[label], "linestyle": "-" if k == 0 else "--", "marker": "o",
                                "markersize": 3}
        panels[f"rule {rule}"] = curves
    plots.band_panels(panels, path, f"{dataset}: BLEU against the number of references (profile {profile}; models: "
                      f"mean and range of {len(seeds)} seed(s))", ylabel="BLEU", xlabel="references (random subsets)",
                      styles=styles, logx=True)


def publish(dataset: str, profile: str, seeds: list[int], corpus: Corpus, locate: Any, dest: Path) -> None:
    scores, real = rescore_all(dataset, seeds, locate, corpus)
    rows = build_table(dataset, seeds, locate, corpus, scores, real)
    write_text(dest / "table.csv", csv_text(rows, list(rows[0])))
    write_text(dest / "table.md", table_markdown(dataset, profile, corpus, rows, scores, real))
    sizes, size_rows = reference_size_rows(corpus, seeds, locate)
    write_text(dest / "reference_size.csv", csv_text(size_rows, list(size_rows[0])))
    plot_reference_size(dataset, profile, sizes, size_rows, seeds, dest / "reference_size")
    n = BLEU_ORDERS[dataset][0]
    metric = f"bleu{n}"
    plots.band_panels({f"mean and min-max of {len(seeds)} seed(s); dotted: real data (held-out probe)":
                       learning_curve_bands(seeds, locate, metric)},
                      dest / "learning_curve", f"{dataset}, profile {profile}: BLEU-{n} (method1) logged in training",
                      ylabel=f"BLEU-{n}", adversarial_start=mle_epochs(locate("seqgan", seeds[0])),
                      levels={f"{REAL} {real.means[metric]:.3f}": real.means[metric]},
                      styles={label: {"color": color} for label, color in COLORS.items()})
    shown = {LABELS[m]: load_npz(locate(m, seeds[0]) / "final_samples.npz")["tokens"] for m in METHODS}
    write_samples(dataset, corpus, seeds[0], shown, dest)
    for m in METHODS:
        for s in seeds:
            for suffix, source in (("csv", "metrics.csv"), ("json", "run.json")):
                copy_file(locate(m, s) / source, dest / f"runs/{m}_s{s}.{suffix}")


def readable(dataset: str, corpus: Corpus, tokens: np.ndarray) -> list[str]:
    """One sequence as a reader sees it: a poem's four lines, an Obama paragraph as text, a melody's pitches."""
    words = corpus.tokens(tokens)
    if dataset == "poems":
        from reproduction.datasets.poems import quatrain

        return quatrain(words)
    if dataset == "obama":
        from reproduction.datasets.obama import detokenize

        return [detokenize(words)]
    return [corpus.separator.join(words)]


def write_samples(dataset: str, corpus: Corpus, seed: int, samples: dict[str, np.ndarray], dest: Path) -> None:
    """The first samples of each method and of the real-data probe, readable (quatrains, detokenised
    paragraphs) or playable (MIDI) and pictured."""
    k = SAMPLES_SHOWN[dataset]
    lines = [f"# {dataset}: the first {k} samples of each final generator (seed {seed}), and real data", "",
             "Real data: held-out sequences of the real-data probe (never trained on, not among the BLEU "
             "references)." + (" Poems are laid out as quatrains; □ marks a character outside the vocabulary."
                               if dataset == "poems" else "") + (
                 " Paragraphs are the first 32 tokens, lowercased by the tokenizer; they are detokenised and "
                 "sentence starts capitalised for reading; ⟨unk⟩ is a word outside the vocabulary."
                 if dataset == "obama" else ""), ""]
    shown = {**samples, f"{REAL} (held-out probe)": corpus.require_probe()}
    for label, tokens in shown.items():
        lines += [f"## {label}", ""]
        if dataset == "poems":  # a quatrain per numbered block, in a text block so the lines stay lines
            lines.append("```text")
            for i, t in enumerate(tokens[:k]):
                poem = readable(dataset, corpus, t)
                lines += [f"{i + 1:>2}. {poem[0] if poem else ''}"] + [f"    {line}" for line in poem[1:]] + [""]
            lines[-1] = "```"
        else:
            lines += [f"{i + 1}. {readable(dataset, corpus, t)[0]}" for i, t in enumerate(tokens[:k])]
        lines.append("")
    write_text(dest / "samples.md", "\n".join(lines))
    if dataset == "nottingham":
        from reproduction.datasets.nottingham import write_midi

        for label, tokens in shown.items():
            for i, t in enumerate(tokens[:k]):
                write_midi(t, dest / "midi" / f"{label.split()[0].lower()}_{i + 1}.mid")
        plots.piano_roll({label: [list(map(int, t)) for t in tokens[:k]] for label, tokens in shown.items()},
                         dest / "piano_roll", "Nottingham: melodies of 32 steps of 0.4 s (tokens = piano keys)")

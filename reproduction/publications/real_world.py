"""The real-world experiments (paper Section 5, Tables 2-4): MLE against SeqGAN on Chinese quatrains, Obama
speeches and Nottingham melodies, with the synthetic experiment's generator, discriminator, rollout and
training loops; only the data and the sizes change (config.for_corpus).

Per corpus and seed: one shared MLE pretraining, then SeqGAN (adversarial) and MLE (continued) for as many
batches/epochs. Each finished run keeps its record, final samples included, in results/<corpus>/<profile>/runs/
(records.py), so a later session publishes it instead of retraining it. Published to
results/<corpus>/<profile>/ (`publish`; it reads only the finished run directories, so old runs can be
republished):

- table.md / table.csv: the paper's MLE, SeqGAN and real-data numbers beside ours under both BLEU rules,
  across seeds, from each run's final samples rescored at publication (publications/real_world_table.py).
- reference_size.png / .csv: BLEU against the number of references (nested random subsets) for real data,
  MLE and SeqGAN, both rules: scores grow with the reference set, so absolute BLEU is only comparable at
  equal size.
- learning_curve.png: the corpus's first BLEU order (method1) as logged during training, mean across seeds
  with the min-max band, and real data's level.
- samples.md (and MIDI files, a piano roll): samples a reader can judge: poems as quatrains, Obama
  paragraphs as detokenised text, melodies as pitch names and playable MIDI.
- frontier.md, frontier.png, frontier_nll.png, frontier.csv (poems and Obama, when every run kept its
  temperature curve): MLE sampled at temperatures against SeqGAN and real data on the benchmark's planes,
  BLEU-5 against Self-BLEU-5 and against NLL-test, under both protocols (publications/text_frontier.py): does
  SeqGAN beat cooled MLE? And frontier_bleu2.png (poems) or frontier_bleu3.png (Obama): the same question in
  the corpus's own first BLEU order, the paper's metric, where BLEU-5 of short sequences is near its floor.
  benchmark.json: those MLE and SeqGAN rows (means over seeds, both protocols), which `python -m reproduction
  benchmark --corpus poems|obama` sets a file of samples beside.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from reproduction import config as configuration
from reproduction import plots
from reproduction.config import DEFAULT_ADAM, AdamOptions, RunConfig, for_corpus
from reproduction.datasets.benchmark_view import load_data as benchmark_data
from reproduction.datasets.corpus import Corpus
from reproduction.datasets.registry import load_corpus
from reproduction.io_utils import write_text
from reproduction.metrics import benchmark_protocols as protocols
from reproduction.metrics import real_data
from reproduction.metrics.bleu import BLEU_RULES
from reproduction.metrics.real_data import BLEU_ORDERS
from reproduction.publications.real_world_table import (
    LABELS,
    METHODS,
    build_table,
    own_order,
    rescore_all,
    table_markdown,
)
from reproduction.publications.text_benchmark import PROJECT_TABLE, write_project_table
from reproduction.publications.text_frontier import (
    Point,
    cooled_lines,
    diversity_plane,
    mean_curve,
    real_data_row,
    score_run,
    seed_points,
    self_bleu_counts,
    write_frontier,
)
from reproduction.run_log import csv_text, curve_band, mle_epochs, read_samples
from reproduction.sweeps import records
from reproduction.sweeps.plan import RunSpec
from reproduction.sweeps.sweep import train_all
from reproduction.training.temperature_curve import TEMPERATURES_FILE, TEXT_CORPORA

SAMPLES_SHOWN = {"poems": 20, "obama": 10, "nottingham": 5}
REFERENCE_SIZES = (250, 500, 1000, 2000)  # and all of the corpus's references
REAL = "real data"
COLORS = {"MLE": "tab:blue", "SeqGAN": "tab:orange", REAL: "black"}


def config(dataset: str, method: str, profile: str, seed: int, mirror: str | Path | None = None,
           corpus: Corpus | None = None) -> RunConfig:
    """The run configuration of `method` on a real-world corpus, sized by the corpus."""
    cfg = configuration.make_config(method, profile, seed=seed, dataset=dataset)  # validates dataset and method first
    corpus = corpus or load_corpus(dataset, mirror)
    return for_corpus(cfg, corpus.vocab_size, corpus.seq_len, len(corpus.train))


def run_dir(runs: Path, profile: str, dataset: str, method: str, seed: int) -> Path:
    return runs / profile / f"{dataset}-{method}-s{seed}"


def record(results: Path, dataset: str, profile: str, method: str, seed: int) -> Path:
    """Where a real-data run's record goes (sweeps/records.py), beside the corpus's published results."""
    return Path(results) / dataset / profile / "runs" / f"{method}_s{seed}"


def extras(dataset: str) -> tuple[str, ...]:
    """What a run's record keeps beyond its metrics: its final samples, and on text its temperature curve (the
    benchmark's scores at each temperature, for the quality-diversity frontier; issues 41 and 43)."""
    return ("samples", "temperatures") if dataset in TEXT_CORPORA else ("samples",)


def plan(profile: str, datasets: list[str], seeds: list[int], mirror: str | Path | None = None,
         runs: Path = Path("runs"), configure: Any = None, adam: AdamOptions = DEFAULT_ADAM,
         results: Path = Path("results")) -> list[RunSpec]:
    """MLE and SeqGAN on each corpus and seed. `configure(cfg)` may adjust each configuration (tests shrink
    the models). Each run keeps its record (`extras`) in results/CORPUS/PROFILE/runs/."""
    specs = []
    for dataset in datasets:
        corpus = load_corpus(dataset, mirror)
        for seed in seeds:
            for method in METHODS:
                cfg = dataclasses.replace(config(dataset, method, profile, seed, corpus=corpus), **adam.fields())
                specs.append(RunSpec(configure(cfg) if configure else cfg,
                                     run_dir(runs, profile, dataset, method, seed), runs / profile / "shared",
                                     record(results, dataset, profile, method, seed), extras(dataset)))
    return specs


def reproduce(profile: str, datasets: list[str], seeds: list[int], mirror: str | Path | None = None,
              runs: Path = Path("runs"), results: Path = Path("results"), show_progress: bool = True,
              configure: Any = None) -> list[Path]:
    """Train (or resume) MLE and SeqGAN on each corpus and seed, then publish."""
    train_all(plan(profile, datasets, seeds, mirror, runs, configure, results=results), mirror, show_progress)
    return publish_all(profile, datasets, seeds, mirror, runs, results)


def publish_all(profile: str, datasets: list[str], seeds: list[int], mirror: str | Path | None, runs: Path,
                results: Path) -> list[Path]:
    written = []
    for dataset in datasets:
        corpus = load_corpus(dataset, mirror)
        dest = results / dataset / profile
        publish(dataset, profile, seeds, corpus, lambda m, s, d=dataset: run_dir(runs, profile, d, m, s), dest,
                mirror)
        written.append(dest)
    return written


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
        (LABELS[m], s, read_samples(locate(m, s) / "final_samples.npz")["tokens"]) for m in METHODS for s in seeds]
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


def publish(dataset: str, profile: str, seeds: list[int], corpus: Corpus, locate: Any, dest: Path,
            mirror: str | Path | None = None) -> None:
    scores, real = rescore_all(dataset, seeds, locate, corpus)
    rows = build_table(dataset, seeds, locate, corpus, scores, real)
    write_text(dest / "table.csv", csv_text(rows, list(rows[0])))
    write_text(dest / "table.md", table_markdown(dataset, profile, corpus, seeds, rows, scores, real))
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
    shown = {LABELS[m]: read_samples(locate(m, seeds[0]) / "final_samples.npz")["tokens"] for m in METHODS}
    write_samples(dataset, corpus, seeds[0], shown, dest)
    runs = [locate(m, s) for m in METHODS for s in seeds]
    if dataset in TEXT_CORPORA and all((run / TEMPERATURES_FILE).exists() for run in runs):  # poems, Obama
        publish_frontier(dataset, profile, seeds, locate, dest, mirror)
    for m in METHODS:  # (written when each run finished; again here, for runs trained before records existed, with
        for s in seeds:  # the curve only where the run kept one: publishing computes none)
            run = locate(m, s)
            kept = tuple(e for e in extras(dataset) if e != "temperatures" or (run / TEMPERATURES_FILE).exists())
            records.write(run, dest / "runs" / f"{m}_s{s}", kept)


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


def publish_frontier(dataset: str, profile: str, seeds: list[int], locate: Any, dest: Path,
                     mirror: str | Path | None = None) -> None:
    """frontier.md and the planes of publications/text_frontier.py: MLE's temperature curve (mean over seeds), the
    final points of MLE and SeqGAN (mean over seeds) and real data's, under both protocols."""
    data = benchmark_data(dataset, mirror)
    scores = {m: [score_run(locate(m, s), data) for s in seeds] for m in METHODS}
    mean = {m: {p: {c: float(np.mean([x[p][c] for x in per_seed])) for c in per_seed[0][p]}
                for p in protocols.PROTOCOLS} for m, per_seed in scores.items()}
    samples = len(read_samples(locate(METHODS[0], seeds[0]) / "final_samples.npz")["tokens"])
    counts = self_bleu_counts(data, samples)
    real = real_data_row(data, samples)
    curve = mean_curve(locate("mle", s) for s in seeds)
    ours = {p: [(f"{LABELS[m]} (ours)", mean[m][p]["bleu5"], mean[m][p]) for m in METHODS] for p in protocols.PROTOCOLS}
    diversity = {p: [(label, b, row["self_bleu5"]) for label, b, row in ours[p]] for p in protocols.PROTOCOLS}
    diversity["corrected"].append((data.probe_label, real["bleu5"], real["self_bleu5"]))
    coverage = {p: [(label, b, row["nll_test"]) for label, b, row in ours[p]] for p in protocols.PROTOCOLS}
    seed_list = ", ".join(map(str, seeds))
    write_frontier(f"{dataset}, profile {profile}: MLE sampled at temperatures (mean of seed(s) {seed_list}) and "
                   "the final points", curve, diversity, coverage, dest)
    lines = [f"# {dataset}, profile {profile}: SeqGAN against cooled MLE on the benchmark's planes", "",
             f"Corpus: {data.description}. Each point: "
             + (f"the mean over seeds {seed_list}" if len(seeds) > 1 else f"seed {seed_list}")
             + f" of {samples:,} samples of each final generator, scored as the real-text benchmark scores them "
             "(docs/benchmark.md): `texygen` "
             "(BLEU-n against every held-out sequence, Self-BLEU-n of every sample against the others, NLL-test "
             "on the training sequences) and `corrected` (BLEU-n against the held-out references beside the "
             f"real-data probe, Self-BLEU-n leave-one-out over {counts['corrected']:,} samples, NLL-test "
             "per token of the held-out sequences). The paper's own metrics are in table.md.", "",
             "| protocol | row | BLEU-5 | Self-BLEU-5 | NLL-test |", "|---|---|---|---|---|"]
    for p in protocols.PROTOCOLS:
        for label, bleu5, row in ours[p]:
            lines.append(f"| {p} | {label} | {bleu5:.3f} | {row['self_bleu5']:.3f} | {row['nll_test']:.3f} |")
    lines.append(f"| corrected | {data.probe_label} | {real['bleu5']:.3f} | {real['self_bleu5']:.3f} | |")

    def per_seed(n: int) -> dict[str, list[Point]]:
        return {p: [pt for m in METHODS for pt in seed_points(LABELS[m], seeds, [x[p][f"bleu{n}"] for x in scores[m]],
                                                               [x[p][f"self_bleu{n}"] for x in scores[m]])]
                for p in protocols.PROTOCOLS}

    lines += ["", *cooled_lines(curve, {p: diversity[p] + per_seed(5)[p] for p in protocols.PROTOCOLS})]
    n = own_order(dataset)
    if n is not None:  # the paper's own order too
        own = {p: [(label, row[f"bleu{n}"], row[f"self_bleu{n}"]) for label, _, row in ours[p]]
               for p in protocols.PROTOCOLS}
        own["corrected"].append((data.probe_label, real[f"bleu{n}"], real[f"self_bleu{n}"]))
        diversity_plane(curve, own, dest / f"frontier_bleu{n}", f"{dataset}, profile {profile}: BLEU-{n}, the "
                        f"paper's metric, against Self-BLEU-{n}: MLE sampled at temperatures (mean of seed(s) "
                        f"{seed_list}) and the final points", n)
        lines += ["", *cooled_lines(curve, {p: own[p] + per_seed(n)[p] for p in protocols.PROTOCOLS},
                                    f"frontier_bleu{n}.png", n,
                                    f"Against cooled MLE in BLEU-{n}, the paper's metric for {dataset}")]
    write_text(dest / "frontier.md", "\n".join(lines) + "\n")
    write_project_table(dest / PROJECT_TABLE, dataset, profile, [
        {"protocol": p, "label": LABELS[m], "method": m, "seeds": len(seeds), **mean[m][p], "sentences": samples,
         "self_bleu_sentences": counts[p]} for p in protocols.PROTOCOLS for m in METHODS])

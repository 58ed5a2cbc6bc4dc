"""Figure 3 of the paper: SeqGAN under its four training strategies, (a) g-steps 100, d-steps 1, k 10;
(b) 30, 1, 30; (c) 1, 1, 10; (d) 1, 5, 3 (the default), and the paper's claim about them: large g-steps fall
fast, then become unstable; (d) is the most stable and ends lowest. The strategies are configuration
(config.STRATEGIES, `train --strategy`), not copies of the loop; this module trains them, draws the paper's
four panels and writes figure3.md, which says whether (d) ends lowest.

(c) and (d) run on every seed given (the claim rests on their gap, which one seed cannot tell from seed
noise); (a) and (b), whose batches hold 100 and 30 g-steps, on the first. Under a scaled profile each
strategy's adversarial phase has its own length (config.STRATEGY_ADV_BATCHES), evaluated after every batch.
Beside the paper's NLL-oracle curve each panel draws NLL-test (the generator's NLL of held-out oracle
samples): NLL-oracle falls when the generator drops modes, NLL-test then rises. Curves are the mean across
seeds with their range shaded. A run has collapsed when fewer than half its final samples are distinct
sequences: NLL-oracle, which scores each sample by the oracle alone, rewards that, so figure3.md names the
collapsed runs and ranks the strategies without them. figure3_adversarial.png repeats the panels from the end
of MLE on, each on its own y scale.

All continue from the MLE and discriminator pretraining of their seed, shared with the synthetic experiment's
runs of the same profile, oracle and seed, so their curves coincide up to the dashed line. Runs go to
runs/<profile>/figure3-<strategy>-<oracle>-s<seed>/, each leaving its record (records.py) in
results/synthetic/<profile>/runs/ when it finishes; results to results/synthetic/<profile>/figure3.*, once
every run has finished. The runs take hours each, so `reproduce --in-progress` (publish_in_progress) shows the
finished ones before then, in results/synthetic/<profile>/in_progress/.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reproduction import config, plots, provenance
from reproduction.config import (
    DEFAULT_ADAM,
    STRATEGIES,
    STRATEGY_ALL_SEEDS,
    AdamOptions,
    RunConfig,
    apply_strategy,
)
from reproduction.io_utils import write_text
from reproduction.metrics.stats import format_p, mean_interval, paired_p_value, welch_p_value
from reproduction.publications.synthetic import IN_PROGRESS
from reproduction.run_log import csv_text, curve_band, fields_of, mle_epochs, read_rows, run_config, run_meta
from reproduction.sweeps import records
from reproduction.sweeps.plan import RunSpec
from reproduction.sweeps.sweep import train_all

CSV_FIELDS = ("strategy", "seed", "g_steps", "d_steps", "k_epochs", "phase", "epoch", "x", "nll_oracle", "nll_test",
              "d_loss", "d_accuracy", "mean_reward")
SUMMARY_FIELDS = ("strategy", "g_steps", "d_steps", "k_epochs", "seeds", "adversarial_batches", "generator_updates",
                  "evaluations", "final_mean", "final_ci95", "lowest_mean", "rise_mean", "nll_test_final_mean",
                  "p_vs_d_seeds", "p_vs_d_paired", "distinct_fraction_min", "collapsed_seeds")
COLLAPSED_BELOW = 0.5  # a run whose final samples are less than this fraction distinct sequences has collapsed


def run_dir(runs: Path, profile: str, strategy: str, oracle: str, seed: int) -> Path:
    return runs / profile / f"figure3-{strategy}-{oracle}-s{seed}"


def seeds_of(strategy: str, seeds: Sequence[int]) -> list[int]:
    """The seeds strategy `strategy` runs on: all of `seeds` for (c) and (d), the first for (a) and (b)."""
    return list(seeds) if strategy in STRATEGY_ALL_SEEDS else list(seeds[:1])


def record(results: Path, profile: str, strategy: str, oracle: str, seed: int) -> Path:
    """Where a strategy run's record goes (sweeps/records.py): beside Table 1's, as published."""
    return Path(results) / "synthetic" / profile / "runs" / f"figure3_{strategy}_{oracle}_s{seed}"


def plan(profile: str, strategies: list[str], oracle: str = "original", seeds: Sequence[int] = (0,),
         runs: Path = Path("runs"), base: RunConfig | None = None, adam: AdamOptions = DEFAULT_ADAM,
         results: Path = Path("results")) -> list[RunSpec]:
    """SeqGAN under each strategy and its seeds; `base` is the configuration they modify (default: SeqGAN under
    `profile`; its seed is replaced by each seed's). Each run keeps its record in results/synthetic/PROFILE/runs/
    when it finishes, so a later session publishes it instead of retraining it."""
    specs = []
    for name in strategies:
        for seed in seeds_of(name, seeds):
            cfg = dataclasses.replace(base, seed=seed) if base else config.make_config("seqgan", profile, seed=seed,
                                                                                 oracle=oracle, **adam.fields())
            specs.append(RunSpec(apply_strategy(cfg, name), run_dir(runs, profile, name, oracle, seed),
                                 runs / profile / "shared", record(results, profile, name, oracle, seed)))
    return specs


def reproduce(profile: str, strategies: list[str], oracle: str = "original", seeds: Sequence[int] = (0,),
              mirror: str | Path | None = None, runs: Path = Path("runs"), results: Path = Path("results"),
              show_progress: bool = True, base: RunConfig | None = None) -> Path:
    """Train (or resume) SeqGAN under each strategy, then publish the figure, its CSV and the summary."""
    train_all(plan(profile, strategies, oracle, seeds, runs, base, results=results), mirror, show_progress)
    dest = results / "synthetic" / profile
    publish(profile, strategies, oracle, seeds, runs, dest)
    return dest


def _panel(name: str, n_seeds: int, collapsed: Sequence[int] = ()) -> str:
    s = STRATEGIES[name]
    seeds = f"mean and range of {n_seeds} seeds" if n_seeds > 1 else "1 seed"
    fell = ("" if not collapsed else "; collapsed" if n_seeds == 1 else
            f"; seed {', '.join(map(str, collapsed))} collapsed")
    return f"({name}) g-steps {s.g_steps}, d-steps {s.d_steps}, k {s.k_epochs} ({seeds}{fell})"


def publish(profile: str, strategies: list[str], oracle: str, seeds: Sequence[int], runs: Path, dest: Path) -> None:
    """Figure 3 of every run of the sweep (all finished), its CSVs and figure3.md, into `dest`; removes what
    `publish_in_progress` showed of it."""
    dirs = {name: {seed: run_dir(runs, profile, name, oracle, seed) for seed in seeds_of(name, seeds)}
            for name in strategies}
    for name, of_name in dirs.items():
        for seed, src in of_name.items():
            records.write(src, dest / "runs" / f"figure3_{name}_{oracle}_s{seed}")  # (again: for runs trained before)
    summary = _draw(profile, oracle, dirs, dest)
    write_text(dest / "figure3.md", summary_markdown(profile, oracle, summary) + "\n" + runs_markdown(dirs))
    for stale in IN_PROGRESS_FILES:  # (shown while training; now published in full)
        (dest / IN_PROGRESS / stale).unlink(missing_ok=True)


IN_PROGRESS_FILES = ("figure3.png", "figure3.pdf", "figure3_adversarial.png", "figure3.csv", "figure3_summary.csv",
                     "progress_figure3.md")


def publish_in_progress(profile: str, strategies: list[str], oracle: str, seeds: Sequence[int], runs: Path,
                        results: Path, status: str, command: str) -> list[Path]:
    """Figure 3 of the sweep's runs that have finished so far (a strategy with none is left out), into
    results/synthetic/PROFILE/in_progress/: the figures and CSVs `publish` writes, and progress_figure3.md with
    `status` (the sweep's status table), the summary of the finished runs, each seed's final NLL-oracle per
    strategy, and (d) against (c) on the seeds both have finished. Returns the files written (none if no run
    has finished). A strategy's runs take hours; this shows them a session at a time without touching the
    published figure."""
    dirs = {name: {seed: d for seed in seeds_of(name, seeds) if records.finished(d := run_dir(runs, profile, name,
                                                                                                 oracle, seed))}
            for name in strategies}
    dirs = {name: of_name for name, of_name in dirs.items() if of_name}
    if not dirs:
        return []
    dest = results / "synthetic" / profile / IN_PROGRESS
    summary = _draw(profile, oracle, dirs, dest, note=" (in progress: finished runs only)")
    finals = {r["strategy"]: r["finals"] for r in summary}
    all_seeds = sorted({seed for of_name in dirs.values() for seed in of_name})
    lines = [f"# Figure 3 in progress: {oracle} oracle, profile `{profile}`", "",
             "The strategies' runs that have finished so far; `reproduce` publishes the whole figure one directory "
             "up, once every run has finished, and removes these files.", "", status.rstrip("\n"), "",
             *summary_table(summary), "",
             "Final NLL-oracle of each finished run (the paper's claim is checked once every run has finished):", "",
             "| seed | " + " | ".join(f"({n})" for n in dirs) + " |", "|---|" + "---|" * len(dirs)]
    lines += [f"| {seed} | " + " | ".join(f"{finals[n][seed]:.3f}" if seed in finals[n] else "" for n in dirs) + " |"
              for seed in all_seeds]
    paired = sorted(set(finals.get("c", {})) & set(finals.get("d", {})))
    if paired:
        gaps = [finals["d"][s] - finals["c"][s] for s in paired]
        lines += ["", f"(d) minus (c) on the seeds both have finished ({', '.join(map(str, paired))}): "
                  + ", ".join(f"{g:+.3f}" for g in gaps) + " nats."]
    lines += ["", f"Written by `{command}` at {provenance.now()}, commit `{provenance.commit()[:12]}`.", ""]
    write_text(dest / "progress_figure3.md", "\n".join(lines))
    return [dest / name for name in IN_PROGRESS_FILES]


def _draw(profile: str, oracle: str, dirs: dict[str, dict[int, Path]], dest: Path, note: str = "") -> list[dict]:
    """figure3.png/.pdf, figure3_adversarial.png, figure3.csv and figure3_summary.csv of the runs `dirs`
    (strategy -> seed -> run directory) into `dest`; returns the summary (`summarise`)."""
    panels: dict[str, dict[str, plots.Band]] = {}
    table: list[dict[str, Any]] = []
    start = mle_epochs(next(run for of_name in dirs.values() for run in of_name.values()))  # (all share it)
    summary = summarise(dirs)
    collapsed = {r["strategy"]: r["collapsed_seeds"] for r in summary}
    for name, of_name in dirs.items():
        for seed, src in of_name.items():
            table += [{"strategy": name, "seed": seed, **vars(STRATEGIES[name]), **row}
                      for row in read_rows(src / "metrics.csv")]
        runs_of = list(of_name.values())
        panels[_panel(name, len(runs_of), collapsed[name])] = {
            "NLL-oracle (the paper's curve)": curve_band(runs_of),
            "NLL-test (held-out oracle data)": curve_band(runs_of, "nll_test")}
    write_text(dest / "figure3.csv", csv_text(table, CSV_FIELDS))
    write_text(dest / "figure3_summary.csv", csv_text([_csv_row(r) for r in summary], SUMMARY_FIELDS))
    title = f"Figure 3: SeqGAN training strategies, {oracle} oracle, profile {profile}{note}"
    plots.band_panels(panels, dest / "figure3", title, ylabel="NLL (nats per token)", adversarial_start=start,
                      columns=2, formats=("png", "pdf"))
    # The adversarial phase alone (from the last MLE evaluation on), each panel on its own y scale: under a
    # scaled profile it is a sliver of the full figure's x axis.
    zoomed = {panel: {label: [p for p in band if p[0] >= start - 1] for label, band in curves.items()}
              for panel, curves in panels.items()}
    plots.band_panels(zoomed, dest / "figure3_adversarial", f"{title}: adversarial phase (each panel on its own y "
                      "scale)", ylabel="NLL (nats per token)", adversarial_start=start, columns=2, sharey=False)
    return summary


def _csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """A summary row as figure3_summary.csv writes it: NaN as empty, the collapsed seeds space-separated."""
    return {k: "" if isinstance(v, float) and math.isnan(v) else " ".join(map(str, v)) if k == "collapsed_seeds"
            else v for k, v in row.items()}


def collapsed(counts: dict[str, int] | None) -> bool:
    """Whether a run whose final samples hold `counts` (records.final_distinct) has collapsed (unknown: no)."""
    return counts is not None and counts["distinct"] < COLLAPSED_BELOW * counts["n"]


def _adversarial(log: list[dict[str, str]], column: str = "nll_oracle") -> list[float]:
    """`column` of a run's metrics log at the last MLE evaluation and after each evaluated adversarial batch."""
    rows = [r for r in log if r.get(column)]
    last_mle = [r for r in rows if r["phase"] == "mle"][-1:]
    return [float(r[column]) for r in last_mle + [r for r in rows if r["phase"] == "adversarial"]]


def summarise(dirs: dict[str, dict[int, Path]]) -> list[dict[str, Any]]:
    """Per strategy (`dirs`: strategy -> seed -> run directory), across its seeds: NLL-oracle at the end of the
    adversarial phase (`finals`: seed -> it, and its mean), the lowest it reached, how far it rose from there by the
    end (the paper's "unstable"), NLL-test at the end, how many of each seed's final samples are distinct
    (`distinct`: seed -> records.final_distinct, None where the record predates the count; `fewest_distinct`, the
    count with the smallest fraction, and that fraction; the seeds that collapsed), and two tests of the final
    NLL-oracle against (d)'s: Welch's across seeds, and the paired t-test on the seeds both ran (a strategy and (d)
    on one seed continue from the same pretraining, so the pairing takes the pretraining's share of the seed spread
    out). Neither test is made with fewer than 2 seeds (pairs)."""
    logs = {name: {seed: read_rows(d / "metrics.csv") for seed, d in of_name.items()}  # read once
            for name, of_name in dirs.items()}
    curves = {name: {seed: _adversarial(log) for seed, log in of_name.items()} for name, of_name in logs.items()}
    finals = {name: {seed: c[-1] for seed, c in of_name.items()} for name, of_name in curves.items()}
    out = []
    for name, of_name in dirs.items():
        ours, d = list(curves[name].values()), finals.get("d", {})
        s, schedule = STRATEGIES[name], run_config(next(iter(of_name.values()))).schedule
        mean, half = mean_interval(list(finals[name].values()))
        both = name != "d" and len(finals[name]) > 1 and len(d) > 1
        paired = sorted(set(finals[name]) & set(d)) if name != "d" else []
        distinct = {seed: records.final_distinct(run) for seed, run in of_name.items()}
        fewest = min(filter(None, distinct.values()), key=lambda c: c["distinct"] / c["n"], default=None)
        out.append({
            "strategy": name, **vars(s), "seeds": len(of_name), "adversarial_batches": schedule.adv_batches,
            "generator_updates": schedule.adv_batches * s.g_steps, "evaluations": len(ours[0]) - 1,
            "finals": finals[name], "final_mean": mean, "final_ci95": half,
            "lowest_mean": sum(min(c) for c in ours) / len(ours),
            "rise_mean": sum(c[-1] - min(c) for c in ours) / len(ours),
            "nll_test_final_mean": sum(_adversarial(log, "nll_test")[-1] for log in logs[name].values()) / len(ours),
            "p_vs_d_seeds": welch_p_value(list(finals[name].values()), list(d.values())) if both else math.nan,
            "p_vs_d_paired": paired_p_value([finals[name][k] for k in paired], [d[k] for k in paired]),
            "distinct": distinct, "fewest_distinct": fewest,
            "distinct_fraction_min": fewest["distinct"] / fewest["n"] if fewest else math.nan,
            "collapsed_seeds": sorted(seed for seed, c in distinct.items() if collapsed(c))})
    return out


def verdict(summary: list[dict[str, Any]]) -> list[str]:
    """The paper's claim, checked: which strategies collapsed (left out of the rest), which ends lowest, which
    rises least, and (d) against (c)."""
    lines = [_collapse(r) for r in summary if r["collapsed_seeds"]]
    summary = [r for r in summary if not r["collapsed_seeds"]]
    if not summary:
        return [*lines, "- Every strategy collapsed: none is ranked."]
    by = {r["strategy"]: r for r in summary}
    lowest = min(summary, key=lambda r: r["final_mean"])
    steadiest = min(summary, key=lambda r: r["rise_mean"])
    lines += [f"- Lowest NLL-oracle at the end: ({lowest['strategy']}), {lowest['final_mean']:.3f}."
              + ("" if "d" not in by else _d_lowest(summary) if lowest["strategy"] == "d" else
                 f" (d) does not end lowest: it ends at {by['d']['final_mean']:.3f}."),
              f"- Smallest rise from the lowest point to the end: ({steadiest['strategy']}), "
              f"{steadiest['rise_mean']:.3f} nats."]
    if "c" in by and "d" in by:
        c, d = by["c"], by["d"]
        gap, p = d["final_mean"] - c["final_mean"], c["p_vs_d_seeds"]
        tested = "one seed each: no test" if math.isnan(p) else (
            f"Welch p = {format_p(p)} across {c['seeds']} and {d['seeds']} seeds: "
            + ("a difference beyond the seed spread" if p < 0.05 else "within the seed spread"))
        lines.append(f"- (d) minus (c) at the end: {gap:+.3f} nats ({tested}).")
        paired = sorted(set(c["finals"]) & set(d["finals"]))
        if len(paired) > 1:
            p = c["p_vs_d_paired"]
            lines.append(f"- (d) minus (c) on each seed both ran ({', '.join(map(str, paired))}; each pair "
                         "continues from the same pretraining): "
                         + ", ".join(f"{d['finals'][k] - c['finals'][k]:+.3f}" for k in paired)
                         + f" nats; paired t-test p = {format_p(p)}: "
                         + ("a difference beyond the spread of the pairs." if p < 0.05 else
                            "within the spread of the pairs."))
    return lines


def _collapse(row: dict[str, Any]) -> str:
    """The line of figure3.md naming a strategy's collapsed seeds, with the evidence."""
    name, counts = row["strategy"], row["distinct"]
    held = "; ".join(f"seed {seed}: {counts[seed]['distinct']:,} distinct of {counts[seed]['n']:,}"
                     for seed in row["collapsed_seeds"])
    return (f"- ({name}) collapsed onto a few sequences ({held} final samples; NLL-test at the end "
            f"{row['nll_test_final_mean']:.3f}). NLL-oracle scores each sample by the oracle alone, so it rewards "
            f"the collapse ({row['final_mean']:.3f} at the end): ({name}) is left out of the rankings below.")


def _d_lowest(summary: list[dict[str, Any]]) -> str:
    """That (d) ends lowest on the mean, and whether the runner-up's test against (d) (paired where there are
    pairs, else Welch's) puts the gap beyond the seed spread."""
    ranked = sorted(summary, key=lambda r: r["final_mean"])
    if len(ranked) < 2:
        return " (d) ends lowest."
    runner = ranked[1]
    paired = not math.isnan(runner["p_vs_d_paired"])
    p = runner["p_vs_d_paired"] if paired else runner["p_vs_d_seeds"]
    gap = f"{runner['final_mean'] - ranked[0]['final_mean']:.3f} below the runner-up ({runner['strategy']})"
    if math.isnan(p):
        return f" (d) ends lowest, {gap}, on too few seeds to test."
    test = f"{'paired t-test' if paired else 'Welch'} p = {f'{p:.2f}' if p >= 0.01 else format_p(p)}"
    if p < 0.05:
        return f" (d) ends lowest, {gap}, beyond the seed spread ({test})."
    return f" (d) ends lowest on the mean, {gap}, but within the seed spread ({test}): not shown to end lowest."


def summary_markdown(profile: str, oracle: str, summary: list[dict[str, Any]]) -> str:
    return "\n".join([f"# Figure 3 in numbers: {oracle} oracle, profile {profile}", "", *summary_table(summary), "",
                      "The paper's claim ((d) is the most stable and ends lowest), checked; a run has collapsed when "
                      f"fewer than {COLLAPSED_BELOW:.0%} of its final samples are distinct sequences:", "",
                      *verdict(summary)]) + "\n"


def summary_table(summary: list[dict[str, Any]]) -> list[str]:
    """The lines of the summary's table, with what its columns mean."""
    def num(x: float) -> str:
        return "" if math.isnan(x) else f"{x:.3f}"

    lines = ["NLL-oracle over each strategy's adversarial phase (from the last MLE evaluation on); means across "
             "the strategy's seeds, 95% t-interval where there are several. `rise` is how far the curve climbed "
             "from its lowest point by the end. p: Welch's test of the final NLL-oracle against (d)'s, across "
             "seeds; paired p: the paired t-test against (d) on the seeds both ran. distinct: the fewest distinct "
             "sequences among one seed's final samples, over the seeds whose record keeps the count (records "
             "written before it was kept lack it; blank if none has it).", "",
             "| strategy | g, d, k | seeds | batches | generator updates | evaluations | NLL-oracle at the end | "
             "lowest | rise | NLL-test at the end | p vs (d) | paired p vs (d) | distinct |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in summary:
        ci = "" if math.isnan(r["final_ci95"]) else f" ± {r['final_ci95']:.3f}"
        lines.append(f"| ({r['strategy']}) | {r['g_steps']}, {r['d_steps']}, {r['k_epochs']} | {r['seeds']} | "
                     f"{r['adversarial_batches']} | {r['generator_updates']} | {r['evaluations']} | "
                     f"{r['final_mean']:.3f}{ci} | {num(r['lowest_mean'])} | {num(r['rise_mean'])} | "
                     f"{num(r['nll_test_final_mean'])} | {format_p(r['p_vs_d_seeds'])} | "
                     f"{format_p(r['p_vs_d_paired'])} | {_count(r['fewest_distinct'])} |")
    return lines


def _count(counts: dict[str, int] | None) -> str:
    return "" if counts is None else f"{counts['distinct']:,} of {counts['n']:,}"


def runs_markdown(dirs: dict[str, dict[int, Path]]) -> str:
    """Where figure3.md's numbers come from: each run (strategy -> seed -> run directory) with the commit it was
    trained at, its wall time, when it finished and the CPU (from its run.json or its record)."""
    lines = ["## Runs", "", "Written by `make reproduce` (python -m reproduction reproduce) from these runs' logs and "
             "records (results/synthetic/PROFILE/runs/figure3_*). Hours: the run's wall time, including its share of "
             "the shared pretraining where it restored it; the host's speed varied about 2x between days.", "",
             "| strategy | seed | hours | s / adv. batch | finished | commit | machine |",
             "|---|---|---|---|---|---|---|"]
    for name, of_name in dirs.items():
        for seed, run in of_name.items():
            meta = run_meta(run)
            with fields_of(run / "run.json"):  # a damaged one: an error naming it
                s = meta["summary"]
                lines.append(f"| ({name}) | {seed} | {s['wall_seconds'] / 3600:.2f} | "
                             f"{s['seconds_per_adversarial_batch']:.1f} | {meta['finished'][:16].replace('T', ' ')} "
                             f"UTC | `{provenance.short_commit(meta['commit'])}` | "
                             f"{provenance.describe_cpu(meta['machine'])} |")
    return "\n".join(lines) + "\n"

"""The synthetic experiment (paper Section 4): every method on the same oracle, seeds and evaluation, then
Table 1, Figure 2, a SeqGAN summary and, with the rows that take SeqGAN apart, what its gain is made of
(gain_rows.py). `make reproduce` runs it.

Runs go to runs/<profile>/<method>-<oracle>-s<seed>/ (resumable); MLE pretraining is shared between methods
through runs/<profile>/shared/. Each run leaves its record in results/synthetic/<profile>/runs/ when it
finishes (records.py: a later session, on any machine, publishes it instead of retraining it). Only when
every run has finished are the tables and figures published to results/synthetic/<profile>/, each file
written atomically, so a killed `make reproduce` never leaves partial results in place of committed ones.
Runs that outlive a session can be shown before then: `reproduce --in-progress` (publish_in_progress) draws
Figure 2 as far as they have got, into results/synthetic/<profile>/in_progress/, labelled as such and removed
when the finished results are published.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from reproduction import plots, provenance
from reproduction.config import DEFAULT_ADAM, AdamOptions, describe_profile
from reproduction.io_utils import copy_file, write_text
from reproduction.publications import authors_log, figure2, frontier, gain_rows, table1, trajectories
from reproduction.run_log import fields_of, mle_epochs, nll_curve, read_rows, read_run_json, run_config
from reproduction.sweeps import records
from reproduction.sweeps.plan import RunSpec
from reproduction.sweeps.sweep import train_all
from reproduction.variants import VARIANTS, make_variant

# seqgan first: its pretraining snapshot serves every other row but scheduled sampling (which trains from scratch);
# then the rows that compare with it most directly; last, the rows of "what the gain is made of" (variants.py)
METHOD_ORDER = ("seqgan", "mle", "seqgan-shuffled", "seqgan-constant", "seqgan-frozen-d", "pgbleu-authors", "pgbleu",
                "ss-authors", "ss", "self-imitation", "seqgan-baseline", "seqgan-baseline-shuffled")
assert set(METHOD_ORDER) == set(VARIANTS)


def run_dir(runs: Path, profile: str, method: str, oracle: str, seed: int) -> Path:
    return runs / profile / f"{method}-{oracle}-s{seed}"


def plan(profile: str, seeds: dict[str, list[int]], methods: list[str], runs: Path = Path("runs"),
         adam: AdamOptions = DEFAULT_ADAM, results: Path = Path("results")) -> list[RunSpec]:
    """Every (oracle, seed, row of Table 1) to train; `seeds` maps oracle -> seeds. Each run keeps its record
    (records.py) in results/synthetic/PROFILE/runs/."""
    return [RunSpec(make_variant(method, profile, seed=seed, oracle=oracle, **adam.fields()),
                    run_dir(runs, profile, method, oracle, seed), runs / profile / "shared",
                    records.stem(results, profile, method, oracle, seed), _extras(method))
            for oracle, oracle_seeds in seeds.items() for seed in oracle_seeds
            for method in METHOD_ORDER if method in methods]


def _extras(method: str) -> tuple[str, ...]:
    """What a Table 1 run's record carries beyond its metrics: the frontier's rows, their temperature curve."""
    return ("temperatures",) if method in frontier.CURVES else ()


def reproduce(profile: str, seeds: dict[str, list[int]], methods: list[str], mirror: str | Path | None = None,
              runs: Path = Path("runs"), results: Path = Path("results"), show_progress: bool = True,
              adam: AdamOptions = DEFAULT_ADAM) -> list[Path]:
    """Train (or resume) every (oracle, seed, method), then publish."""
    train_all(plan(profile, seeds, methods, runs, adam, results), mirror, show_progress)
    return publish_all(profile, seeds, methods, runs, results, mirror)


def publish_all(profile: str, seeds: dict[str, list[int]], methods: list[str], runs: Path, results: Path,
                mirror: str | Path | None = None) -> list[Path]:
    """Publishes each oracle's seeds; returns the directory written to (none when there was nothing to publish)."""
    dest = results / "synthetic" / profile
    published = [oracle for oracle, oracle_seeds in seeds.items() if oracle_seeds and methods]
    for oracle in published:
        publish(profile, oracle, seeds[oracle], [m for m in METHOD_ORDER if m in methods], runs, dest, mirror)
    return [dest] if published else []


def publish(profile: str, oracle: str, seeds: list[int], methods: list[str], runs: Path, dest: Path,
            mirror: str | Path | None = None) -> None:
    def locate(method: str, seed: int) -> Path:
        return run_dir(runs, profile, method, oracle, seed)

    for method in methods:  # (written when each run finished; again here, for runs trained before records existed)
        for seed in seeds:
            records.write(locate(method, seed), dest / "runs" / f"{method}_{oracle}_s{seed}", _extras(method),
                          mirror)
    if set(table1.REQUIRED) <= set(methods):
        from reproduction.training.components import oracle_own_nll  # (loads the oracle's model)

        own = [oracle_own_nll(run_config(locate("mle", s)), mirror) for s in seeds]
        table1.write(dest, oracle, table1.build(profile, oracle, seeds, methods, locate, own))
        if set(gain_rows.ROWS) & set(methods):
            gain_rows.write(dest, f"gain_rows_{oracle}", f"What SeqGAN's gain is made of: profile {profile}, "
                            f"{oracle} oracle", f"Table 1's runs (the profile's own schedule, `{profile}`).",
                            gain_rows.table({m: [locate(m, s) for s in seeds] for m in methods}))
    drawn = [m for m in methods if m in figure2.STYLE]
    if drawn:  # (no empty figure when only rows outside Figure 2 are published)
        figure2.draw(dest / f"figure2_{oracle}", oracle, profile, seeds, drawn, locate, mirror)
    if "mle" in methods:
        frontier.publish(dest / f"frontier_{oracle}", oracle, profile, seeds, methods, locate, mirror)
        trajectories.publish(dest / f"trajectories_{oracle}", oracle, profile, seeds, methods, locate, mirror)
    if "seqgan" in methods:
        _seqgan_summary(profile, oracle, seeds, locate, dest, mirror)
    for stale in (dest / IN_PROGRESS).glob(f"*_{oracle}*"):  # (shown while training; now published in full)
        stale.unlink()
    for stale in (dest / IN_PROGRESS / "runs").glob(f"*_{oracle}_s*"):
        stale.unlink()


IN_PROGRESS = "in_progress"  # results/synthetic/<profile>/in_progress/: Figure 2 of runs still training


def publish_in_progress(profile: str, seeds: dict[str, list[int]], methods: list[str], runs: Path, results: Path,
                        status: str, command: str, mirror: str | Path | None = None) -> list[Path]:
    """Figure 2 of the runs of Figure 2's methods that have started on every seed, as far as they have got, into
    results/synthetic/PROFILE/in_progress/ (figure2_ORACLE.png/.pdf, their metrics.csv so far as
    runs/METHOD_ORACLE_sSEED.csv, and progress_ORACLE.md: `status`, the sweep's status table, each SeqGAN run
    beside the authors' run log on their oracle, and the `command` that wrote it). Returns the files written."""
    dest = results / "synthetic" / profile / IN_PROGRESS
    written: list[Path] = []
    for oracle, oracle_seeds in seeds.items():
        def locate(method: str, seed: int, oracle: str = oracle) -> Path:
            return run_dir(runs, profile, method, oracle, seed)

        started = [m for m in METHOD_ORDER if m in methods and m in figure2.STYLE and oracle_seeds
                   and all(nll_curve(locate(m, s)) for s in oracle_seeds)]
        if not started:
            continue
        for method in started:
            for seed in oracle_seeds:
                copy_file(locate(method, seed) / "metrics.csv", dest / "runs" / f"{method}_{oracle}_s{seed}.csv")
                written.append(dest / "runs" / f"{method}_{oracle}_s{seed}.csv")
        steps = ", ".join(f"{m} {_progress(locate(m, s))}" + (f" (seed {s})" if len(oracle_seeds) > 1 else "")
                          for m in started for s in oracle_seeds if not records.finished(locate(m, s)))
        figure2.draw(dest / f"figure2_{oracle}", oracle, profile, oracle_seeds, started, locate, mirror,
                     progress=f"\nin progress: {steps}" if steps else "")
        lines = [f"# Runs in progress: profile `{profile}`, {oracle} oracle", "",
                 "Shown before they finish; `reproduce` publishes the finished results one directory up and removes "
                 "these files. NLL-oracle as everywhere: the mean per-token NLL the oracle assigns to 10,000 fresh "
                 "generator samples.", "", status.rstrip("\n"), ""]
        if oracle == "original" and "seqgan" in started and (authors := figure2.authors_run(mirror)):
            lines += _against_authors(profile, oracle_seeds, locate, authors)
        trained_on = {_cpu(locate(m, s) / "run.json") for m in started for s in oracle_seeds}
        lines += [f"Written by `{command}` at {provenance.now()}, commit `{provenance.commit()[:12]}`. Trained on "
                  + "; ".join(sorted(trained_on)) + ".", ""]
        write_text(dest / f"progress_{oracle}.md", "\n".join(lines))
        written += [dest / f"figure2_{oracle}.png", dest / f"figure2_{oracle}.pdf", dest / f"progress_{oracle}.md"]
    return written


def _cpu(meta_path: Path) -> str:
    with fields_of(meta_path):  # a damaged run.json: an error naming it
        return provenance.describe_cpu(read_run_json(meta_path)["machine"])


def _progress(run: Path) -> str:
    """'PHASE N/M': the phase and step of a run's last evaluation (e.g. adversarial 25/200)."""
    from reproduction.methods import phase_plan as phases

    last = [r for r in read_rows(run / "metrics.csv") if r["nll_oracle"]][-1]
    steps = {p.name: p.steps for p in phases(run_config(run))}
    return f"{last['phase']} {int(last['epoch']) + 1}/{steps.get(last['phase'], '?')}"


def _seqgan_summary(profile: str, oracle: str, seeds: list[int], locate: Callable[[str, int], Path],
                    dest: Path, mirror: str | Path | None = None) -> None:
    metas = [read_run_json(locate("seqgan", s) / "run.json") for s in seeds]
    for s, meta in zip(seeds, metas, strict=True):  # each has the fields the summary shows, or an error names it
        with fields_of(locate("seqgan", s) / "run.json"):
            summary_markdown(profile, oracle, [meta])
    curves = {f"SeqGAN, seed {s}": nll_curve(locate("seqgan", s)) for s in seeds}
    plots.learning_curves(curves, mle_epochs(locate("seqgan", seeds[0])), dest / f"seqgan_{oracle}_curve.png",
                          f"SeqGAN on the {oracle} oracle, profile {profile}", plots.PAPER_TABLE1)
    text = summary_markdown(profile, oracle, metas)
    if oracle == "original" and (authors := figure2.authors_run(mirror)):  # (their log belongs to this oracle)
        text += "\n".join(["", *_against_authors(profile, seeds, locate, authors)])
    write_text(dest / f"seqgan_{oracle}.md", text)


def _against_authors(profile: str, seeds: list[int], locate: Callable[[str, int], Path],
                     authors: dict[str, authors_log.Points]) -> list[str]:
    """Markdown lines: each seed's SeqGAN run beside the authors' run log, evaluation for evaluation, and under a
    profile other than `paper` which of the authors' counts it changes (then the schedules differ)."""
    changes = describe_profile(profile)
    lines = [] if not changes else [
        f"Profile `{profile}` changes the authors' schedule ({', '.join(changes)}): the comparison below is across "
        "schedules, batch for batch.", ""]
    for seed in seeds:
        run = locate("seqgan", seed)
        lines += [f"## SeqGAN seed {seed} against the authors' run log (their save/experiment-log.txt)", "",
                  *authors_log.markdown(authors_log.compare(nll_curve(run), authors, mle_epochs(run))), ""]
    return lines


def summary_markdown(profile: str, oracle: str, metas: list[dict[str, Any]]) -> str:
    lines = [f"# SeqGAN on the {oracle} oracle, profile `{profile}`", "",
             "Written by `make reproduce` (python -m reproduction reproduce); numbers are NLL-oracle (mean per-token "
             "NLL the oracle assigns to 10,000 fresh generator samples).", "",
             "| seed | first eval | end of MLE | final | best | NLL-test final | MLE s | D-pretrain s | adversarial s "
             "| s / adv. batch | commit |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for m in metas:
        s, ph = m["summary"], m["summary"]["phase_seconds"]
        nll_test = f"{s['nll_test_final']:.3f}" if s.get("nll_test_final") is not None else "not logged"
        lines.append(f"| {m['seed']} | {s['nll_oracle_first']:.3f} | {s['nll_oracle_end_of_mle']:.3f} | "
                     f"{s['nll_oracle_final']:.3f} | {s['nll_oracle_best']:.3f} | {nll_test} | "
                     f"{ph.get('mle', 0):.0f} | {ph.get('d_pretrain', 0):.0f} | {ph.get('adversarial', 0):.0f} | "
                     f"{s['seconds_per_adversarial_batch']:.1f} | `{m['commit'][:12]}` |")
    machine = metas[0]["machine"]
    lines += ["", "Paper (Table 1): MLE 9.038, SeqGAN 8.736. The authors' own run log: 9.07 at the end of MLE, "
              "8.68 after 150 adversarial batches.", "",
              f"Profile `{profile}` changes from the paper's schedule: "
              + (", ".join(describe_profile(profile)) or "nothing") + ".",
              f"Machine: {machine['cpu']}, {machine['cores']} cores, TensorFlow {machine['tensorflow']}."]
    return "\n".join(lines) + "\n"

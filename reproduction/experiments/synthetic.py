"""The synthetic experiment (paper Section 4): every method on the same oracle, seeds and evaluation, then
Table 1, Figure 2 and a SeqGAN summary. `make reproduce` runs it.

Runs go to runs/<profile>/<method>-<oracle>-s<seed>/ (resumable); MLE pretraining is shared between methods
through runs/<profile>/shared/. Only when every run has finished are results published to
results/synthetic/<profile>/, each file written atomically, so a killed `make reproduce` never leaves
partial results in place of committed ones.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reproduction import plots
from reproduction.config import describe_profile, make_config
from reproduction.experiments import figure2, table1
from reproduction.io_utils import copy_file, write_text
from reproduction.run_log import mle_epochs, nll_curve
from reproduction.training.driver import train

METHOD_ORDER = ("seqgan", "pgbleu", "mle", "ss")  # seqgan first: its pretraining snapshot serves pgbleu and mle


def run_dir(runs: Path, profile: str, method: str, oracle: str, seed: int) -> Path:
    return runs / profile / f"{method}-{oracle}-s{seed}"


def reproduce(profile: str, seeds: dict[str, list[int]], methods: list[str], mirror: str | Path | None = None,
              runs: Path = Path("runs"), results: Path = Path("results"), show_progress: bool = True) -> Path:
    """Train (or resume) every (oracle, seed, method), then publish; `seeds` maps oracle -> seeds."""
    ordered = [m for m in METHOD_ORDER if m in methods]
    for oracle, oracle_seeds in seeds.items():
        for seed in oracle_seeds:
            for method in ordered:
                cfg = make_config(method, profile, seed=seed, oracle=oracle)
                train(cfg, run_dir(runs, profile, method, oracle, seed), mirror, show_progress,
                      share_dir=runs / profile / "shared")
    dest = results / "synthetic" / profile
    for oracle, oracle_seeds in seeds.items():
        if oracle_seeds and ordered:
            publish(profile, oracle, oracle_seeds, ordered, runs, dest)
    return dest


def publish(profile: str, oracle: str, seeds: list[int], methods: list[str], runs: Path, dest: Path) -> None:
    def locate(method: str, seed: int) -> Path:
        return run_dir(runs, profile, method, oracle, seed)

    for method in methods:
        for seed in seeds:
            src, name = locate(method, seed), f"runs/{method}_{oracle}_s{seed}"
            copy_file(src / "metrics.csv", dest / f"{name}.csv")
            copy_file(src / "run.json", dest / f"{name}.json")
    if set(table1.LABELS) <= set(methods):
        table1.write(dest, oracle, table1.build(profile, oracle, seeds, locate))
    figure2.draw(dest / f"figure2_{oracle}", oracle, profile, seeds, methods, locate)
    if "seqgan" in methods:
        metas = [json.loads((locate("seqgan", s) / "run.json").read_text()) for s in seeds]
        curves = {f"SeqGAN, seed {s}": nll_curve(locate("seqgan", s)) for s in seeds}
        plots.learning_curves(curves, mle_epochs(locate("seqgan", seeds[0])),
                              dest / f"seqgan_{oracle}_curve.png", f"SeqGAN on the {oracle} oracle, profile {profile}",
                              plots.PAPER_TABLE1)
        write_text(dest / f"seqgan_{oracle}.md", summary_markdown(profile, oracle, metas))


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

"""Figure 3 of the paper: SeqGAN under its four training strategies, (a) g-steps 100, d-steps 1, k 10;
(b) 30, 1, 30; (c) 1, 1, 10; (d) 1, 5, 3 (the default). The strategies are configuration
(config.STRATEGIES, `train --strategy`), not copies of the loop; this module trains them and draws the
paper's four panels. Beside the paper's NLL-oracle curve each panel draws NLL-test (the generator's NLL of
held-out oracle samples): NLL-oracle falls when the generator drops modes, NLL-test then rises.
figure3_adversarial.png repeats the panels from the end of MLE on, each on its own y scale.

All four continue from the same MLE pretraining (shared with the synthetic experiment's runs of the same
profile, oracle and seed), so their curves coincide up to the dashed line. Runs go to
runs/<profile>/figure3-<strategy>-<oracle>-s<seed>/; results to results/synthetic/<profile>/figure3.*.
"""

from __future__ import annotations

from pathlib import Path

from reproduction import plots
from reproduction.config import STRATEGIES, RunConfig, apply_strategy, make_config
from reproduction.experiments.sweep import RunSpec, train_all
from reproduction.io_utils import copy_file, write_text
from reproduction.run_log import csv_text, mle_epochs, nll_curve, read_rows

CSV_FIELDS = ("strategy", "g_steps", "d_steps", "k_epochs", "phase", "epoch", "x", "nll_oracle", "nll_test",
              "d_loss", "d_accuracy", "mean_reward")


def run_dir(runs: Path, profile: str, strategy: str, oracle: str, seed: int) -> Path:
    return runs / profile / f"figure3-{strategy}-{oracle}-s{seed}"


def plan(profile: str, strategies: list[str], oracle: str = "original", seed: int = 0, runs: Path = Path("runs"),
         base: RunConfig | None = None, adam: str = "fused") -> list[RunSpec]:
    """SeqGAN under each strategy; `base` is the configuration they modify (default: SeqGAN under `profile`)."""
    base = base or make_config("seqgan", profile, seed=seed, oracle=oracle, adam=adam)
    return [RunSpec(apply_strategy(base, name), run_dir(runs, profile, name, oracle, seed), runs / profile / "shared")
            for name in strategies]


def reproduce(profile: str, strategies: list[str], oracle: str = "original", seed: int = 0,
              mirror: str | Path | None = None, runs: Path = Path("runs"), results: Path = Path("results"),
              show_progress: bool = True, base: RunConfig | None = None) -> Path:
    """Train (or resume) SeqGAN under each strategy, then publish the figure and its CSV."""
    train_all(plan(profile, strategies, oracle, seed, runs, base), mirror, show_progress)
    dest = results / "synthetic" / profile
    publish(profile, strategies, oracle, seed, runs, dest)
    return dest


def publish(profile: str, strategies: list[str], oracle: str, seed: int, runs: Path, dest: Path) -> None:
    panels: dict[str, dict[str, plots.Points]] = {}
    table: list[dict[str, str]] = []
    start = None
    for name in strategies:
        src = run_dir(runs, profile, name, oracle, seed)
        start = mle_epochs(src)
        s = STRATEGIES[name]
        rows = read_rows(src / "metrics.csv")
        for row in rows:
            table.append({"strategy": name, **vars(s), **row})
        panels[f"({name}) g-steps {s.g_steps}, d-steps {s.d_steps}, k {s.k_epochs}"] = {
            "NLL-oracle (the paper's curve)": nll_curve(src),
            "NLL-test (held-out oracle data)": nll_curve(src, "nll_test")}
        for suffix, source in (("csv", "metrics.csv"), ("json", "run.json")):
            copy_file(src / source, dest / f"runs/figure3_{name}_{oracle}_s{seed}.{suffix}")
    write_text(dest / "figure3.csv", csv_text(table, CSV_FIELDS))
    title = f"Figure 3: SeqGAN training strategies, {oracle} oracle, profile {profile}, seed {seed}"
    plots.learning_curve_panels(panels, start, dest / "figure3", title, formats=("png", "pdf"),
                                ylabel="NLL (nats per token)")
    # The adversarial phase alone (from the last MLE evaluation on), each panel on its own y scale: under a
    # scaled profile it is a sliver of the full figure's x axis.
    zoomed = {panel: {label: [(x, y) for x, y in points if x >= start - 1] for label, points in curves.items()}
              for panel, curves in panels.items()}
    plots.learning_curve_panels(zoomed, start, dest / "figure3_adversarial", f"{title}: adversarial phase "
                                "(each panel on its own y scale)", ylabel="NLL (nats per token)", sharey=False)

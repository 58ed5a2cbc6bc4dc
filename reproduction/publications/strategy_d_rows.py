"""What SeqGAN's gain is made of, under the paper's per-batch schedule: the rows `self-imitation` (no
discriminator, every reward 1) and `seqgan-baseline` (D's rewards minus the batch's mean at each step) trained
on Figure 3's strategy (d) (g-steps 1, d-steps 5, k 3: the authors' schedule), beside SeqGAN under (d) and MLE,
over the same seeds (issue "what SeqGAN's gain is made of", question 3).

Under `quick` Table 1's rows give D one epoch per batch; the paper gives it fifteen. If the rows compare with
SeqGAN under (d) as they do under `quick`, the answer does not depend on how hard D is trained.

Runs go to runs/<profile>/figure3-d-<row>-<oracle>-s<seed>/ and keep their records beside Figure 3's
(results/synthetic/<profile>/runs/figure3_d-<row>_<oracle>_s<seed>); the table to
results/synthetic/<profile>/strategy_d_rows.md and .csv. `reproduce` plans them when its strategies include (d)
and its methods include the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reproduction.config import DEFAULT_ADAM, AdamOptions, apply_strategy
from reproduction.io_utils import write_text
from reproduction.metrics.stats import format_p, mean_interval, paired_p_value
from reproduction.publications import figure3, synthetic
from reproduction.run_log import csv_text, read_rows
from reproduction.sweeps.plan import RunSpec
from reproduction.variants import VARIANTS, make_variant

ROWS = ("self-imitation", "seqgan-baseline")
STRATEGY = "d"
FIELDS = ("row", "seeds", "final_nll_oracle_mean", "final_nll_oracle_ci95", "final_per_seed", "nll_test_mean",
          "nll_test_ci95", "p_vs_d_seeds", "p_vs_mle_seeds")


def name(row: str) -> str:
    return f"{STRATEGY}-{row}"


def plan(profile: str, rows: Sequence[str], oracle: str, seeds: Sequence[int], runs: Path = Path("runs"),
         adam: AdamOptions = DEFAULT_ADAM, results: Path = Path("results")) -> list[RunSpec]:
    """Each row under strategy (d) on every seed, sharing its seed's pretraining with the other runs."""
    return [RunSpec(apply_strategy(make_variant(row, profile, seed=seed, oracle=oracle, **adam.fields()), STRATEGY),
                    figure3.run_dir(runs, profile, name(row), oracle, seed), runs / profile / "shared",
                    figure3.record(results, profile, name(row), oracle, seed))
            for row in ROWS if row in rows for seed in seeds]


def _final(run: Path) -> tuple[float, float]:
    last = [r for r in read_rows(run / "metrics.csv") if r.get("nll_oracle")][-1]
    return float(last["nll_oracle"]), float(last["nll_test"])


def table(profile: str, rows: Sequence[str], oracle: str, seeds: Sequence[int], runs: Path,
          with_mle: bool) -> list[dict]:
    """One row per method: SeqGAN under (d), each row under (d), and MLE (if trained), with paired p-values
    across seeds against SeqGAN under (d) and against MLE."""
    dirs = {"SeqGAN, strategy (d)": [figure3.run_dir(runs, profile, STRATEGY, oracle, s) for s in seeds]}
    dirs.update({f"{VARIANTS[r].label}, strategy (d)": [figure3.run_dir(runs, profile, name(r), oracle, s)
                                                       for s in seeds] for r in ROWS if r in rows})
    if with_mle:
        dirs["MLE (continued, Table 1's run)"] = [synthetic.run_dir(runs, profile, "mle", oracle, s) for s in seeds]
    finals = {label: [_final(d) for d in ds] for label, ds in dirs.items()}
    d_final = [f[0] for f in finals["SeqGAN, strategy (d)"]]
    mle_final = [f[0] for f in finals.get("MLE (continued, Table 1's run)", [])]
    out = []
    for label, values in finals.items():
        nll, test = [v[0] for v in values], [v[1] for v in values]
        (m, ci), (tm, tci) = mean_interval(nll), mean_interval(test)
        paired = len(seeds) > 1
        out.append({"row": label, "seeds": len(seeds), "final_nll_oracle_mean": round(m, 4),
                    "final_nll_oracle_ci95": round(ci, 4), "final_per_seed": " ".join(f"{v:.3f}" for v in nll),
                    "nll_test_mean": round(tm, 4), "nll_test_ci95": round(tci, 4),
                    "p_vs_d_seeds": format_p(paired_p_value(nll, d_final)) if paired and nll != d_final else "",
                    "p_vs_mle_seeds": format_p(paired_p_value(nll, mle_final))
                    if paired and mle_final and nll != mle_final else ""})
    return out


def publish(profile: str, rows: Sequence[str], oracle: str, seeds: Sequence[int], runs: Path, dest: Path,
            with_mle: bool) -> Path:
    summary = table(profile, rows, oracle, seeds, runs, with_mle)
    write_text(dest / "strategy_d_rows.csv", csv_text(summary, FIELDS))
    lines = [f"# What the gain is made of, under strategy (d): profile {profile}, {oracle} oracle", "",
             f"Final NLL-oracle and NLL-test, mean ± 95% t-interval over seeds {', '.join(map(str, seeds))}; paired "
             "t-test across seeds against SeqGAN under (d) and against MLE (reproduction/publications/"
             "strategy_d_rows.py).", "",
             "| row | final NLL-oracle | per seed | NLL-test | p vs SeqGAN (d) | p vs MLE |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r['row']} | {r['final_nll_oracle_mean']:.3f} ± {r['final_nll_oracle_ci95']:.3f} | "
              f"{r['final_per_seed']} | {r['nll_test_mean']:.3f} ± {r['nll_test_ci95']:.3f} | {r['p_vs_d_seeds']} | "
              f"{r['p_vs_mle_seeds']} |" for r in summary]
    write_text(dest / "strategy_d_rows.md", "\n".join(lines) + "\n")
    return dest / "strategy_d_rows.md"

"""What SeqGAN's gain is made of, under the paper's per-batch schedule: the rows `self-imitation` (no
discriminator, every reward 1) and `seqgan-baseline` (D's rewards minus the batch's mean at each step) trained
on Figure 3's strategy (d) (g-steps 1, d-steps 5, k 3: the authors' schedule), beside SeqGAN under (d) and MLE,
over the same seeds (issue "what SeqGAN's gain is made of", question 3).

Under `quick` Table 1's rows give D one epoch per batch; the paper gives it fifteen. If the rows compare with
SeqGAN under (d) as they do under `quick`, the answer does not depend on how hard D is trained.

Runs go to runs/<profile>/figure3-d-<row>-<oracle>-s<seed>/ and keep their records beside Figure 3's
(results/synthetic/<profile>/runs/figure3_d-<row>_<oracle>_s<seed>); the table (gain_rows.py's, on both
metrics) to results/synthetic/<profile>/strategy_d_rows.md and .csv. `reproduce` plans them when its strategies
include (d) and its methods include the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reproduction.config import DEFAULT_ADAM, AdamOptions, apply_strategy
from reproduction.publications import figure3, gain_rows, synthetic
from reproduction.sweeps.plan import RunSpec
from reproduction.variants import VARIANTS, make_variant

ROWS = ("self-imitation", "seqgan-baseline")  # gain_rows.ROWS but the shuffled twin, which (d) does not train
STRATEGY = "d"


def name(row: str) -> str:
    return f"{STRATEGY}-{row}"


def plan(profile: str, rows: Sequence[str], oracle: str, seeds: Sequence[int], runs: Path = Path("runs"),
         adam: AdamOptions = DEFAULT_ADAM, results: Path = Path("results")) -> list[RunSpec]:
    """Each row under strategy (d) on every seed, sharing its seed's pretraining with the other runs."""
    return [RunSpec(apply_strategy(make_variant(row, profile, seed=seed, oracle=oracle, **adam.fields()), STRATEGY),
                    figure3.run_dir(runs, profile, name(row), oracle, seed), runs / profile / "shared",
                    figure3.record(results, profile, name(row), oracle, seed))
            for row in ROWS if row in rows for seed in seeds]


def table(profile: str, rows: Sequence[str], oracle: str, seeds: Sequence[int], runs: Path,
          with_mle: bool) -> list[dict]:
    """gain_rows.table of SeqGAN under (d), each row under (d), and MLE (Table 1's run, if trained)."""
    dirs = {m: [figure3.run_dir(runs, profile, STRATEGY if m == "seqgan" else name(m), oracle, s) for s in seeds]
            for m in ("seqgan", *(r for r in ROWS if r in rows))}
    if with_mle:
        dirs["mle"] = [synthetic.run_dir(runs, profile, "mle", oracle, s) for s in seeds]
    labels = {m: f"{VARIANTS[m].label}, strategy (d)" for m in dirs} | {"mle": "MLE (continued, Table 1's run)"}
    return gain_rows.table(dirs, labels)


def publish(profile: str, rows: Sequence[str], oracle: str, seeds: Sequence[int], runs: Path, dest: Path,
            with_mle: bool) -> Path:
    return gain_rows.write(dest, "strategy_d_rows", f"What the gain is made of, under strategy (d): profile {profile}, "
                           f"{oracle} oracle", "SeqGAN and the rows under Figure 3's strategy (d) (g-steps 1, d-steps "
                           "5, k 3: D trained 15 epochs per batch), beside MLE (Table 1's run, the same under any "
                           "strategy).", table(profile, rows, oracle, seeds, runs, with_mle))

"""Does bfloat16 discriminator compute change what SeqGAN learns? (issue "the paper's schedule faster").

`--precision bfloat16` runs the discriminator's convolutions and highway layer in bfloat16 (weights, optimizer
and loss stay float32; models/discriminator.py). It is faster on some CPUs (`bench --d-step` measures it per
machine) but not the paper's arithmetic, so it stays opt-in until a measurement says it learns the same thing.
This experiment is that measurement: SeqGAN (Table 1's row, Algorithm 1) under one profile, on the same seeds
in float32 and in bfloat16. Both start from the same MLE pretraining (the shared snapshot: its key does not
depend on the discriminator), so the curves part at D's pretraining. The verdict compares bfloat16 with
float32's own seed spread, which is the only yardstick a three-seed table has:

- at every adversarial evaluation, whether bfloat16's mean over seeds lies within float32's range over seeds,
  for NLL-oracle and NLL-test, and by how much it leaves it where it does;
- at the end, bfloat16 minus float32 seed by seed (a paired t-test across seeds: the same seed means the
  same pretrained generator);
- each run's wall time per adversarial batch and machine, as logged (not a speed measurement: runs at
  different times share the machine with different loads; `make bench` times both precisions in one run).

Runs: runs/<profile>/seqgan-<oracle>-s<seed>/ (Table 1's own, with its record) and
runs/<profile>/seqgan-bfloat16-<oracle>-s<seed>/ (record results/synthetic/<profile>/runs/
seqgan-bfloat16_<oracle>_s<seed>). Results: results/synthetic/<profile>/precision_check.md, .csv and .png.
`python -m reproduction precision-check` (`make precision-check`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reproduction import plots
from reproduction.config import DEFAULT_ADAM, AdamOptions, with_precision
from reproduction.io_utils import write_text
from reproduction.metrics.stats import format_p, mean_interval, paired_p_value
from reproduction.publications import synthetic
from reproduction.run_log import csv_text, curve_band, read_rows, run_meta
from reproduction.sweeps import records
from reproduction.sweeps.plan import RunSpec

METHOD = "seqgan"
PRECISION = "bfloat16"
NAME = f"{METHOD}-{PRECISION}"  # the bfloat16 runs' name in runs/ and in their records
METRICS = {"nll_oracle": "NLL-oracle", "nll_test": "NLL-test"}
FIELDS = ("seed", "precision", "final_nll_oracle", "final_nll_test", "best_nll_oracle",
          "seconds_per_adversarial_batch", "machine", "commit")


def run_dir(runs: Path, profile: str, oracle: str, seed: int, precision: str) -> Path:
    name = METHOD if precision == "float32" else NAME
    return synthetic.run_dir(runs, profile, name, oracle, seed)


def plan(profile: str, seeds: Sequence[int], oracle: str = "original", runs: Path = Path("runs"),
         adam: AdamOptions = DEFAULT_ADAM, results: Path = Path("results")) -> list[RunSpec]:
    """Table 1's SeqGAN runs (float32, as `reproduce` plans them) and their bfloat16 twins, seed by seed."""
    float32 = synthetic.plan(profile, {oracle: list(seeds)}, [METHOD], runs, adam, results)
    twins = [RunSpec(with_precision(spec.cfg, PRECISION), run_dir(runs, profile, oracle, spec.cfg.seed, PRECISION),
                     spec.share_dir, records.stem(results, profile, NAME, oracle, spec.cfg.seed))
             for spec in float32]
    return [s for pair in zip(float32, twins, strict=True) for s in pair]


def _run_row(run: Path, seed: int, precision: str) -> dict[str, Any]:
    meta = run_meta(run)
    rows = [r for r in read_rows(run / "metrics.csv") if r.get("nll_oracle")]
    m = meta["machine"]
    return {"seed": seed, "precision": precision, "final_nll_oracle": float(rows[-1]["nll_oracle"]),
            "final_nll_test": float(rows[-1]["nll_test"]),
            "best_nll_oracle": min(float(r["nll_oracle"]) for r in rows),
            "seconds_per_adversarial_batch": meta["summary"].get("seconds_per_adversarial_batch"),
            "machine": f"{m['cpu']}, {m['cores']} cores", "commit": meta["commit"][:12]}


def _adversarial_band(dirs: list[Path], column: str) -> list[tuple[float, float, float, float]]:
    """(x, mean, min, max) over seeds at the adversarial evaluations (x from the adversarial phase's start on)."""
    start = min(float(r["x"]) for r in read_rows(dirs[0] / "metrics.csv") if r["phase"] == "adversarial")
    return [p for p in curve_band(dirs, column) if p[0] >= start]


def compare(profile: str, seeds: Sequence[int], oracle: str, runs: Path) -> dict[str, Any]:
    """Per-run rows; per metric, each precision's band over seeds (the figure's curves), the evaluations where
    bfloat16's mean leaves float32's range, the largest excursion and the paired final difference."""
    dirs = {p: [run_dir(runs, profile, oracle, s, p) for s in seeds] for p in ("float32", PRECISION)}
    runs_rows = [_run_row(d, s, p) for p, ds in dirs.items() for s, d in zip(seeds, ds, strict=True)]
    bands = {column: {p: _adversarial_band(ds, column) for p, ds in dirs.items()} for column in METRICS}
    metrics = {}
    for column in METRICS:
        ref = {x: (lo, hi) for x, _, lo, hi in bands[column]["float32"]}
        test = {x: mean for x, mean, _, _ in bands[column][PRECISION]}
        xs = sorted(set(ref) & set(test))
        outside = {x: max(ref[x][0] - test[x], test[x] - ref[x][1], 0.0) for x in xs}
        finals = {p: [r[f"final_{column}"] for r in runs_rows if r["precision"] == p] for p in dirs}
        diffs = [b - f for f, b in zip(finals["float32"], finals[PRECISION], strict=True)]
        mean, half = mean_interval(diffs) if len(diffs) > 1 else (diffs[0], float("nan"))
        f32 = finals["float32"]
        metrics[column] = {
            "evaluations": len(xs), "outside": [x for x in xs if outside[x] > 0],
            "float32_range_width": sum(ref[x][1] - ref[x][0] for x in xs) / max(len(xs), 1),
            "largest_excursion": max(outside.values(), default=0.0), "final_difference": mean,
            "final_difference_ci95": half, "float32_final_range": (min(f32), max(f32)),
            "bfloat16_final_mean": sum(finals[PRECISION]) / len(diffs),
            "p_paired": paired_p_value(finals[PRECISION], f32) if len(diffs) > 1 else float("nan")}
    within = all(not m["outside"] for m in metrics.values())
    return {"runs": runs_rows, "metrics": metrics, "within": within, "bands": bands}


def markdown(result: dict[str, Any], profile: str, oracle: str, seeds: Sequence[int]) -> str:
    where = "; ".join(f"{label} at {len(m['outside'])} of {m['evaluations']}, by at most "
                      f"{m['largest_excursion']:.3f} (float32's range is {m['float32_range_width']:.3f} wide there on "
                      "average)" if m["outside"] else f"{label} at none of {m['evaluations']}"
                      for column, label in METRICS.items() for m in [result["metrics"][column]])
    verdict = ("**bfloat16 stays within float32's seed spread**: at every adversarial evaluation its mean over "
               "seeds lies inside float32's range over the same seeds, for NLL-oracle and NLL-test"
               if result["within"] else
               f"**bfloat16 leaves float32's seed spread** at some adversarial evaluations: {where}")
    lines = [f"# SeqGAN with a bfloat16 discriminator against float32: profile {profile}, {oracle} oracle", "",
             f"Seeds {', '.join(map(str, seeds))}; both precisions start from the same MLE pretraining (same seed), "
             "so they part at D's pretraining. Written by `python -m reproduction precision-check` "
             "(reproduction/publications/precision_check.py).", "", verdict + ".", "",
             "| metric | evaluations | float32's range over seeds, mean width | bfloat16's mean outside it at | "
             "largest excursion | final: float32 range | final: bfloat16 mean | bfloat16 − float32, paired "
             "(mean ± 95%) | p (paired) |", "|---|---|---|---|---|---|---|---|---|"]
    for column, label in METRICS.items():
        m = result["metrics"][column]
        where = ", ".join(f"{x:g}" for x in m["outside"]) or "none"
        lo, hi = m["float32_final_range"]
        lines.append(f"| {label} | {m['evaluations']} | {m['float32_range_width']:.3f} | {where} | "
                     f"{m['largest_excursion']:.3f} | {lo:.3f} to {hi:.3f}"
                     f" | {m['bfloat16_final_mean']:.3f} | {m['final_difference']:+.3f} ± "
                     f"{m['final_difference_ci95']:.3f} | {format_p(m['p_paired'])} |")
    lines += ["", "| seed | precision | final NLL-oracle | best NLL-oracle | final NLL-test | "
              "s per adversarial batch | machine | commit |", "|---|---|---|---|---|---|---|---|"]
    for r in sorted(result["runs"], key=lambda r: (r["seed"], r["precision"] != "float32")):
        speed = r["seconds_per_adversarial_batch"]
        lines.append(f"| {r['seed']} | {r['precision']} | {r['final_nll_oracle']:.3f} | {r['best_nll_oracle']:.3f} | "
                     f"{r['final_nll_test']:.3f} | {'' if speed is None else f'{speed:.1f}'} | {r['machine']} | "
                     f"`{r['commit']}` |")
    lines += ["", "Each run's seconds per adversarial batch are as its log has them: runs trained at different "
              "times shared the machine with different loads, so they do not measure the speed of either precision. "
              "The speed is measured by `make bench` in one run ([bench.md](../../bench.md): the discriminator epoch "
              "in float32 and in bfloat16).", "", "![curves](precision_check.png)"]
    return "\n".join(lines) + "\n"


def publish(profile: str, seeds: Sequence[int], oracle: str, runs: Path, dest: Path) -> Path:
    result = compare(profile, seeds, oracle, runs)
    write_text(dest / "precision_check.csv", csv_text(result["runs"], FIELDS))
    write_text(dest / "precision_check.md", markdown(result, profile, oracle, seeds))
    panels = {label: {f"SeqGAN, {p} D (mean, range over seeds)": band for p, band in result["bands"][column].items()}
              for column, label in METRICS.items()}
    plots.band_panels(panels, dest / "precision_check", f"SeqGAN's adversarial phase with a float32 and a bfloat16 "
                      f"discriminator ({profile}, seeds {', '.join(map(str, seeds))})", ylabel="NLL",
                      xlabel="epochs (MLE epochs, then adversarial batches)", sharey=False)
    return dest / "precision_check.md"

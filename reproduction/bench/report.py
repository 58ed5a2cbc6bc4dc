"""bench.md: the benchmark table, the targets of the speed issue, and the projected wall time of
`make reproduce` for each profile, all from one run's measurements.

Projection: each run's configuration (variants.make_variant, config.apply_strategy) is priced with the measured
unit costs: an MLE epoch, a scheduled-sampling epoch, an evaluation, a SeqGAN g-step, a PG-BLEU g-step (16
rollouts; the authors'-script variant's single rollout is priced the same, an upper bound), and sampling and
discriminator training per sequence (these two scale linearly with the number of sequences); summed over the
runs `make reproduce` makes: for each (oracle, seed) pair the shared MLE and discriminator pretraining and every
row of Table 1, plus Figure 3's strategies on their seeds (sharing that pretraining). The real-data runs have
other shapes (vocabulary, length, corpus size) and are not priced here; `status` prices them by what their
finished seeds took, else, roughly, with these unit costs moved to their shapes (units_at).
"""

from __future__ import annotations

import math
from statistics import median
from typing import Any

from reproduction import provenance
from reproduction.bench import flops
from reproduction.config import (
    PROFILE_SCHEDULES,
    STRATEGIES,
    STRATEGY_ALL_SEEDS,
    RunConfig,
    Schedule,
    make_config,
    with_precision,
)
from reproduction.errors import UserError
from reproduction.methods import METHODS, phase_plan
from reproduction.variants import VARIANTS, make_variant


def evaluations(total: int, every: int) -> int:
    """How many steps of a phase evaluate (driver: step % every == 0, and the last step)."""
    return 0 if total == 0 else math.ceil(total / every) + (0 if (total - 1) % every == 0 else 1)


def unit_costs(result: dict[str, Any]) -> dict[str, float]:
    """The unit prices of a run; `d_per_sequence_bfloat16` (when the bench timed that row) prices the discriminator
    of runs with `--precision bfloat16` (phase_seconds)."""
    rows = {r["key"]: r for r in result["rows"]}
    s = result["config"]["schedule"]
    per_sequence = s["d_positives"] + s["d_negatives"]
    unit = {"mle_epoch": median(rows["mle_epoch"]["ours"]), "ss_epoch": median(rows["ss_epoch"]["ours"]),
            "evaluation": median(rows["evaluation"]["ours"]), "g_step": median(rows["g_step"]["ours"]),
            "pgbleu_g_step": median(rows["pgbleu_g_step"]["ours"]),
            "sample_per_sequence": median(rows["sampling"]["ours"]) / s["eval_samples"],
            "d_per_sequence": median(rows["d_epoch"]["ours"]) / per_sequence}
    if "d_epoch_bfloat16" in rows:
        unit["d_per_sequence_bfloat16"] = median(rows["d_epoch_bfloat16"]["ours"]) / per_sequence
    return unit


def timed_config(result: dict[str, Any]) -> RunConfig | None:
    """The configuration a bench result timed its units at (None for a bench.json that does not record it
    whole): what `units_at` moves the unit costs from."""
    try:
        return RunConfig.from_dict(result["config"])
    except (KeyError, TypeError, ValueError, UserError):
        return None


def units_at(cfg: RunConfig, unit: dict[str, float], bench: RunConfig) -> dict[str, float]:
    """The unit costs `unit`, timed at the configuration `bench`, moved to `cfg`'s shapes and sizes in proportion
    to each unit's matrix-product work (flops.py): a rough price for runs whose shapes the bench does not time
    (the real-data corpora). BLEU, the softmax and other non-matmul work are left out, so it prices low: the
    committed real-data records took 1.0 to 2.2 times it (docs/speed.md, "Long runs")."""
    def tokens(c: RunConfig) -> float:  # the work of one sampled sequence
        return flops.token(c.shape) * c.shape.seq_len

    ratio = {"mle_epoch": flops.mle_epoch(cfg) / flops.mle_epoch(bench),
             "evaluation": tokens(cfg) * cfg.schedule.eval_samples / (tokens(bench) * bench.schedule.eval_samples),
             "g_step": flops.g_step(cfg) / flops.g_step(bench),
             "sample_per_sequence": tokens(cfg) / tokens(bench),
             "d_per_sequence": flops.d_forward(cfg.discriminator, cfg.shape.seq_len)
             / flops.d_forward(bench.discriminator, bench.shape.seq_len)}
    ratio.update(ss_epoch=ratio["mle_epoch"], pgbleu_g_step=ratio["g_step"],
                 d_per_sequence_bfloat16=ratio["d_per_sequence"])
    return {key: seconds * ratio[key] for key, seconds in unit.items()}


def d_step(s: Schedule, u: dict[str, float], epochs: int) -> float:
    """Seconds of one d-step: fresh negatives, then `epochs` epochs over negatives and positives."""
    return s.d_negatives * u["sample_per_sequence"] + epochs * (s.d_negatives + s.d_positives) * u["d_per_sequence"]


def adversarial_batch_seconds(cfg: RunConfig, u: dict[str, float]) -> float:
    """Seconds of one adversarial batch, by the method's reward (methods.py). The bench times no step of the
    reward-1 control (self-imitation): its g-step, one batch sampled and one update, is priced from the
    sampling and MLE-epoch units."""
    s, reward = cfg.schedule, METHODS[cfg.method].reward
    if reward == "discriminator":
        return s.g_steps * u["g_step"] + s.d_steps * d_step(s, u, s.k_epochs)
    if reward == "bleu":
        return s.g_steps * u["pgbleu_g_step"]
    return s.g_steps * (s.batch_size * u["sample_per_sequence"] + u["mle_epoch"] * s.batch_size / s.num_train)


def run_seconds(cfg: RunConfig, u: dict[str, float]) -> float:
    """Seconds of one run after the shared pretraining (MLE, and D's for SeqGAN), evaluations included."""
    last = phase_plan(cfg)[-1]  # the run's own phase: adversarial, mle_continued or ss
    evals = evaluations(last.steps, last.eval_every) * u["evaluation"]
    if last.name == "adversarial":
        return last.steps * adversarial_batch_seconds(cfg, u) + evals
    if last.name == "mle_continued":
        return last.steps * u["mle_epoch"] + evals
    epoch = u["mle_epoch"] if cfg.ss_coin == "frozen" else u["ss_epoch"]  # the frozen coin is teacher forcing
    return last.steps * epoch + evals


def mle_pretraining_seconds(s: Schedule, u: dict[str, float]) -> float:
    return s.mle_epochs * u["mle_epoch"] + evaluations(s.mle_epochs, s.mle_eval_every) * u["evaluation"]


def d_pretraining_seconds(s: Schedule, u: dict[str, float]) -> float:
    return s.d_pretrain_rounds * d_step(s, u, s.d_pretrain_epochs)


def phase_seconds(cfg: RunConfig, u: dict[str, float]) -> dict[str, float]:
    """Seconds of each phase of `cfg`'s run, by its phase names (methods.phase_plan)."""
    s = cfg.schedule
    if cfg.discriminator.precision == "bfloat16" and "d_per_sequence_bfloat16" in u:
        u = {**u, "d_per_sequence": u["d_per_sequence_bfloat16"]}
    shared = {"mle": mle_pretraining_seconds(s, u), "d_pretrain": d_pretraining_seconds(s, u)}
    return {p.name: shared[p.name] if p.name in shared else run_seconds(cfg, u) for p in phase_plan(cfg)}


def project(profile: str, unit: dict[str, float]) -> dict[str, float]:
    """Seconds per (oracle, seed) pair for each part of `make reproduce` under `profile`: the shared
    pretraining, each row of Table 1, and the final samples of each run."""
    s, u = PROFILE_SCHEDULES[profile], unit
    parts = {"MLE pretraining (shared)": mle_pretraining_seconds(s, u),
             "D pretraining (shared)": d_pretraining_seconds(s, u)}
    parts.update({name: run_seconds(make_variant(name, profile), u) for name in VARIANTS})
    parts["final samples"] = len(VARIANTS) * u["evaluation"]
    return parts


def figure3(profile: str, u: dict[str, float], seeds: int = 3) -> float:
    """Seconds of Figure 3's runs under `profile` with `seeds` seeds: each strategy on its seeds
    (config.STRATEGY_ALL_SEEDS), after the pretraining it shares with Table 1's runs of the same seed."""
    return sum(run_seconds(make_config("seqgan", profile, strategy=name), u)
               * (seeds if name in STRATEGY_ALL_SEEDS else 1) for name in STRATEGIES)


def _ratio(ref: float | None, ours: float) -> str:
    if not ref:
        return "–"
    return f"{ref / ours:,.0f}x" if ref / ours >= 100 else f"{ref / ours:.1f}x"


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds:.3g}" if seconds < 100 else f"{seconds:,.0f}"


def _hours(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"


def markdown(result: dict[str, Any], pairs: int = 4) -> str:
    gflops = result["matmul_gflops"]
    m = result["machine"]
    lines = [
        "# Speed benchmark",
        "",
        f"`python -m reproduction bench` at the `{result['config']['profile']}` profile's shapes and schedule, "
        f"on {provenance.describe_cpu(m)}, TensorFlow {m['tensorflow']}; commit {result['commit']}, "
        f"{result['when']}. Medians of {result['repeats']} timed calls per row ({result['adv_repeats']} for the "
        "adversarial batch) after one untimed call. Reference and ours ran in the same process, one after "
        "the other, on the same models and data.",
        "",
        f"Floor: the step's floating-point work (matrix products and convolutions only; training = 3x forward) "
        f"divided by this machine's float32 matmul throughput measured in the same run: **{gflops:.0f} GFLOP/s** "
        "(median of a 2048 x 2048 x 2048 product).",
        "",
        "| step | work (GFLOP) | ours (s) | reference (s) | ours faster by | floor (s) | ours / floor | reference is |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        ours, ref = median(r["ours"]), (median(r["reference"]) if r["reference"] else None)
        floor = r["flops"] / (gflops * 1e9) if r["flops"] else None
        lines.append(
            f"| {r['label']} | {r['flops'] / 1e9:,.3g} | {_fmt(ours)} | {_fmt(ref)} | "
            f"{(f'{ref / ours:,.1f}x' if ref else '–')} | {_fmt(floor)} | "
            f"{(f'{ours / floor:.2f}x' if floor else '–')} | {r['reference_label'] or '–'} |"
            if r["flops"] else
            f"| {r['label']} | – | {_fmt(ours)} | {_fmt(ref)} | {_ratio(ref, ours)} | – | – | "
            f"{r['reference_label'] or '–'} |")
    lines += ["", "## Targets", ""] + [f"- {line}" for line in targets(result)]
    unit = unit_costs(result)
    profiles = ("smoke", "quick", "paper")
    parts = {p: project(p, unit) for p in profiles}
    fig3 = {p: figure3(p, unit, seeds=3) for p in profiles}
    lines += ["", f"## Projected wall time of `make reproduce` ({pairs} (oracle, seed) pairs: seeds 0 1 2 on the "
              "authors' oracle, seed 0 on the random one)", "",
              "Each run's schedule priced with the unit costs measured above (MLE epoch, scheduled-sampling "
              "epoch, evaluation, g-steps, and sampling and discriminator training per sequence). Per pair: the "
              "shared pretraining and each row of Table 1. Figure 3: (a) and (b) on seed 0, (c) and (d) on seeds "
              "0 1 2. The real-data runs (other shapes) are not included.", "",
              "| part | " + " | ".join(profiles) + " |", "|---|" + "---|" * len(profiles)]
    for name in parts["paper"]:
        lines.append(f"| {name} | " + " | ".join(_hours(parts[p][name]) for p in profiles) + " |")
    per_pair = {p: sum(parts[p].values()) for p in profiles}
    lines += ["| per pair | " + " | ".join(_hours(per_pair[p]) for p in profiles) + " |",
              f"| all {pairs} pairs | " + " | ".join(_hours(pairs * per_pair[p]) for p in profiles) + " |",
              "| Figure 3 | " + " | ".join(_hours(fig3[p]) for p in profiles) + " |",
              "| **total** | " + " | ".join(f"**{_hours(pairs * per_pair[p] + fig3[p])}**" for p in profiles) + " |"]
    return "\n".join(lines) + "\n"


def targets(result: dict[str, Any]) -> list[str]:
    rows = {r["key"]: r for r in result["rows"]}
    gflops = result["matmul_gflops"]
    out = []
    adv = rows["adversarial_batch"]
    ours = median(adv["ours"])
    floor = adv["flops"] / (gflops * 1e9)
    out.append(f"adversarial batch within 2.0x of its float32 FLOP floor: {ours / floor:.2f}x "
               f"({'met' if ours / floor <= 2.0 else 'not met'})")
    if "memory_gbs" in result:  # why: the discriminator's Adam updates are memory-bound, outside the FLOP floor
        s = result["config"]["schedule"]
        updates = s["d_steps"] * s["k_epochs"] * math.ceil((s["d_positives"] + s["d_negatives"]) / s["batch_size"])
        adam = updates * result["d_params"] * flops.ADAM_BYTES_PER_PARAMETER / (result["memory_gbs"] * 1e9)
        out.append(f"why the floor is not reached: the discriminator's {updates:,} Adam updates per batch, over "
                   f"{result['d_params']:,} parameters, move {flops.ADAM_BYTES_PER_PARAMETER} bytes per parameter; "
                   f"at the {result['memory_gbs']:.0f} GB/s measured in this run that is {adam:.3g} s, which the "
                   f"FLOP floor leaves out. With it the floor is {floor + adam:.3g} s and the batch "
                   f"{ours / (floor + adam):.2f}x that floor")
    ratio = median(adv["reference"]) / ours
    out.append(f"adversarial batch at least 2x faster than the reference: {ratio:.2f}x "
               f"({'met' if ratio >= 2 else 'not met'})")
    ratio = median(rows["d_epoch"]["reference"]) / median(rows["d_epoch"]["ours"])
    out.append(f"discriminator epoch at least 1.5x faster than Keras `fit` of the same layers: {ratio:.2f}x "
               f"({'met' if ratio >= 1.5 else 'not met'})")
    seqgan = {p: sum(phase_seconds(with_precision(make_variant("seqgan", "paper"), p), unit_costs(result)).values())
              for p in ("float32", "bfloat16") if p == "float32" or "d_epoch_bfloat16" in rows}
    low = (f"; with a bfloat16 discriminator (opt-in: whether it learns what float32 does is "
           f"results/synthetic/quick/precision_check.md) {_hours(seqgan['bfloat16'])}" if "bfloat16" in seqgan else "")
    out.append(f"one paper-profile SeqGAN run (pretraining included) projected under 8 hours on this machine: "
               f"{_hours(seqgan['float32'])} in float32 ({'met' if seqgan['float32'] <= 8 * 3600 else 'not met'})"
               + low)
    ratio = median(rows["rewards"]["reference"]) / median(rows["rewards"]["ours"])
    out.append(f"rewards at least 3x faster than the authors'-structure loop: {ratio:.1f}x "
               f"({'met' if ratio >= 3 else 'not met'})")
    bleu = rows["bleu"]
    ratio = median(bleu["reference"]) / median(bleu["ours"])
    out.append(f"BLEU at least 100x faster than nltk with equal values: {ratio:,.0f}x, values "
               f"{'equal to 1e-9' if bleu['values_agree'] else 'DIFFERENT'} "
               f"({'met' if ratio >= 100 and bleu['values_agree'] else 'not met'})")
    quick = 4 * sum(project("quick", unit_costs(result)).values()) + figure3("quick", unit_costs(result), seeds=3)
    out.append(f"`make reproduce PROFILE=quick` (synthetic part: every Table 1 row on 4 (oracle, seed) pairs and "
               f"Figure 3) projected under 2 hours: {_hours(quick)} ({'met' if quick <= 7200 else 'not met'}; the "
               "target was set for Table 1's four methods and a 6-batch Figure 3)")
    return out

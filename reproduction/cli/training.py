"""The commands that train: `train` (one run), `reproduce` (every run of the paper's experiments, then
their tables and figures), `oracle-spread`, `precision-check` (bfloat16 against float32), and `status` /
`reproduce --status` (where a sweep stands)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from reproduction import quiet_tensorflow
from reproduction.errors import UserError


def cmd_train(args: argparse.Namespace) -> int:
    from reproduction.config import apply_strategy, for_corpus, with_precision
    from reproduction.variants import make_variant

    cfg = make_variant(args.method, args.profile, seed=args.seed, oracle=args.oracle, oracle_seed=args.oracle_seed,
                       rollout_update_rate=args.rollout_update_rate, dataset=args.dataset, **_adam(args).fields())
    if args.strategy:
        cfg = apply_strategy(cfg, args.strategy)
    if args.precision != "float32":
        cfg = with_precision(cfg, args.precision)
    data_tag = args.oracle if args.oracle in ("random", "original") else Path(args.oracle).stem
    if args.dataset != "synthetic":
        from reproduction.datasets.registry import load_corpus

        corpus = load_corpus(args.dataset, args.data_mirror)
        cfg, data_tag = for_corpus(cfg, corpus.vocab_size, corpus.seq_len, len(corpus.train)), args.dataset
    tags = (f"-strategy-{args.strategy}" if args.strategy else "") + (
        f"-{args.precision}" if args.precision != "float32" else "")  # (a bfloat16 run never meets a float32 one)
    out = Path(args.out or f"runs/{args.method}{tags}-{data_tag}-{args.profile}-s{args.seed}")
    quiet_tensorflow()
    from reproduction.training.driver import train

    where = f"the {cfg.oracle} oracle" if cfg.dataset == "synthetic" else f"the {cfg.dataset} corpus"
    print(f"run {out}: {cfg.method} on {where}, profile {cfg.profile}, seed {cfg.seed}", file=sys.stderr)
    summary = train(cfg, out, args.data_mirror, show_progress=not args.no_progress)
    print(json.dumps(summary, indent=2))
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    if args.profile == "texygen":  # Texygen's configuration exists for COCO only
        if "coco" not in args.datasets or not args.real_seeds:
            raise UserError("the texygen profile is Texygen's configuration on COCO captions: give --datasets coco "
                            "and --real-seeds")
        print("profile texygen: the COCO runs only (the paper's experiments have no Texygen configuration)",
              file=sys.stderr)
        args = argparse.Namespace(**{**vars(args), "seeds": [], "random_seeds": [], "methods": [], "strategies": [],
                                     "datasets": ["coco"]})
    # `--real-seeds` with no value (REAL_SEEDS= in the Makefile) skips the corpora
    datasets = args.datasets if args.real_seeds else []
    corpora = [d for d in datasets if d != "coco"]  # the paper's (real_world.py); COCO is Texygen's (coco.py)
    if not args.seeds and not args.random_seeds and not datasets:
        raise UserError("nothing to run: give --seeds, --random-seeds and/or --datasets (with --real-seeds)")
    if args.strategies and not args.seeds and not args.random_seeds:
        raise UserError("Figure 3's strategies run on a synthetic seed: give --seeds or --random-seeds, or pass "
                        "--strategies with no value to skip them")
    if args.executor == "local" and (args.ray_address or args.cpus_per_run is not None):
        raise UserError("--ray-address and --cpus-per-run apply to --executor ray")
    if sum((args.status, args.in_progress, args.train_only)) > 1:
        raise UserError("--status, --in-progress and --train-only exclude each other: give one of them")
    if args.cpus_per_run is not None and args.cpus_per_run < 1:
        raise UserError(f"--cpus-per-run must be at least 1, got {args.cpus_per_run}")
    from reproduction.publications import coco, figure2, figure3, real_world, strategy_d_rows, synthetic
    from reproduction.sweeps.sweep import forget_restored, restore_records, status_view, train_all

    seeds = {"original": args.seeds, "random": args.random_seeds}
    runs, results, adam = Path(args.runs), Path(args.results), _adam(args)
    oracle, oracle_seeds = ("original", args.seeds) if args.seeds else ("random", args.random_seeds or [0])
    specs = synthetic.plan(args.profile, seeds, args.methods, runs, adam, results)
    if args.strategies:
        specs += figure3.plan(args.profile, args.strategies, oracle, oracle_seeds, runs, adam=adam, results=results)
    # the rows of "what the gain is made of" under strategy (d), when both are asked for
    d_rows = [m for m in args.methods if m in strategy_d_rows.ROWS] if "d" in args.strategies else []
    specs += strategy_d_rows.plan(args.profile, d_rows, oracle, oracle_seeds, runs, adam, results)
    specs += real_world.plan(args.profile, corpora, args.real_seeds, args.data_mirror, runs, adam=adam,
                             results=results)
    if "coco" in datasets:
        specs += coco.plan(args.profile, args.real_seeds, coco.METHODS, args.data_mirror, runs, adam, results)
    if args.status:  # (reads files only, writes none into runs/; TensorFlow is never loaded)
        with tempfile.TemporaryDirectory() as scratch:
            print(_sweep_status(status_view(specs, Path(scratch), args.retrain), results / "bench.json"), end="")
        return 0
    # runs finished in an earlier session, with a record, count as finished (--retrain: none, not even those an
    # earlier command restored into runs/, which it trains again)
    if args.retrain and not args.in_progress:
        forget_restored(specs)
    restored = [] if args.retrain else restore_records(specs)
    if args.in_progress:
        status = _sweep_status(specs, results / "bench.json")
        quiet_tensorflow()
        command = _in_progress_command(args)
        written = synthetic.publish_in_progress(args.profile, seeds, args.methods, runs, results, status, command,
                                                args.data_mirror)
        if args.strategies:
            written += figure3.publish_in_progress(args.profile, args.strategies, oracle, oracle_seeds, runs, results,
                                                   status, command)
        if not written:
            raise UserError(f"no run of Figure 2's methods ({', '.join(figure2.STYLE)}) has logged an evaluation "
                            f"on every seed, and no run of Figure 3's strategies has finished, under "
                            f"{runs / args.profile}; nothing to show (is --runs right?)")
        print("in-progress results written to " + str(written[-1].parent))
        return 0
    rows, _ = _plan(specs, results / "bench.json")
    to_train = [r for r in rows if r["status"] != "complete"]
    print(_plan_line(len(specs), len(restored), to_train, args.retrain), file=sys.stderr, flush=True)
    quiet_tensorflow()
    # Every run first: until all have finished, the published results stay as they are (a failed run: none).
    train_all(specs, args.data_mirror, show_progress=not args.no_progress, executor=args.executor,
              ray_address=args.ray_address, cpus_per_run=args.cpus_per_run or 1, restore=False)
    done = f"{len(restored)} run(s) restored from their records, {len(to_train)} trained"
    if args.train_only:
        print(f"{done}; records kept in {results}; no table or figure published (--train-only)")
        return 0
    written = synthetic.publish_all(args.profile, seeds, args.methods, runs, results, args.data_mirror)
    if args.strategies:
        written.append(results / "synthetic" / args.profile)
        figure3.publish(args.profile, args.strategies, oracle, oracle_seeds, runs, written[-1])
        if d_rows:
            strategy_d_rows.publish(args.profile, d_rows, oracle, oracle_seeds, runs, written[-1],
                                    with_mle="mle" in args.methods)
    written += real_world.publish_all(args.profile, corpora, args.real_seeds, args.data_mirror, runs, results)
    if "coco" in datasets:
        written.append(coco.publish_all(args.profile, args.real_seeds, runs, results, args.data_mirror))
    print(f"{done}; results written to " + ", ".join(map(str, dict.fromkeys(written))))  # (each directory once)
    return 0


def cmd_oracle_spread(args: argparse.Namespace) -> int:
    if len(set(args.oracle_seeds)) != len(args.oracle_seeds):
        raise UserError(f"--oracle-seeds repeats a seed: {' '.join(map(str, args.oracle_seeds))}")
    quiet_tensorflow()  # (before the plan: drawing the random oracles needs TensorFlow)
    from reproduction.publications import oracle_spread
    from reproduction.sweeps.sweep import restore_records, train_all

    runs, results, adam = Path(args.runs), Path(args.results), _adam(args)
    specs = oracle_spread.plan(args.profile, args.method, args.oracle_seeds, args.seed, runs, adam, results)
    published = oracle_spread.published_run(args.profile, args.method, args.seed, runs, adam, results)
    restored = [s for s in restore_records([*specs, published]) if s in specs]  # (Table 1's run is not this sweep's)
    rows, _ = _plan(specs, results / "bench.json")
    to_train = [r for r in rows if r["status"] != "complete"]
    print(_plan_line(len(specs), len(restored), to_train, False), file=sys.stderr, flush=True)
    train_all(specs, args.data_mirror, show_progress=not args.no_progress, restore=False)
    dest = results / "synthetic" / args.profile
    oracle_spread.publish(args.profile, args.method, args.oracle_seeds, args.seed, runs, dest, args.data_mirror)
    print(f"{len(restored)} run(s) restored from their records, {len(to_train)} trained; results written to "
          f"{dest / f'oracle_spread_{args.method}.md'}")
    return 0


def cmd_precision_check(args: argparse.Namespace) -> int:
    if len(set(args.seeds)) != len(args.seeds):
        raise UserError(f"--seeds repeats a seed: {' '.join(map(str, args.seeds))}")
    from reproduction.publications import precision_check
    from reproduction.sweeps.sweep import restore_records, train_all

    runs, results = Path(args.runs), Path(args.results)
    specs = precision_check.plan(args.profile, args.seeds, args.oracle, runs, _adam(args), results)
    restored = restore_records(specs)
    rows, _ = _plan(specs, results / "bench.json")
    to_train = [r for r in rows if r["status"] != "complete"]
    print(_plan_line(len(specs), len(restored), to_train, False), file=sys.stderr, flush=True)
    quiet_tensorflow()
    train_all(specs, args.data_mirror, show_progress=not args.no_progress, restore=False)
    dest = precision_check.publish(args.profile, args.seeds, args.oracle, runs, results / "synthetic" / args.profile)
    print(f"{len(restored)} run(s) restored from their records, {len(to_train)} trained; results written to {dest}")
    return 0


def _adam(args: argparse.Namespace):  # -> config.AdamOptions (imported late: --help needs no numpy)
    from reproduction.config import AdamOptions

    return AdamOptions(args.adam, args.adam_epsilon)


def _epsilon_flag(args: argparse.Namespace) -> str:
    from reproduction.config import KERAS_ADAM_EPSILON

    return "" if args.adam_epsilon == KERAS_ADAM_EPSILON else f" --adam-epsilon {args.adam_epsilon:g}"


def _in_progress_command(args: argparse.Namespace) -> str:
    """The `reproduce --in-progress` command that `args` are, spelled out (what the published page says wrote it)."""
    def values(flag: str, items: list) -> str:
        return f" {flag}" + "".join(f" {v}" for v in items)

    text = (f"python -m reproduction reproduce --in-progress --profile {args.profile}" + values("--seeds", args.seeds)
            + values("--random-seeds", args.random_seeds) + values("--methods", args.methods)
            + values("--strategies", args.strategies) + values("--datasets", args.datasets)
            + values("--real-seeds", args.real_seeds) + f" --adam {args.adam}" + _epsilon_flag(args)
            + f" --runs {args.runs}")
    return text + f" --results {args.results}" + (f" --data-mirror {args.data_mirror}" if args.data_mirror else "")


def _plan_line(planned: int, restored: int, to_train: list[dict], retrain: bool) -> str:
    """What a sweep is about to do: how many runs it restored, how many it trains, and their priced hours."""
    priced = [r["hours_left"] for r in to_train if r["hours_left"] is not None]
    rough = sum(bool(r.get("by_flops")) for r in to_train)
    hours = f", about {sum(priced):.1f} hours priced" if priced else ""
    hours += f" ({rough} of them roughly, by FLOPs: see `make status`)" if rough else ""
    unpriced = f" ({len(to_train) - len(priced)} not priced)" if len(priced) < len(to_train) else ""
    source = "records ignored (--retrain)" if retrain else f"{restored} restored from their records"
    return f"plan: {planned} runs; {source}; {len(to_train)} to train{hours}{unpriced}"


def _plan(specs: list, bench_json: Path) -> tuple[list[dict], str]:
    """plan_status of the sweep's runs, priced with bench.json where there is one, and how they were priced."""
    from reproduction.bench.report import timed_config, unit_costs
    from reproduction.sweeps.status import host_pace, plan_status

    unit, pace, timed_at, priced_by = None, 1.0, None, f"no {bench_json}: `make bench` writes it"
    if bench_json.is_file():
        try:
            bench = json.loads(bench_json.read_text())
            unit = unit_costs(bench)
            timed_at = timed_config(bench)
            measured = host_pace(specs, unit)
            scaled = "" if measured is None else (f" times {measured[0]:.2f}, the host's pace today against it "
                                                  f"({measured[1]})")
            pace = 1.0 if measured is None else measured[0]
            priced_by = (f"phases not yet run priced with {bench_json} of {bench['when'][:10]} on "
                         f"{bench['machine']['cpu']}{scaled}; a run's own phases where other seeds of it have "
                         "finished, and real-data runs, by what those finished runs (else their committed records) "
                         "took" + ("" if timed_at is None else ", else by the bench's units moved to their shapes by "
                                   "FLOPs (rough: the committed real-data runs took 1.0-2.2x such a price)"))
        except (ValueError, KeyError, TypeError) as e:
            priced_by = f"{bench_json} is unreadable ({e}); rerun `make bench`"
    return plan_status(specs, unit, pace, timed_at), priced_by


def _sweep_status(specs: list, bench_json: Path) -> str:
    from reproduction.sweeps.status import plan_markdown

    return plan_markdown(*_plan(specs, bench_json))


def cmd_status(args: argparse.Namespace) -> int:
    from reproduction.sweeps.status import markdown, sweep_status

    runs = Path(args.runs)
    if not runs.is_dir():
        raise UserError(f"--runs {runs}: no such directory; nothing has been trained there yet")
    rows = sweep_status(runs)
    print(json.dumps(rows, indent=2) if args.json else markdown(rows) if rows else f"no runs under {runs}")
    return 0

"""The command line: train, evaluate, sample, rescore. TensorFlow is imported only by the commands that need it,
so `--help` answers at once. A user mistake exits with status 2 and one message, never a traceback."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

from reproduction.config import (
    ADAM_IMPLEMENTATIONS,
    DATASETS,
    PRECISIONS,
    PROFILES,
    STRATEGIES,
    VARIANT_DESCRIPTIONS,
    VARIANTS,
    describe_profile,
)
from reproduction.errors import UserError

BLEU_RULES = ("method1", "legacy")  # reproduction.metrics.bleu.BLEU_RULES, restated so --help needs no numpy


def _quiet_tensorflow() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def _oracle_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--oracle", default="random",
                   help="random (seeded N(0,1) oracle, default), original (the authors' parameters), or a "
                        "parameter file (.pkl in the authors' layout or .npz)")
    p.add_argument("--oracle-seed", type=int, default=0, help="seed of the random oracle (default 0)")
    p.add_argument("--data-mirror", default=None,
                   help="read public data files from this folder instead of downloading "
                        "(or set SEQGAN_DATA_MIRROR)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reproduction",
        description="SeqGAN (Yu et al., AAAI 2017) reproduced in TensorFlow 2 / Keras: train, evaluate, sample, "
                    "reproduce, rescore, bench.")
    sub = parser.add_subparsers(dest="command", required=True)

    profiles_help = "; ".join(f"{p}: " + (", ".join(describe_profile(p)) or "the authors' schedule")
                              for p in PROFILES)
    t = sub.add_parser("train", help="train a generator on the synthetic oracle",
                       description="Train (or resume) a run. Rerunning the same command resumes it.")
    t.add_argument("--method", default="seqgan", choices=VARIANTS,
                   help="; ".join(f"{k}: {v}" for k, v in VARIANT_DESCRIPTIONS.items()).replace("%", "%%"))
    t.add_argument("--dataset", default="synthetic", choices=DATASETS,
                   help="synthetic (the oracle, default) or a real-world corpus (methods mle and seqgan; evaluated "
                        "by BLEU against its test split)")
    t.add_argument("--profile", default="quick", choices=PROFILES, help=profiles_help)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--strategy", default=None, choices=list(STRATEGIES),
                   help="SeqGAN training strategy of paper Figure 3: " + "; ".join(
                       f"{k}: g-steps {v.g_steps}, d-steps {v.d_steps}, k {v.k_epochs}" for k, v in STRATEGIES.items())
                   + " (default: the profile's schedule)")
    _oracle_args(t)
    t.add_argument("--rollout-update-rate", type=float, default=None,
                   help="use the authors' delayed rollout copy beta <- r beta + (1-r) theta (code: 0.8); "
                        "default: the rollout policy is the generator itself, as in the paper")
    t.add_argument("--adam", default="fused", choices=ADAM_IMPLEMENTATIONS,
                   help="Adam implementation: fused (default; one TensorFlow kernel per variable) or keras (Keras's "
                        "public apply_gradients; its sparse embedding update differs, see training/optimizers.py)")
    t.add_argument("--precision", default="float32", choices=PRECISIONS,
                   help="the discriminator's compute dtype: float32 (default, the paper's) or bfloat16 (opt-in: "
                        "float32 weights and loss, faster on CPUs with avx512_bf16 or AMX; see docs/speed.md)")
    t.add_argument("--out", default=None, help="run directory (default runs/METHOD-ORACLE-PROFILE-sSEED)")
    t.add_argument("--no-progress", action="store_true", help="no progress bar")

    e = sub.add_parser("evaluate", help="NLL-oracle of a token file",
                       description="Print the mean per-token NLL that the oracle assigns to a file of "
                                   "whitespace-separated token ids, one sequence per line.")
    _oracle_args(e)
    source = e.add_mutually_exclusive_group(required=True)
    source.add_argument("--samples", help="token file, one sequence of 20 ids per line")
    source.add_argument("--run", help="instead: a synthetic run directory; its final generator's NLL-oracle (of fresh "
                                      "samples) and NLL-test (of the run's held-out data) at --temperature")
    e.add_argument("--temperature", type=float, default=1.0,
                   help="with --run: sample and score from softmax(logits / T) (default 1)")
    e.add_argument("--json", action="store_true", help="machine-readable output")

    r = sub.add_parser("reproduce", help="the paper's synthetic experiment: all methods, Table 1, Figures 2 and 3",
                       description="Train every method for each seed on the authors' oracle and on the seeded random "
                                   "oracle (resumable; MLE pretraining shared between methods), then write "
                                   "results/synthetic/PROFILE/: Table 1, Figure 2, per-run CSV and JSON; then "
                                   "SeqGAN under Figure 3's four training strategies. --executor ray trains "
                                   "the runs in parallel as Ray tasks.")
    r.add_argument("--profile", default="quick", choices=PROFILES, help=profiles_help)
    r.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2], help="seeds on the authors' oracle")
    r.add_argument("--random-seeds", type=int, nargs="*", default=[0], help="seeds on the random N(0,1) oracle")
    r.add_argument("--methods", nargs="*", default=list(VARIANTS), choices=VARIANTS,
                   help="rows of Table 1 (and methods of Figure 2): the four methods as the paper describes them, "
                        "the baselines as the authors' scripts ran them (ss-authors, pgbleu-authors) and SeqGAN's "
                        "controls (default: all; give none to skip that experiment and leave its published results "
                        "untouched, e.g. to run Figure 3 alone)")
    r.add_argument("--adam", default="fused", choices=ADAM_IMPLEMENTATIONS,
                   help="Adam implementation of every run (default fused; the committed quick Table 1 and the "
                        "quick Figure 2 were trained with keras)")
    r.add_argument("--strategies", nargs="*", default=list(STRATEGIES), choices=list(STRATEGIES),
                   help="Figure 3's SeqGAN training strategies to run on the authors' oracle (else the random one): "
                        "(c) and (d) on every seed, (a) and (b) on the first (default: all four; give none to skip "
                        "Figure 3)")
    r.add_argument("--datasets", nargs="*", default=list(DATASETS[1:]), choices=DATASETS[1:],
                   help="real-world corpora for MLE against SeqGAN (default: all three; give none to skip them)")
    r.add_argument("--real-seeds", type=int, nargs="*", default=[0, 1, 2],
                   help="seeds of the real-world runs (default 0 1 2; with no value, no real-world runs)")
    r.add_argument("--data-mirror", default=None, help="read public data files from this folder")
    r.add_argument("--runs", default="runs", help="where runs and checkpoints go (default runs/)")
    r.add_argument("--results", default="results", help="where results are published (default results/)")
    r.add_argument("--executor", default="local", choices=("local", "ray"),
                   help="local (default): the runs one after another in this process; ray: each run a Ray task, "
                        "as many at once as the cluster has CPUs for, one status line per run (needs "
                        "requirements-ray.txt). The numbers are the local executor's when it runs with "
                        "TF_NUM_INTRAOP_THREADS and TF_NUM_INTEROP_THREADS set to --cpus-per-run")
    r.add_argument("--ray-address", default=None,
                   help="with --executor ray: the cluster to join (HOST:PORT of `ray start --head`, or auto; default: "
                        "RAY_ADDRESS, else a Ray instance on this machine); --runs must then be a path on a "
                        "filesystem every node sees, with the project at the same path on every node")
    r.add_argument("--cpus-per-run", type=int, default=None,
                   help="with --executor ray: CPUs each run asks Ray for, and TensorFlow threads it uses (default 1)")
    r.add_argument("--no-progress", action="store_true",
                   help="no progress bars (local) or periodic status lines of running runs (ray)")
    r.add_argument("--status", action="store_true",
                   help="train nothing: list every run of this sweep (finished, in progress, not started) with the "
                        "hours left, priced with the last `make bench` (RESULTS/bench.json)")

    o = sub.add_parser("oracle-spread", help="one row of Table 1 on several random oracles: how far it moves "
                                             "with the oracle alone",
                       description="Train one Table 1 row with one seed on random N(0,1) oracles (resumable), then "
                                   "write RESULTS/synthetic/PROFILE/oracle_spread_METHOD.md and .csv: each oracle's "
                                   "own NLL, the row's best and final NLL-oracle, and their spread (beside the same "
                                   "row on the published oracle when Table 1 has trained it).")
    o.add_argument("--method", default="ss-authors", choices=VARIANTS, help="the row (default ss-authors)")
    o.add_argument("--profile", default="quick", choices=PROFILES, help=profiles_help)
    o.add_argument("--oracle-seeds", type=int, nargs="+", default=[1, 2, 3],
                   help="seeds of the random oracles (default 1 2 3)")
    o.add_argument("--seed", type=int, default=0, help="the training seed, the same on every oracle (default 0)")
    o.add_argument("--adam", default="fused", choices=ADAM_IMPLEMENTATIONS,
                   help="Adam implementation, as in `reproduce` (match the Table 1 run you compare with)")
    o.add_argument("--data-mirror", default=None, help="read public data files from this folder")
    o.add_argument("--runs", default="runs", help="where runs and checkpoints go (default runs/)")
    o.add_argument("--results", default="results", help="where results are published (default results/)")
    o.add_argument("--no-progress", action="store_true", help="no progress bars")

    u = sub.add_parser("bleu", help="BLEU-n (or Self-BLEU-n) of a hypothesis file",
                       description="Mean BLEU-n of each hypothesis against all references (nltk sentence_bleu, "
                                   "uniform weights, smoothing method1 unless --rule legacy), or with --self the "
                                   "mean Self-BLEU-n. Files: whitespace-separated tokens, one sequence per line.")
    u.add_argument("--references", help="reference file (not needed with --self)")
    u.add_argument("--hypotheses", required=True, help="hypothesis file")
    u.add_argument("--n", type=int, default=3, help="maximum n-gram order (default 3)")
    u.add_argument("--self", dest="self_bleu", action="store_true", help="Self-BLEU of the hypotheses")
    u.add_argument("--rule", default="method1", choices=BLEU_RULES,
                   help="method1 (default): nltk's smoothing method1, as today's nltk and Texygen; legacy: nltk "
                        "3.2.x unsmoothed, as 2016-2017 code ran it: an n-gram order with no match is left out of "
                        "the geometric mean, which inflates scores")
    u.add_argument("--json", action="store_true", help="machine-readable output")

    q = sub.add_parser("rescore", help="rescore a finished real-data run's final samples (BLEU, Self-BLEU, MSE)",
                       description="Score the final samples (final_samples.npz) of a finished real-data run against "
                                   "the corpus's references, as the published tables do (BLEU of every sample, "
                                   "Self-BLEU of as many samples as the real-data probe holds, MSE for music), "
                                   "without retraining; the real-data probe is scored beside it. Old runs can so "
                                   "be rescored under either BLEU rule.")
    q.add_argument("--run", required=True, help="a real-data run directory written by `train`")
    q.add_argument("--rule", default=None, choices=BLEU_RULES,
                   help="method1: nltk's smoothing method1; legacy: nltk 3.2.x unsmoothed (default: both)")
    q.add_argument("--references", type=int, default=None,
                   help="score against a seeded random subset of this many references (default: all of the "
                        "corpus's references)")
    q.add_argument("--data-mirror", default=None, help="read the corpus from this folder (or set "
                                                        "SEQGAN_DATA_MIRROR)")
    q.add_argument("--json", action="store_true", help="machine-readable output")

    b = sub.add_parser("bench", help="time each hot path against a reference and the machine's floor",
                       description="Time each hot path of a profile's schedule (ours and a straightforward "
                                   "reference, in one run) and project the wall time of `make reproduce`.")
    b.add_argument("--profile", default="paper", choices=PROFILES, help="shapes and schedule (default paper)")
    b.add_argument("--repeats", type=int, default=3, help="timed calls per row, after one untimed call")
    b.add_argument("--adv-repeats", type=int, default=2, help="timed adversarial batches, ours and reference")
    b.add_argument("--d-step", action="store_true", help="instead: one discriminator training step, part by "
                                                         "part, medians of max(--repeats, 5) x 20 calls "
                                                         "(default --out results/bench_d_step.md)")
    b.add_argument("--out", help="report (default results/bench.md; the raw timings go beside it as .json)")

    st = sub.add_parser("status", help="which runs of a sweep are finished, in progress (with time left), or not",
                        description="Read every run directory under --runs and print where each stands: finished, or "
                                    "its phase, step, hours so far and projected hours left in the phase.")
    st.add_argument("--runs", default="runs", help="the runs directory of `reproduce` (default runs/)")
    st.add_argument("--json", action="store_true", help="machine-readable output")

    s = sub.add_parser("sample", help="write samples from a trained generator")
    s.add_argument("--run", required=True, help="a run directory written by `train`")
    s.add_argument("--n", type=int, default=100, help="number of sequences")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--temperature", type=float, default=1.0, help="sample from softmax(logits / T) (default 1)")
    s.add_argument("--out", default=None, help="output file (default: standard output)")
    s.add_argument("--ids", action="store_true",
                   help="runs on a real corpus: write token ids instead of text (synthetic runs always write ids)")
    s.add_argument("--data-mirror", default=None,
                   help="runs on a real corpus: read the corpus from this folder to decode the samples "
                        "(or set SEQGAN_DATA_MIRROR)")
    return parser


def cmd_train(args: argparse.Namespace) -> int:
    from reproduction.config import apply_strategy, for_corpus, make_variant

    cfg = make_variant(args.method, args.profile, seed=args.seed, oracle=args.oracle, oracle_seed=args.oracle_seed,
                       rollout_update_rate=args.rollout_update_rate, dataset=args.dataset, adam=args.adam)
    if args.strategy:
        cfg = apply_strategy(cfg, args.strategy)
    if args.precision != "float32":
        cfg = dataclasses.replace(cfg, discriminator=dataclasses.replace(cfg.discriminator, precision=args.precision))
    data_tag = args.oracle if args.oracle in ("random", "original") else Path(args.oracle).stem
    if args.dataset != "synthetic":
        from reproduction.datasets.corpus import load_corpus

        corpus = load_corpus(args.dataset, args.data_mirror)
        cfg, data_tag = for_corpus(cfg, corpus.vocab_size, corpus.seq_len, len(corpus.train)), args.dataset
    strategy_tag = f"-strategy-{args.strategy}" if args.strategy else ""
    out = Path(args.out or f"runs/{args.method}{strategy_tag}-{data_tag}-{args.profile}-s{args.seed}")
    _quiet_tensorflow()
    from reproduction.training.driver import train

    where = f"the {cfg.oracle} oracle" if cfg.dataset == "synthetic" else f"the {cfg.dataset} corpus"
    print(f"run {out}: {cfg.method} on {where}, profile {cfg.profile}, seed {cfg.seed}", file=sys.stderr)
    summary = train(cfg, out, args.data_mirror, show_progress=not args.no_progress)
    print(json.dumps(summary, indent=2))
    return 0


def _check_temperature(t: float) -> None:
    if not 0.01 <= t <= 100.0:
        raise UserError(f"--temperature must be between 0.01 and 100, got {t}")


def cmd_evaluate(args: argparse.Namespace) -> int:
    if args.run:
        return _evaluate_run(args)
    from oracle.shape import LSTMShape
    from reproduction.io_utils import read_tokens

    shape = LSTMShape()
    seqs = read_tokens(Path(args.samples), shape.vocab_size, shape.seq_len)
    _quiet_tensorflow()
    from reproduction.datasets.synthetic import resolve_oracle
    from reproduction.metrics.nll import mean_nll

    oracle = resolve_oracle(args.oracle, shape, args.oracle_seed, args.data_mirror)
    nll = mean_nll(oracle.model, seqs, f"the samples of {args.samples}")
    if args.json:
        print(json.dumps({"nll_oracle": nll, "sequences": len(seqs), "oracle": oracle.name,
                          "samples": str(args.samples)}))
    else:
        print(f"{nll:.6f}")
    return 0


def _evaluate_run(args: argparse.Namespace) -> int:
    _check_temperature(args.temperature)
    run = Path(args.run)
    if not (run / "run.json").is_file() or not (run / "checkpoint.npz").is_file():
        raise UserError(f"{run}: not a trained run (no run.json or checkpoint.npz); pass a directory written by "
                        "`python -m reproduction train`")
    if json.loads((run / "run.json").read_text())["config"]["dataset"] != "synthetic":
        raise UserError(f"{run} is a real-data run: it has no oracle; score its samples with `bleu`")
    _quiet_tensorflow()
    from reproduction.experiments.frontier import temperature_curve

    (t, nll_test, nll_oracle), = temperature_curve(run, (args.temperature,), args.data_mirror)
    result = {"nll_oracle": nll_oracle, "nll_test": nll_test, "temperature": t, "run": str(run)}
    print(json.dumps(result) if args.json else f"nll_oracle {nll_oracle:.6f}  nll_test {nll_test:.6f}  (T = {t:g})")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from reproduction.config import RunConfig

    run = Path(args.run)
    if args.n < 1:
        raise UserError(f"--n must be at least 1, got {args.n}")
    _check_temperature(args.temperature)
    try:
        cfg = RunConfig.from_dict(json.loads((run / "run.json").read_text())["config"])
    except FileNotFoundError:
        raise UserError(f"{run}: no run.json; pass a directory written by `python -m reproduction train`") from None
    except (ValueError, KeyError, TypeError) as e:
        raise UserError(f"{run / 'run.json'}: unreadable ({e})") from e
    decode = None  # real corpora: samples are written as text unless --ids
    if cfg.dataset != "synthetic" and not args.ids:
        from reproduction.datasets.corpus import load_corpus

        corpus = load_corpus(cfg.dataset, args.data_mirror)
        if corpus.vocab_size != cfg.shape.vocab_size:
            raise UserError(f"{run} was trained on a {cfg.dataset} vocabulary of {cfg.shape.vocab_size}, but the "
                            f"corpus now has {corpus.vocab_size}; pass --ids to write token ids instead")
        decode = corpus.decode
    _quiet_tensorflow()
    from reproduction.io_utils import write_text
    from reproduction.models.generator import LSTMPolicy, sample_many
    from reproduction.seeding import derive
    from reproduction.training.checkpoint import load_model

    generator = LSTMPolicy(cfg.shape)
    load_model(run / "checkpoint.npz", "generator", generator)
    samples = sample_many(generator, args.n, derive(args.seed, "sample-command"), temperature=args.temperature)
    text = "".join((decode(row) if decode else " ".join(map(str, row))) + "\n" for row in samples)
    if args.out:
        write_text(Path(args.out), text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    # `--real-seeds` with no value (REAL_SEEDS= in the Makefile) skips the corpora
    datasets = args.datasets if args.real_seeds else []
    if not args.seeds and not args.random_seeds and not datasets:
        raise UserError("nothing to run: give --seeds, --random-seeds and/or --datasets (with --real-seeds)")
    if args.strategies and not args.seeds and not args.random_seeds:
        raise UserError("Figure 3's strategies run on a synthetic seed: give --seeds or --random-seeds, or pass "
                        "--strategies with no value to skip them")
    if args.executor == "local" and (args.ray_address or args.cpus_per_run is not None):
        raise UserError("--ray-address and --cpus-per-run apply to --executor ray")
    if args.cpus_per_run is not None and args.cpus_per_run < 1:
        raise UserError(f"--cpus-per-run must be at least 1, got {args.cpus_per_run}")
    _quiet_tensorflow()
    from reproduction.experiments import figure3, real_world, synthetic
    from reproduction.experiments.sweep import train_all

    seeds = {"original": args.seeds, "random": args.random_seeds}
    runs, results, adam = Path(args.runs), Path(args.results), args.adam
    oracle, oracle_seeds = ("original", args.seeds) if args.seeds else ("random", args.random_seeds or [0])
    specs = synthetic.plan(args.profile, seeds, args.methods, runs, adam)
    if args.strategies:
        specs += figure3.plan(args.profile, args.strategies, oracle, oracle_seeds, runs, adam=adam)
    specs += real_world.plan(args.profile, datasets, args.real_seeds, args.data_mirror, runs, adam=adam)
    if args.status:
        return _sweep_status(specs, results / "bench.json")
    # Every run first: until all have finished, the published results stay as they are (a failed run: none).
    train_all(specs, args.data_mirror, show_progress=not args.no_progress, executor=args.executor,
              ray_address=args.ray_address, cpus_per_run=args.cpus_per_run or 1)
    written = synthetic.publish_all(args.profile, seeds, args.methods, runs, results, args.data_mirror)
    if args.strategies:
        written.append(results / "synthetic" / args.profile)
        figure3.publish(args.profile, args.strategies, oracle, oracle_seeds, runs, written[-1])
    written += real_world.publish_all(args.profile, datasets, args.real_seeds, args.data_mirror, runs, results)
    print("results written to " + ", ".join(map(str, dict.fromkeys(written))))  # (each directory once)
    return 0


def cmd_oracle_spread(args: argparse.Namespace) -> int:
    if min(args.oracle_seeds) < 0 or args.seed < 0:
        raise UserError("--oracle-seeds and --seed must be non-negative")
    if len(set(args.oracle_seeds)) != len(args.oracle_seeds):
        raise UserError(f"--oracle-seeds repeats a seed: {' '.join(map(str, args.oracle_seeds))}")
    _quiet_tensorflow()
    from reproduction.experiments import oracle_spread

    dest = oracle_spread.reproduce(args.profile, args.method, args.oracle_seeds, args.seed, args.data_mirror,
                                   Path(args.runs), Path(args.results), not args.no_progress, args.adam)
    print(f"results written to {dest / f'oracle_spread_{args.method}.md'}")
    return 0


def _sweep_status(specs: list, bench_json: Path) -> int:
    from reproduction.bench.report import unit_costs
    from reproduction.experiments.status import plan_markdown, plan_status

    unit, priced_by = None, f"no {bench_json}: `make bench` writes it"
    if bench_json.is_file():
        try:
            bench = json.loads(bench_json.read_text())
            unit = unit_costs(bench)
            priced_by = (f"phases not yet run priced with {bench_json} of {bench['when'][:10]} on "
                         f"{bench['machine']['cpu']}; real-data runs with the finished runs of their corpus")
        except (ValueError, KeyError, TypeError) as e:
            priced_by = f"{bench_json} is unreadable ({e}); rerun `make bench`"
    print(plan_markdown(plan_status(specs, unit), priced_by), end="")
    return 0


def cmd_bleu(args: argparse.Namespace) -> int:
    from reproduction.io_utils import read_sequences
    from reproduction.metrics.bleu import bleu, self_bleu

    if args.n < 1:
        raise UserError(f"--n must be at least 1, got {args.n}")
    hypotheses = read_sequences(Path(args.hypotheses))
    if args.self_bleu:
        value, metric = self_bleu(hypotheses, args.n, rule=args.rule), f"self_bleu_{args.n}"
    else:
        if not args.references:
            raise UserError("--references FILE is required (or pass --self for Self-BLEU)")
        value = bleu(read_sequences(Path(args.references)), hypotheses, args.n, rule=args.rule)
        metric = f"bleu_{args.n}"
    print(json.dumps({metric: value, "hypotheses": len(hypotheses), "rule": args.rule}) if args.json
          else f"{value:.6f}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from reproduction.experiments.status import markdown, sweep_status

    runs = Path(args.runs)
    if not runs.is_dir():
        raise UserError(f"--runs {runs}: no such directory; nothing has been trained there yet")
    rows = sweep_status(runs)
    print(json.dumps(rows, indent=2) if args.json else markdown(rows) if rows else f"no runs under {runs}")
    return 0


def cmd_rescore(args: argparse.Namespace) -> int:
    from reproduction.datasets.corpus import load_corpus
    from reproduction.experiments.real_world_table import rescore_run
    from reproduction.metrics.real_data import real_data_scores

    run = Path(args.run)
    try:
        dataset = json.loads((run / "run.json").read_text())["config"].get("dataset", "synthetic")
    except FileNotFoundError:
        raise UserError(f"{run}: no run.json; pass a directory written by `python -m reproduction train`") from None
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise UserError(f"{run / 'run.json'}: unreadable ({e})") from e
    if dataset == "synthetic":
        raise UserError(f"{run} is a synthetic run: it is scored by the oracle (`evaluate --run`), not by BLEU")
    options = {} if args.references is None else {"references": args.references}
    corpus = load_corpus(dataset, args.data_mirror, **options)
    rules = (args.rule,) if args.rule else BLEU_RULES
    scores = rescore_run(run, corpus, rules)  # Self-BLEU of as many samples as the probe holds (or all, if fewer)
    real = real_data_scores(corpus, rules, scores.self_bleu_sequences)
    if args.json:
        print(json.dumps({"run": str(run), "dataset": dataset, "rules": list(rules), "samples": scores.sequences,
                          "references": scores.references, "self_bleu_sequences": scores.self_bleu_sequences,
                          **scores.means, "real_data": {"sequences": real.sequences, **real.means}}))
    else:
        print(f"{run}: {scores.sequences:,} final samples of {dataset} against {scores.references:,} references "
              f"(Self-BLEU of the first {scores.self_bleu_sequences:,}); real data = the held-out probe")
        for key, value in scores.means.items():
            print(f"{key:<18} {value:.6f}   real data {real.means[key]:.6f}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    for name in ("repeats", "adv_repeats"):
        if getattr(args, name) < 1:
            raise UserError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    out = Path(args.out or ("results/bench_d_step.md" if args.d_step else "results/bench.md"))
    if out.suffix != ".md":
        raise UserError(f"--out {out}: the report is markdown; give a path ending in .md")
    from reproduction.io_utils import check_writable, write_text

    check_writable(out.parent)
    _quiet_tensorflow()
    from reproduction.bench import d_step, report, suite
    from reproduction.config import make_config

    cfg = make_config("seqgan", args.profile)
    if args.d_step:
        result = d_step.run(cfg, repeats=max(args.repeats, 5))
        text = d_step.markdown(result)
    else:
        result = suite.run(cfg, args.repeats, args.adv_repeats)
        text = report.markdown(result)
    write_text(out.with_suffix(".json"), json.dumps(result, indent=2) + "\n")
    write_text(out, text)
    print(text)
    return 0


COMMANDS = {"train": cmd_train, "evaluate": cmd_evaluate, "sample": cmd_sample, "reproduce": cmd_reproduce,
            "bleu": cmd_bleu, "rescore": cmd_rescore, "bench": cmd_bench, "status": cmd_status,
            "oracle-spread": cmd_oracle_spread}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("interrupted; rerun the same command to resume from the last checkpoint", file=sys.stderr)
        return 130

"""The command line's arguments: one subcommand per task, with the paper's values as defaults. Imports neither
numpy nor TensorFlow, so `--help` answers at once."""

from __future__ import annotations

import argparse

from reproduction.cli.text_benchmark import add_parser as add_benchmark_parser
from reproduction.config import (
    ADAM_IMPLEMENTATIONS,
    AUTHORS_ADAM_EPSILON,
    DATASETS,
    KERAS_ADAM_EPSILON,
    PRECISIONS,
    PROFILES,
    STRATEGIES,
    describe_profile,
)
from reproduction.variants import VARIANTS

BLEU_RULES = ("method1", "legacy")  # reproduction.metrics.bleu.BLEU_RULES, restated so --help needs no numpy
OPTIMIZERS = ("mle_adam", "pg_adam", "d_adam")  # reproduction.diagnostics.adam_epsilon.OPTIMIZERS, likewise


def _oracle_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--oracle", default="random",
                   help="random (seeded N(0,1) oracle, default), original (the authors' parameters), or a "
                        "parameter file (.pkl in the authors' layout or .npz)")
    p.add_argument("--oracle-seed", type=int, default=0, help="seed of the random oracle (default 0)")
    p.add_argument("--data-mirror", default=None,
                   help="read public data files from this folder instead of downloading "
                        "(or set SEQGAN_DATA_MIRROR)")


def _adam_args(p: argparse.ArgumentParser, scope: str) -> None:
    """--adam and --adam-epsilon (config.AdamOptions); `scope` ends the help of --adam."""
    p.add_argument("--adam", default="fused", choices=ADAM_IMPLEMENTATIONS,
                   help="Adam implementation: fused (default; one TensorFlow kernel per variable) or keras (Keras's "
                        "public apply_gradients; its sparse embedding update differs, see training/optimizers.py)"
                        + scope)
    p.add_argument("--adam-epsilon", type=float, default=KERAS_ADAM_EPSILON,
                   help=f"epsilon of every Adam (default {KERAS_ADAM_EPSILON:g}, Keras's, which every committed run "
                        f"used; the authors' TF1 code: {AUTHORS_ADAM_EPSILON:g}; the paper is silent)")


def _report_args(p: argparse.ArgumentParser) -> None:
    """--out and --json of a diagnostic that prints a Markdown table (cli/scoring.py `_report`)."""
    p.add_argument("--out", default=None, help="also write the Markdown to this file")
    p.add_argument("--json", action="store_true", help="machine-readable output (the rows, not the Markdown)")


def _run_diagnostic_args(p: argparse.ArgumentParser, run: str, sequences: str) -> None:
    """--run, --sequences, --data-mirror and the report options of a diagnostic read off one run's checkpoint."""
    p.add_argument("--run", required=True, help=f"{run} written by `train` or `reproduce`")
    p.add_argument("--sequences", type=int, default=1000, help=f"{sequences} (default 1000)")
    p.add_argument("--data-mirror", default=None, help="read the oracle's parameters from this folder (or set "
                                                       "SEQGAN_DATA_MIRROR)")
    _report_args(p)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reproduction",
        description="SeqGAN (Yu et al., AAAI 2017) reproduced in TensorFlow 2 / Keras: train, evaluate, sample, "
                    "reproduce, rescore, bench.")
    sub = parser.add_subparsers(dest="command", required=True)

    profiles_help = "; ".join(f"{p}: " + ("Texygen's models and schedule on COCO captions (--dataset coco only)"
                                          if p == "texygen" else ", ".join(describe_profile(p)) or
                                          "the authors' schedule") for p in PROFILES)
    t = sub.add_parser("train", help="train a generator on the synthetic oracle",
                       description="Train (or resume) a run. Rerunning the same command resumes it.")
    t.add_argument("--method", default="seqgan", choices=VARIANTS,
                   help="; ".join(f"{k}: {v.description}" for k, v in VARIANTS.items()).replace("%", "%%"))
    t.add_argument("--dataset", default="synthetic", choices=DATASETS,
                   help="synthetic (the oracle, default) or a real-world corpus (methods mle, seqgan and "
                        "self-imitation; evaluated by BLEU against its test split)")
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
    _adam_args(t, "")
    t.add_argument("--precision", default="float32", choices=PRECISIONS,
                   help="the discriminator's compute dtype: float32 (default, the paper's) or bfloat16 (opt-in: "
                        "float32 weights and loss, faster on CPUs with avx512_bf16 or AMX; see docs/speed.md)")
    t.add_argument("--out", default=None, help="run directory (default runs/METHOD-ORACLE-PROFILE-sSEED, with "
                                             "-strategy-S and -bfloat16 after METHOD when given)")
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
    _adam_args(r, "; every committed run was trained with the defaults but those of the one-seed random-oracle "
                  "Table 1 (keras). A run directory trained with other Adam options stops the sweep with an error, "
                  "and a record of other options is not restored but retrained and replaced: give new options their "
                  "own --runs and --results")
    r.add_argument("--strategies", nargs="*", default=list(STRATEGIES), choices=list(STRATEGIES),
                   help="Figure 3's SeqGAN training strategies to run on the authors' oracle (else the random one): "
                        "(c) and (d) on every seed, (a) and (b) on the first (default: all four; give none to skip "
                        "Figure 3)")
    r.add_argument("--datasets", nargs="*", default=list(DATASETS[1:]), choices=DATASETS[1:],
                   help="real-world corpora for MLE against SeqGAN: the paper's three and COCO captions, Texygen's "
                        "benchmark (default: all four; give none to skip them). Under --profile texygen only COCO "
                        "runs: the other experiments have no Texygen configuration")
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
                   help="train nothing and write nothing: list every run of this sweep (finished, restorable from "
                        "its record, in progress, not started) with the hours left, priced with the last `make "
                        "bench` (RESULTS/bench.json)")
    r.add_argument("--in-progress", action="store_true",
                   help="train nothing: draw Figure 2 of this sweep's runs as far as they have got (beside the "
                        "authors' run log on their oracle), and Figure 3 of its strategies' finished runs, into "
                        "RESULTS/synthetic/PROFILE/in_progress/, with the status table; for runs longer than a "
                        "session (removed when the finished results are published)")
    r.add_argument("--retrain", action="store_true",
                   help="ignore the records in RESULTS and train every run that is not finished in RUNS, including "
                        "those an earlier command restored there from their records (by default a run with a "
                        "matching record is restored from it, not trained)")
    r.add_argument("--train-only", action="store_true",
                   help="train (or resume) the runs and keep each finished run's record in RESULTS, but publish no "
                        "table or figure: for a sweep spread over sessions, a few runs at a time (a later "
                        "`reproduce` with every run publishes them without retraining)")

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
    _adam_args(o, ", as in `reproduce` (match the Table 1 run you compare with)")
    o.add_argument("--data-mirror", default=None, help="read public data files from this folder")
    o.add_argument("--runs", default="runs", help="where runs and checkpoints go (default runs/)")
    o.add_argument("--results", default="results", help="where results are published (default results/)")
    o.add_argument("--no-progress", action="store_true", help="no progress bars")

    c = sub.add_parser("precision-check", help="SeqGAN with a bfloat16 discriminator against float32, seed by seed: "
                                               "does the opt-in precision learn the same thing?",
                       description="Train (or restore from their records) Table 1's SeqGAN runs and their twins with "
                                   "--precision bfloat16 on the same seeds, then write RESULTS/synthetic/PROFILE/"
                                   "precision_check.md, .csv and .png: whether bfloat16's curves stay within "
                                   "float32's seed spread, the paired final difference, and each run's speed.")
    c.add_argument("--profile", default="quick", choices=PROFILES, help=profiles_help)
    c.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="training seeds (default 0 1 2)")
    c.add_argument("--oracle", default="original", choices=("original", "random"),
                   help="the authors' oracle (default) or the seeded random one")
    _adam_args(c, ", as in `reproduce` (the float32 runs are Table 1's)")
    c.add_argument("--data-mirror", default=None, help="read public data files from this folder")
    c.add_argument("--runs", default="runs", help="where runs and checkpoints go (default runs/)")
    c.add_argument("--results", default="results", help="where results and records go (default results/)")
    c.add_argument("--no-progress", action="store_true", help="no progress bars")

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

    a = sub.add_parser("adam-epsilon", help="how another Adam epsilon would change a run's next update, read from "
                                            "its checkpoint",
                       description="From a run's checkpoint (finished or still training), the norm of each Adam's "
                                   "next update under another epsilon over its norm under the run's own, per "
                                   "variable, with the percentiles of sqrt(v) it is compared with. The moments do "
                                   "not depend on epsilon, so this one-step comparison is exact.")
    a.add_argument("--run", required=True, help="a run directory written by `train`")
    a.add_argument("--epsilon", type=float, default=AUTHORS_ADAM_EPSILON,
                   help=f"the other epsilon (default {AUTHORS_ADAM_EPSILON:g}, the authors' TF1 code's)")
    a.add_argument("--optimizer", action="append", choices=OPTIMIZERS,
                   help="mle_adam, pg_adam (the generator's MLE and policy-gradient Adams) or d_adam "
                        "(the discriminator's); repeatable (default: every one the checkpoint holds)")
    _report_args(a)

    h = sub.add_parser("highway-health", help="how much of a SeqGAN run's discriminator highway layer is alive",
                       description="Shares of the discriminator's highway units whose ReLU transform is off (dead), "
                                   "whose gate is fully open or closed, and whose output is zero (silent) on every "
                                   "one of the run's training sequences: as initialised, after D pretraining (if "
                                   "the sweep's shared snapshot is beside the run) and at its latest checkpoint.")
    _run_diagnostic_args(h, "a SeqGAN run directory", "training sequences to look at")

    w = sub.add_parser("reward-signal", help="does a SeqGAN run's discriminator still reward what the oracle finds "
                                             "likely?",
                       description="For sequences sampled from the generator after pretraining (if the sweep's "
                                   "shared snapshots are beside the run) and at the run's latest checkpoint: the "
                                   "rank correlation between D's score of each and the oracle's log-likelihood, "
                                   "the mean D(Y) of samples and training data, and the samples' NLL-oracle.")
    _run_diagnostic_args(w, "a synthetic SeqGAN run directory", "sequences sampled per stage")

    u = sub.add_parser("update-size", help="does the generator's update depend on the reward's scale?",
                       description="From a SeqGAN run's state after pretraining (the sweep's shared snapshots beside "
                                   "the run), a few g-steps with SeqGAN's rewards, the constant control and constant "
                                   "rewards of several scales: the norm of each update and the mean reward. With "
                                   "--out, also a figure beside the Markdown (.png).")
    u.add_argument("--run", required=True, help="a synthetic SeqGAN run directory written by `reproduce`")
    u.add_argument("--steps", type=int, default=10, help="g-steps per reward (default 10)")
    u.add_argument("--data-mirror", default=None, help="read the oracle's parameters from this folder (or set "
                                                       "SEQGAN_DATA_MIRROR)")
    _report_args(u)

    add_benchmark_parser(sub)

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

"""The commands that score or use a trained model: `evaluate` (NLL-oracle, NLL-test), `sample`, `bleu`
(BLEU / Self-BLEU of token files), `rescore` (a finished real-data run's final samples), and three diagnostics
read from a run's checkpoint: `adam-epsilon` (what another Adam epsilon would change), `highway-health` (how
much of the discriminator's highway layer is alive) and `reward-signal` (whether D's reward still favours
what the oracle finds likely)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from reproduction import quiet_tensorflow
from reproduction.cli.parser import BLEU_RULES
from reproduction.errors import UserError


def check_temperature(t: float) -> None:
    if not 0.01 <= t <= 100.0:
        raise UserError(f"--temperature must be between 0.01 and 100, got {t}")


def cmd_evaluate(args: argparse.Namespace) -> int:
    if args.run:
        return _evaluate_run(args)
    from oracle.shape import LSTMShape
    from reproduction.io_utils import read_tokens

    shape = LSTMShape()
    seqs = read_tokens(Path(args.samples), shape.vocab_size, shape.seq_len)
    quiet_tensorflow()
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
    check_temperature(args.temperature)
    run = Path(args.run)
    if not (run / "run.json").is_file() or not (run / "checkpoint.npz").is_file():
        raise UserError(f"{run}: not a trained run (no run.json or checkpoint.npz); pass a directory written by "
                        "`python -m reproduction train`")
    from reproduction.run_log import run_config

    if run_config(run).dataset != "synthetic":
        raise UserError(f"{run} is a real-data run: it has no oracle; score its samples with `bleu`")
    quiet_tensorflow()
    from reproduction.training.temperature_curve import temperature_curve

    (t, nll_test, nll_oracle), = temperature_curve(run, (args.temperature,), args.data_mirror)
    result = {"nll_oracle": nll_oracle, "nll_test": nll_test, "temperature": t, "run": str(run)}
    print(json.dumps(result) if args.json else f"nll_oracle {nll_oracle:.6f}  nll_test {nll_test:.6f}  (T = {t:g})")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from reproduction.run_log import run_config

    run = Path(args.run)
    if args.n < 1:
        raise UserError(f"--n must be at least 1, got {args.n}")
    check_temperature(args.temperature)
    cfg = run_config(run)
    decode = None  # real corpora: samples are written as text unless --ids
    if cfg.dataset != "synthetic" and not args.ids:
        from reproduction.datasets.registry import load_corpus

        corpus = load_corpus(cfg.dataset, args.data_mirror)
        if corpus.vocab_size != cfg.shape.vocab_size:
            raise UserError(f"{run} was trained on a {cfg.dataset} vocabulary of {cfg.shape.vocab_size}, but the "
                            f"corpus now has {corpus.vocab_size}; pass --ids to write token ids instead")
        decode = corpus.decode
    quiet_tensorflow()
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


def cmd_rescore(args: argparse.Namespace) -> int:
    from reproduction.datasets.registry import load_corpus
    from reproduction.metrics.real_data import real_data_scores
    from reproduction.publications.real_world_table import rescore_run
    from reproduction.run_log import fields_of, read_run_json

    run = Path(args.run)
    if not (run / "run.json").exists():
        raise UserError(f"{run}: no run.json; pass a directory written by `python -m reproduction train`")
    with fields_of(run / "run.json"):
        dataset = read_run_json(run / "run.json")["config"].get("dataset", "synthetic")
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


def cmd_adam_epsilon(args: argparse.Namespace) -> int:
    quiet_tensorflow()
    from dataclasses import asdict

    from reproduction.diagnostics.adam_epsilon import epsilon_effects

    effects = epsilon_effects(Path(args.run), args.epsilon, args.optimizer)
    return _report("\n".join(e.markdown() for e in effects), [asdict(e) for e in effects], args)


def cmd_highway_health(args: argparse.Namespace) -> int:
    quiet_tensorflow()
    from dataclasses import asdict

    from reproduction.diagnostics.highway_health import highway_health, markdown

    health = highway_health(Path(args.run), args.sequences, args.data_mirror)
    return _report(markdown(Path(args.run), health, args.sequences), [asdict(h) for h in health], args)


def cmd_reward_signal(args: argparse.Namespace) -> int:
    quiet_tensorflow()
    from dataclasses import asdict

    from reproduction.diagnostics.reward_signal import markdown, reward_signal

    signals = reward_signal(Path(args.run), args.sequences, args.data_mirror)
    return _report(markdown(Path(args.run), signals, args.sequences), [asdict(s) for s in signals], args)


def cmd_update_size(args: argparse.Namespace) -> int:
    quiet_tensorflow()
    from dataclasses import asdict

    from reproduction.diagnostics.update_size import markdown, plot, update_sizes

    run = Path(args.run)
    cfg, traces = update_sizes(run, args.steps, mirror=args.data_mirror)
    figure = None
    if args.out:
        figure = Path(args.out).with_suffix(".png")
        plot(traces, figure, f"Generator update norm per g-step, {run.name} after pretraining")
    rows = [{k: v for k, v in asdict(t).items() if k != "first_update"} for t in traces]
    return _report(markdown(run, cfg, traces, figure.name if figure else None), rows, args)


def _report(text: str, rows: list[dict], args: argparse.Namespace) -> int:
    """Print a diagnostic's Markdown (or, with --json, its rows); with --out also write the Markdown."""
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    print(json.dumps(rows) if args.json else text.rstrip("\n"))
    return 0

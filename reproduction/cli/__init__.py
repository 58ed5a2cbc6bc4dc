"""The command line (`python -m reproduction`, or the `seqgan` script): the arguments (parser.py), the commands
that train (training.py), those that score or use a trained model (scoring.py), the speed benchmark (bench.py)
and the real-text benchmark of text samples (text_benchmark.py).
TensorFlow is imported only by the commands that need it, so `--help` answers at once. A user mistake exits
with status 2 and one message, never a traceback."""

from __future__ import annotations

import sys

from reproduction.cli.bench import cmd_bench
from reproduction.cli.parser import BLEU_RULES, build_parser
from reproduction.cli.scoring import (
    cmd_adam_epsilon,
    cmd_bleu,
    cmd_evaluate,
    cmd_highway_health,
    cmd_rescore,
    cmd_reward_signal,
    cmd_sample,
    cmd_update_size,
)
from reproduction.cli.text_benchmark import cmd_benchmark
from reproduction.cli.training import cmd_oracle_spread, cmd_precision_check, cmd_reproduce, cmd_status, cmd_train
from reproduction.errors import UserError

__all__ = ["BLEU_RULES", "build_parser", "main"]

COMMANDS = {"train": cmd_train, "evaluate": cmd_evaluate, "sample": cmd_sample, "reproduce": cmd_reproduce,
            "bleu": cmd_bleu, "rescore": cmd_rescore, "bench": cmd_bench, "status": cmd_status,
            "oracle-spread": cmd_oracle_spread, "adam-epsilon": cmd_adam_epsilon,
            "highway-health": cmd_highway_health, "reward-signal": cmd_reward_signal, "benchmark": cmd_benchmark,
            "update-size": cmd_update_size, "precision-check": cmd_precision_check}


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

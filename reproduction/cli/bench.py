"""`bench`: each hot path timed against a reference implementation and the machine's floor."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from reproduction import quiet_tensorflow
from reproduction.errors import UserError


def cmd_bench(args: argparse.Namespace) -> int:
    for name in ("repeats", "adv_repeats"):
        if getattr(args, name) < 1:
            raise UserError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    out = Path(args.out or ("results/bench_d_step.md" if args.d_step else "results/bench.md"))
    if out.suffix != ".md":
        raise UserError(f"--out {out}: the report is markdown; give a path ending in .md")
    from reproduction.io_utils import check_writable, write_text

    check_writable(out.parent)
    quiet_tensorflow()
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

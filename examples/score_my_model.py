"""Score your generator's samples against the authors' oracle and print them beside our Table 1.

    pip install .                                   # or, in a checkout: PYTHONPATH=. python examples/...
    python examples/score_my_model.py my_samples.txt
    python examples/score_my_model.py my_samples.txt --model runs/mle-original-quick-s0/generator.keras

my_samples.txt: token ids in [0, 5000), one sequence of 20 per line (use 10,000 samples, as Table 1 does).
NLL-oracle is the oracle's mean per-token NLL of your samples (lower: the samples look more like the oracle's).
NLL-test needs the model itself (one of ours: a run directory or its generator.keras): its NLL of 10,000
held-out oracle samples (lower: it covers more of the oracle's distribution).
"""

import argparse
import csv
import math
import sys
from pathlib import Path

from reproduction import api
from reproduction.errors import UserError

RESULTS = Path(__file__).resolve().parents[1] / "results" / "synthetic" / "quick"


def num(x: str | float | None, width: int) -> str:
    """A number to 3 decimals, or blanks for a missing one."""
    value = math.nan if x in (None, "") else float(x)
    return " " * width if math.isnan(value) else f"{value:{width}.3f}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("samples", help="token file: ids in [0, 5000), one sequence of 20 per line")
    p.add_argument("--model", help="for NLL-test: a run directory or a generator .keras file")
    p.add_argument("--oracle", default="original", help="original (default), random, or a parameter file")
    p.add_argument("--data-mirror", help="folder holding seqgan_original/target_params_py3.pkl (else downloaded)")
    p.add_argument("--table", type=Path, help=f"our Table 1 CSV (default {RESULTS}/table1_ORACLE.csv)")
    args = p.parse_args()
    table = args.table or RESULTS / f"table1_{args.oracle}.csv"

    oracle = api.load_oracle(args.oracle, mirror=args.data_mirror)
    nll_oracle = api.nll_oracle(oracle, args.samples)
    nll_test = api.nll_test(api.load_generator(args.model), api.heldout_data(oracle)) if args.model else None

    print(f"{'NLL-oracle (lower is better)':40} {'paper':>7} {'best':>7} {'final':>7} {'NLL-test':>8}")
    if table.is_file():
        with open(table, newline="") as f:
            for r in csv.DictReader(f):  # the label column is `row` (older tables: `method`)
                print(f"{r.get('row') or r['method']:40} {num(r.get('paper'), 7)} {num(r['best_mean'], 7)} "
                      f"{num(r['final_mean'], 7)} {num(r['nll_test_mean'], 8)}")
    else:
        print(f"(no table of ours at {table}; pass --table)")
    print(f"{'yours: ' + Path(args.samples).name:40} {'':7} {'':7} {num(nll_oracle, 7)} {num(nll_test, 8)}")


if __name__ == "__main__":
    try:
        main()
    except UserError as e:
        sys.exit(f"error: {e}")

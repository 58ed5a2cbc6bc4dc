"""`python -m reproduction benchmark`: score a file of text samples on the real-text benchmark (COCO captions as
Texygen scored them, EMNLP News, or the project's poems and Obama splits) under the `texygen` or `corrected`
protocol, beside the published rows and ours (issue 43; reproduction/text_benchmark.py, docs/benchmark.md).
Its arguments are declared here (`add_parser`) without importing numpy, so `--help` stays instant."""

from __future__ import annotations

import argparse
import json

CORPORA = ("coco", "emnlp_news", "poems", "obama")  # datasets/benchmark_view.CORPORA, restated so --help needs no numpy
PROTOCOLS = ("texygen", "corrected")  # metrics.benchmark_protocols.PROTOCOLS, likewise


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "benchmark", help="score a file of text samples on COCO (Texygen's benchmark), EMNLP News, poems or Obama",
        description="Score a file of samples (one sentence per line, tokenised like the corpus) by BLEU-2..5 "
                    "against the corpus's test sentences and Self-BLEU-2..5, and by NLL-test when a generator is "
                    "given, beside the published rows (COCO: Texygen's SeqGAN and MLE) and the project's own rows "
                    "when they exist (results/CORPUS/PROFILE/benchmark.json). Protocol texygen: exactly what "
                    "produced Texygen's published numbers; corrected: held-out references, a real-data row, "
                    "Self-BLEU over one count for samples and real data, NLL-test on held-out sentences.")
    # no argparse choices for --corpus and --protocol: a wrong value gets one line and exit status 2 (UserError)
    p.add_argument("--corpus", default="coco", help=f"one of {', '.join(CORPORA)} (default coco); emnlp_news has no "
                                                    "training file here: BLEU and Self-BLEU only, no baseline rows")
    p.add_argument("--samples", required=True, help="UTF-8 text file, one sample per line")
    p.add_argument("--protocol", default="texygen", help=f"one of {', '.join(PROTOCOLS)} (default texygen)")
    p.add_argument("--generator", default=None,
                   help="a run directory or generator .keras file trained on the project's corpus: adds NLL-test")
    p.add_argument("--plot", default=None, help="also draw BLEU-5 against Self-BLEU-5 into this PNG")
    p.add_argument("--results", default="results", help="where the project's results are (default results/)")
    p.add_argument("--data-mirror", default=None,
                   help="read the corpus files from this folder instead of downloading (or set SEQGAN_DATA_MIRROR)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def cmd_benchmark(args: argparse.Namespace) -> int:
    from reproduction.publications.text_benchmark import benchmark, markdown

    result = benchmark(args.samples, args.corpus, args.protocol, generator=args.generator, results=args.results,
                       mirror=args.data_mirror, plot=args.plot)
    print(json.dumps(result) if args.json else markdown(result).rstrip("\n"))
    return 0

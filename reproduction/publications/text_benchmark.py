"""Score a file of text samples on the real-text benchmark, beside the published rows and ours: the library side of
`python -m reproduction benchmark` and of `reproduction.api.benchmark` (issue 43; docs/benchmark.md).

`benchmark(samples, corpus, protocol, ...)` reads a UTF-8 file with one sample per line, tokenises each line like
the corpus (COCO and EMNLP News: Texygen's tokenisation, datasets/texygen_text.py; poems: characters; Obama:
whitespace-separated tokens, as `python -m reproduction sample` writes them), and scores it under one protocol of
metrics/benchmark_protocols.py: BLEU-2..5 and Self-BLEU-2..5, plus NLL-test when a generator (a run directory or
a generator .keras file trained on the project's corpus) is given. The result is a dict (what `--json` prints)
holding the samples' row, the real-data row (`corrected`), the published rows (metrics/published_benchmarks.py;
COCO only) and the project's own rows when they exist: results/<corpus>/<profile>/benchmark.json
(PROJECT_TABLE; `write_project_table` is its writer). When there is none, the result says so and shows no
number in its place. Where MLE's temperature curve is published (results/<corpus>/<profile>/frontier.csv), the
result also says how far the samples stand from cooled MLE at their Self-BLEU-5 (`against_cooled_mle`).
`markdown` renders the dict; `plot_plane` draws BLEU-5 against Self-BLEU-5 (the plane of Caccia et al.,
"Language GANs Falling Short", ICLR 2020), with those curves.

Corpora: coco (Texygen's 10,000 training and 10,000 test captions: datasets/coco.py), emnlp_news (its 10,000
test sentences only, for BLEU and Self-BLEU: datasets/emnlp_news.py), poems and obama (the project's splits: the
`texygen` protocol's references are all held-out sequences, the `corrected` protocol's the references beside the
real-data probe, datasets/corpus.py). A bad input (a missing, empty or non-UTF-8 file, one sample, a line longer
than the sequence length, an unknown corpus or protocol) is a UserError with one line saying what is wrong.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from reproduction.datasets.benchmark_view import BenchmarkData, Sentence, check_corpus, load_data
from reproduction.errors import UserError
from reproduction.io_utils import atomic_write, read_text
from reproduction.metrics import benchmark_protocols as protocols
from reproduction.metrics.published_benchmarks import published_rows
from reproduction.publications.real_world_table import own_order
from reproduction.publications.text_frontier import cooled_mle, read_frontier

PROJECT_TABLE = "benchmark.json"  # results/<corpus>/<profile>/PROJECT_TABLE: the project's own rows


# --- the samples file ---------------------------------------------------------------------------------------------

def read_samples(path: str | Path, data: BenchmarkData) -> tuple[list[Sentence], int]:
    """The samples of a file, one per line, tokenised like the corpus, and how many lines are empty (an empty line
    is an empty sample, scoring 0 as in Texygen and nltk). UserError for a missing, empty or non-UTF-8 file, a
    single sample, or a line longer than the corpus's sequence length."""
    from reproduction.datasets.texygen_text import split_lines

    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path} is a directory; pass a text file of samples, one per line")
    lines = split_lines(read_text(path).removeprefix("\ufeff"))
    if not any(line.strip() for line in lines):
        raise UserError(f"{path}: no samples (the file is empty); expected one sample per line")
    samples = []
    for lineno, line in enumerate(lines, start=1):
        tokens = data.tokenize(line) if line.strip() else []
        if len(tokens) > data.seq_len:
            raise UserError(f"{path}:{lineno}: {len(tokens)} tokens, more than the {data.name} sequence length "
                            f"{data.seq_len} (one sample per line, tokenised like the corpus)")
        samples.append(tokens)
    if len(samples) < 2:
        raise UserError(f"{path}: only {len(samples)} sample; the benchmark needs at least 2 (Self-BLEU compares "
                        "each sample with the others)")
    return samples, sum(not s for s in samples)


# --- the project's own rows --------------------------------------------------------------------------------------

def write_project_table(path: Path, corpus: str, profile: str, rows: list[dict[str, Any]]) -> None:
    """Write the project's rows of one profile (results/<corpus>/<profile>/benchmark.json): each a dict with
    `label`, `protocol`, `seeds` and the columns of `Row.as_dict` (means across seeds), as `project_rows` reads
    them. The COCO runs of issue 43 publish through it."""
    for row in rows:
        protocols.check_protocol(row.get("protocol", ""))
    payload = {"corpus": corpus, "profile": profile, "rows": rows}
    atomic_write(Path(path), lambda p: p.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8"))


def project_rows(results: str | Path, corpus: str, protocol: str) -> tuple[list[dict[str, Any]], str]:
    """The project's rows of `corpus` under `protocol` from every results/<corpus>/<profile>/benchmark.json, and a
    note: where they come from, or that there are none yet (never a made-up number)."""
    root = Path(results) / corpus
    tables = sorted(root.glob(f"*/{PROJECT_TABLE}")) if root.is_dir() else []
    if not tables:
        return [], (f"Our {corpus} rows: not yet trained (no {root}/<profile>/{PROJECT_TABLE}); no number is shown "
                    "in their place.")
    rows, unreadable = [], []
    for table in tables:
        try:
            payload = json.loads(table.read_text(encoding="utf-8"))
            found = [dict(r, label=str(r["label"]), profile=payload.get("profile", table.parent.name))
                     for r in payload["rows"] if r["protocol"] == protocol]
        except (OSError, ValueError, KeyError, TypeError):
            unreadable.append(str(table))
            continue
        rows += found
    note = f"Our {corpus} rows: from {', '.join(str(t) for t in tables if str(t) not in unreadable)}."
    if not rows:
        note = f"Our {corpus} rows: none under the {protocol} protocol in {', '.join(map(str, tables))}."
    if unreadable:
        note += f" Unreadable, skipped: {', '.join(unreadable)}."
    return rows, note


# --- the benchmark -----------------------------------------------------------------------------------------------

def benchmark(samples: str | Path, corpus: str = "coco", protocol: str = "texygen", *,
              generator: str | Path | None = None, results: str | Path = "results",
              mirror: str | Path | None = None, plot: str | Path | None = None) -> dict[str, Any]:
    """Score the samples file on `corpus` under `protocol` (module docstring); with `plot`, also write the
    BLEU-5 / Self-BLEU-5 plane as a PNG there. Returns the result dict (`markdown` renders it)."""
    check_corpus(corpus)
    protocols.check_protocol(protocol)
    data = load_data(corpus, mirror)
    if generator is not None and data.no_nll:
        raise UserError(f"--generator: {data.no_nll}")
    sentences, empty = read_samples(samples, data)
    real = None
    if protocol == "texygen":
        row = protocols.score_texygen(sentences, data.texygen_references, "your samples")
    else:
        row, real = protocols.score_corrected(sentences, data.corrected_references, data.probe, "your samples",
                                              data.probe_label)
    if generator is not None:
        row = row.with_nll(*_nll(generator, data, protocol))
    if data.no_nll:  # no training file: nothing of ours can have been trained on this corpus
        ours, note = [], f"Our {corpus} rows: none; there is no training file to train on."
    else:
        ours, note = project_rows(results, corpus, protocol)
    result: dict[str, Any] = {
        "corpus": corpus, "description": data.description, "protocol": protocol, "samples_file": str(samples),
        "empty_samples": empty, "generator": None if generator is None else str(generator),
        "row": row.as_dict(), "real_data": None if real is None else real.as_dict(),
        "published": [{"label": f"{p.model}, published", "protocol": p.protocol, "source": p.source,
                       **{f"bleu{n}": v for n, v in p.bleu.items()},
                       **{f"self_bleu{n}": v for n, v in p.self_bleu.items()}, "nll_test": p.nll_gen}
                      for p in published_rows(corpus)],
        "project": ours, "project_note": note, "notes": list(data.notes),
        "nll_note": _nll_note(data, protocol, generator is not None)}
    result["cooled_mle"] = against_cooled_mle(results, corpus, protocol, result["row"], ours)
    if plot is not None:
        plot_plane(result, Path(plot))
        result["plot"] = str(plot)
    return result


def against_cooled_mle(results: str | Path, corpus: str, protocol: str, row: dict[str, Any],
                       project: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The samples against each published MLE temperature curve of `corpus` (results/<corpus>/<profile>/
    frontier.csv), in BLEU-5 and, for poems and Obama, in the paper's own order too (BLEU-2, BLEU-3): the curve
    (T, BLEU-n, Self-BLEU-n, for the plot) and, at the samples' Self-BLEU-n, the temperature and BLEU-n of cooled
    MLE (None outside the curve) and the samples' BLEU-n minus it. Self-BLEU grows with the number of samples, so
    where the samples' Self-BLEU count is not the curve's (that profile's rows in `project`), there is no
    comparison, only a note saying how many samples to score."""
    root = Path(results) / corpus
    orders = [5] + ([] if own_order(corpus) is None else [own_order(corpus)])
    found = []
    for path in sorted(root.glob("*/frontier.csv")) if root.is_dir() else []:
        curve = read_frontier(path)
        profile = path.parent.name
        if curve is None or any(f"{protocol}_bleu{n}" not in curve[0] for n in orders):
            found.append({"profile": profile, "file": str(path), "unreadable": True})
            continue
        count = next((r.get("self_bleu_sentences") for r in project if r.get("profile") == profile), None)
        for n in orders:
            entry: dict[str, Any] = {
                "profile": profile, "file": str(path), "order": n, "self_bleu_sentences": count, "temperature": None,
                "bleu": None, "difference": None,
                "curve": [(r["temperature"], r[f"{protocol}_bleu{n}"], r[f"{protocol}_self_bleu{n}"]) for r in curve]}
            if count is None or count == row["self_bleu_sentences"]:
                at = cooled_mle(curve, protocol, row[f"self_bleu{n}"], n)
                if at is not None:
                    entry.update(temperature=at[0], bleu=at[1], difference=row[f"bleu{n}"] - at[1])
            found.append(entry)
    return found


def _cooled_lines(result: dict[str, Any]) -> list[str]:
    row = result["row"]
    if not result["cooled_mle"]:
        return [f"Against cooled MLE: no MLE temperature curve of {result['corpus']} is published (results/"
                f"{result['corpus']}/<profile>/frontier.csv), so there is no frontier to set the samples against."]
    lines = []
    for c in result["cooled_mle"]:
        if c.get("unreadable"):
            lines.append(f"Against cooled MLE, profile {c['profile']}: {c['file']} is damaged or lacks this "
                         "protocol's columns; skipped (republish it with `make reproduce`).")
            continue
        n, count = c["order"], c["self_bleu_sentences"]
        where = f"MLE's temperature curve of profile {c['profile']} ({c['file']}), BLEU-{n}"
        temperatures = [t for t, _, _ in c["curve"]]
        if count is not None and count != row["self_bleu_sentences"]:
            lines.append(f"Against cooled MLE, {where}: not compared; your Self-BLEU is over "
                         f"{row['self_bleu_sentences']:,} samples, the curve's over {count:,}, and Self-BLEU grows "
                         f"with the number of samples: score {count:,} samples to set them against it.")
        elif c["temperature"] is None:
            lines.append(f"Against cooled MLE, {where}: your Self-BLEU-{n} {row[f'self_bleu{n}']:.4f} lies outside "
                         f"the curve (T = {min(temperatures):g} to {max(temperatures):g}).")
        else:
            lines.append(f"Against cooled MLE, {where}: at your Self-BLEU-{n} ({row[f'self_bleu{n}']:.4f}), MLE "
                         f"sampled at T = {c['temperature']:.2f} reaches BLEU-{n} {c['bleu']:.4f}; your samples "
                         f"{c['difference']:+.4f} ({'above' if c['difference'] > 0 else 'not above'} the curve: a "
                         "model above it has learned more than a temperature).")
    return lines


def _nll(generator: str | Path, data: BenchmarkData, protocol: str) -> tuple[float, int]:
    from reproduction import quiet_tensorflow

    quiet_tensorflow()  # (before importing anything that imports TensorFlow)
    from reproduction.training.export import load_network

    network = load_network(Path(generator))
    shape = network.spec
    if (shape.vocab_size, shape.seq_len) != (data.vocab_size, data.seq_len):
        raise UserError(f"{generator}: a generator of vocabulary {shape.vocab_size} and length {shape.seq_len}, but "
                        f"the {data.name} corpus has {data.vocab_size} and {data.seq_len}; pass a generator trained "
                        f"on the project's {data.name} corpus")
    if protocol == "texygen":
        return protocols.nll_texygen(network, data.train_ids)
    return protocols.nll_heldout(network, data.heldout_ids, data.end_token)


def _nll_note(data: BenchmarkData, protocol: str, given: bool) -> str:
    if data.no_nll:
        return "NLL-test: none (" + data.no_nll + ")."
    if not given:
        return "NLL-test: not computed (pass --generator RUN_DIR or a generator .keras file)."
    if protocol == "texygen":
        return ("NLL-test (texygen): the generator's mean per-position NLL of the training sequences, padding "
                f"included, over whole batches of {protocols.TEXYGEN_BATCH} (Texygen's nll-test, RelGAN's NLL-gen).")
    return ("NLL-test (corrected): the generator's NLL per token of held-out sequences, up to and including the "
            "first end token.")


# --- rendering -----------------------------------------------------------------------------------------------------

COLUMNS = [f"bleu{n}" for n in protocols.ORDERS] + [f"self_bleu{n}" for n in protocols.ORDERS] + ["nll_test"]
HEADERS = [f"BLEU-{n}" for n in protocols.ORDERS] + [f"Self-BLEU-{n}" for n in protocols.ORDERS] + ["NLL-test"]


def _cell(value: Any, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:.{digits}f}"


def _project_label(row: dict[str, Any]) -> str:
    """One of our rows as the table names it: method, profile, seeds, and the Self-BLEU count where it was kept."""
    seeds = row.get("seeds", "?")
    count = row.get("self_bleu_sentences")
    return (f"{row['label']} ({row.get('profile', '')}, {seeds} seed{'' if seeds == 1 else 's'}"
            + (f"; Self-BLEU over {count:,}" if isinstance(count, int) else "") + ")")


def markdown(result: dict[str, Any]) -> str:
    """The result as text: what was scored and how, then one table of rows."""
    row, real = result["row"], result["real_data"]
    protocol = result["protocol"]
    lines = [f"# benchmark: {result['samples_file']} on {result['corpus']}, protocol `{protocol}`", "",
             f"Corpus: {result['description']}.", ""]
    if protocol == "texygen":
        lines.append(f"BLEU-n (n = 2..5): each of the {row['sentences']:,} samples against all "
                     f"{row['references']:,} test sentences (nltk sentence_bleu, weights 1/n, smoothing method1). "
                     f"Self-BLEU-n: each of the {row['self_bleu_sentences']:,} samples against all the others. "
                     "This is what produced Texygen's published numbers (docs/benchmark.md).")
    else:
        lines.append(f"BLEU-n (n = 2..5): each of the {row['sentences']:,} samples against {row['references']:,} "
                     f"held-out references; {real['label']}: {real['sentences']:,} real sentences, never "
                     f"references, scored the same way. Self-BLEU-n: each of the first "
                     f"{row['self_bleu_sentences']:,} samples against the others, and each of as many real "
                     "sentences against the others (one count for both).")
    if result["empty_samples"]:
        lines.append(f"{result['empty_samples']:,} empty line(s) scored as empty samples (BLEU 0, as in Texygen).")
    lines += [result["nll_note"], ""]
    lines += ["| row | " + " | ".join(HEADERS) + " |", "|---|" + "---|" * len(HEADERS)]
    table = [(row, 4)] + ([(real, 4)] if real else [])
    table += [(dict(r, label=_project_label(r)), 4)
              for r in result["project"]]
    table += [(p, 3) for p in result["published"]]
    for r, digits in table:
        lines.append(f"| {r['label']} | " + " | ".join(_cell(r.get(c), digits) for c in COLUMNS) + " |")
    lines.append("")
    if result["published"]:
        lines.append("Published rows: " + result["published"][0]["source"] + "; computed under the texygen "
                     "protocol (BLEU against all 10,000 test captions, Self-BLEU over all of some 10,000 samples: "
                     "9,984 in Texygen's published sample files; NLL-gen of the training captions)"
                     + ("." if protocol == "texygen" else
                        f", where this protocol has {row['references']:,} references, Self-BLEU over "
                        f"{row['self_bleu_sentences']:,} and NLL-test of held-out captions."))
    lines.append(result["project_note"])
    lines += _cooled_lines(result)
    lines += result["notes"]
    if result.get("plot"):
        lines.append(f"Plane of BLEU-5 against Self-BLEU-5: {result['plot']}")
    return "\n".join(lines) + "\n"


def plot_plane(result: dict[str, Any], path: Path) -> None:
    """BLEU-5 (x; higher: closer to the references) against Self-BLEU-5 (y; lower: more diverse): the samples,
    real data (corrected), our rows, MLE's published temperature curves (the frontier) and, under the texygen
    protocol, the published rows."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = [(result["row"], "*", "tab:red")]
    if result["real_data"]:
        points.append((result["real_data"], "^", "tab:green"))
    points += [(dict(r, label=f"{r['label']} ({r.get('profile', '')})"), "s", c) for r, c in zip(
        result["project"], ("tab:blue", "tab:cyan", "tab:purple", "tab:pink", "tab:olive", "tab:brown"), strict=False)]
    if result["protocol"] == "texygen":  # the published rows were computed under it, not under `corrected`
        points += [(p, "o", c) for p, c in zip(result["published"], ("tab:orange", "tab:gray"), strict=False)]
    fig, ax = plt.subplots(figsize=(8.4, 4.6))
    curves = [c for c in result.get("cooled_mle", []) if c.get("order") == 5]
    for c, color in zip(curves, ("tab:blue", "tab:cyan", "tab:purple"), strict=False):
        ax.plot([x for _, x, _ in c["curve"]], [y for _, _, y in c["curve"]], "-", lw=1, color=color, alpha=0.7,
                label=f"MLE ({c['profile']}) at temperature T")
        for t, x, y in c["curve"]:
            ax.annotate(f"{t:g}", (x, y), textcoords="offset points", xytext=(2, -8), fontsize=6, color=color)
    for r, marker, color in points:
        ax.scatter([r["bleu5"]], [r["self_bleu5"]], marker=marker, s=80 if marker == "*" else 40, color=color,
                   label=r["label"])
        ax.annotate(r["label"], (r["bleu5"], r["self_bleu5"]), textcoords="offset points", xytext=(5, 4), fontsize=7)
    ax.set_xlabel("BLEU-5 against the test references (higher: closer)")
    ax.set_ylabel("Self-BLEU-5 (lower: more diverse)")
    ax.set_title(f"{result['corpus']}, protocol {result['protocol']}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    fig.tight_layout()

    def write(p: Path) -> None:
        fig.savefig(p, format="png", dpi=120)

    try:
        atomic_write(path, write)
    finally:
        plt.close(fig)

"""A generator's temperature curve: its final generator sampled at temperatures T (softmax(logits / T)),
each point (T, NLL-test, NLL-oracle). Below T = 1 it trades coverage (NLL-test, the model's NLL of held-out
data at the same temperature) for quality (NLL-oracle, the oracle's NLL of its samples): the curve a method
must beat to have learned more than a cooled MLE (Caccia et al., ICLR 2020; publications/frontier.py draws it).

On real text (COCO, poems, Obama; issue 43) the quality and diversity sides are the benchmark's
(metrics/benchmark_protocols.py, datasets/benchmark_view.py): at each T, BLEU-2..5 and Self-BLEU-2..5 of
fresh samples under both protocols, and the NLL-test of each protocol at the same temperature (`text_curve`;
Caccia et al.'s plane is BLEU-5 against Self-BLEU-5). Temperatures reach above 1 there, where sampling gains
diversity.

Computed once per finished run from its checkpoint and kept in the run directory (TEMPERATURES_FILE), so a
run's record carries it and a later frontier needs no checkpoint (sweeps/records.py; `keep_curve`).
"""

from __future__ import annotations

from pathlib import Path

from reproduction.errors import UserError
from reproduction.io_utils import write_text
from reproduction.run_log import csv_text, read_rows, run_config
from reproduction.seeding import derive

TEMPERATURES = (0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3)
TEXT_TEMPERATURES = (0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.5)
TEXT_CORPORA = ("coco", "poems", "obama")  # the corpora a text curve is computed on (datasets/benchmark_view.py)
TEMPERATURES_FILE = "temperatures.csv"  # in the run directory
CURVE_FIELDS = ("temperature", "nll_test", "nll_oracle")

Curve = list[tuple[float, float, float]]


def temperature_curve(run: Path, temperatures: tuple[float, ...] = TEMPERATURES,
                      mirror: str | Path | None = None) -> Curve:
    """[(T, NLL-test, NLL-oracle)] of the final generator of `run` sampled at each temperature."""
    # (the models load here, not with the module: reading a kept curve, as records and tables do, needs no TensorFlow)
    from oracle.network import sample_many, sequence_nll
    from reproduction.training.components import load_data

    cfg = run_config(run)
    _, held_out, oracle, _ = load_data(cfg, mirror)
    generator = _final_generator(run)
    points = []
    for k, t in enumerate(temperatures):
        samples = sample_many(generator, cfg.schedule.eval_samples, derive(cfg.seed, "frontier", k), temperature=t)
        points.append((t, float(sequence_nll(generator, held_out, temperature=t).mean()),
                       float(oracle.sequence_nll(samples).mean())))
    return points


def read_curve(run: Path) -> Curve | None:
    """The curve kept in `run` (None if it has none at TEMPERATURES): reads a file, loads no model."""
    rows = read_rows(Path(run) / TEMPERATURES_FILE)
    if [float(r["temperature"]) for r in rows] != list(TEMPERATURES):
        return None
    return [(float(r["temperature"]), float(r["nll_test"]), float(r["nll_oracle"])) for r in rows]


def run_curve(run: Path, mirror: str | Path | None = None) -> Curve:
    """`temperature_curve(run)` at TEMPERATURES, computed once per run and kept in the run directory (a run
    restored from its record has only this file, no generator)."""
    curve = read_curve(run)
    if curve is None:
        points = temperature_curve(Path(run), mirror=mirror)
        write_text(Path(run) / TEMPERATURES_FILE,
                   csv_text([dict(zip(CURVE_FIELDS, p, strict=True)) for p in points], CURVE_FIELDS))
        curve = read_curve(run)
        assert curve is not None
    return curve


def _final_generator(run: Path):  # -> LSTMPolicy, loaded from the run's checkpoint
    from reproduction.models.generator import LSTMPolicy
    from reproduction.training import checkpoint

    generator = LSTMPolicy(run_config(run).shape)
    checkpoint.load_model(Path(run) / "checkpoint.npz", "generator", generator)
    return generator


def text_fields() -> tuple[str, ...]:
    """The columns of a real-text curve: the temperature, each protocol's BLEU-n and Self-BLEU-n, and the NLL-test
    of each protocol (`nll_test`: held-out sentences per token; `nll_texygen`: Texygen's, of the training file)."""
    from reproduction.metrics.benchmark_protocols import ORDERS, PROTOCOLS

    scores = [f"{p}_{m}{n}" for p in PROTOCOLS for m in ("bleu", "self_bleu") for n in ORDERS]
    return ("temperature", *scores, "nll_test", "nll_texygen")


def text_curve(run: Path, temperatures: tuple[float, ...] | None = None,
               mirror: str | Path | None = None) -> list[dict[str, float]]:
    """One row (`text_fields`) per temperature (default TEXT_TEMPERATURES) for the final generator of a real-text
    run: its samples at T scored under both benchmark protocols, and both NLL-tests at T."""
    from oracle.network import sample_many
    from reproduction.datasets.benchmark_view import load_data as benchmark_data
    from reproduction.metrics import benchmark_protocols as protocols

    cfg = run_config(run)
    data = benchmark_data(cfg.dataset, mirror)
    generator = _final_generator(run)
    rows = []
    for k, t in enumerate(TEXT_TEMPERATURES if temperatures is None else temperatures):
        samples = sample_many(generator, cfg.schedule.eval_samples, derive(cfg.seed, "frontier", k), temperature=t)
        sentences = data.sentences(samples)
        scored = {"texygen": protocols.score_texygen(sentences, data.texygen_references),
                  "corrected": protocols.corrected_samples_row(sentences, data.corrected_references, len(data.probe))}
        row = {"temperature": t}
        for name, r in scored.items():
            row.update({f"{name}_bleu{n}": r.bleu[n] for n in protocols.ORDERS})
            row.update({f"{name}_self_bleu{n}": r.self_bleu[n] for n in protocols.ORDERS})
        row["nll_test"] = protocols.nll_heldout(generator, data.heldout_ids, data.end_token, temperature=t)[0]
        row["nll_texygen"] = protocols.nll_texygen(generator, data.train_ids, temperature=t)[0]
        rows.append(row)
    return rows


def read_text_curve(run: Path) -> list[dict[str, float]] | None:
    """The real-text curve kept in `run` (None if it has none at TEXT_TEMPERATURES with every field)."""
    rows = read_rows(Path(run) / TEMPERATURES_FILE)
    fields = text_fields()
    if [float(r["temperature"]) for r in rows] != list(TEXT_TEMPERATURES) or any(set(r) != set(fields) for r in rows):
        return None
    return [{k: float(r[k]) for k in fields} for r in rows]


def run_text_curve(run: Path, mirror: str | Path | None = None) -> list[dict[str, float]]:
    """`text_curve(run)` at TEXT_TEMPERATURES, computed once per run and kept in the run directory."""
    curve = read_text_curve(run)
    if curve is None:
        write_text(Path(run) / TEMPERATURES_FILE, csv_text(text_curve(Path(run), mirror=mirror), text_fields()))
        curve = read_text_curve(run)
        assert curve is not None
    return curve


def keep_curve(run: Path, mirror: str | Path | None = None) -> None:
    """Compute the run's temperature curve once and keep it in the run directory: the oracle's curve on synthetic
    data, the benchmark's on real text (TEXT_CORPORA). A curve already kept is left as it is, read from its file
    alone (a run restored from its record has no generator to compute one from)."""
    if read_curve(run) is not None or read_text_curve(run) is not None:
        return
    dataset = run_config(run).dataset
    if dataset == "synthetic":
        run_curve(run, mirror)
    elif dataset in TEXT_CORPORA:
        run_text_curve(run, mirror)
    else:
        raise UserError(f"a temperature curve is computed on synthetic data and on {', '.join(TEXT_CORPORA)}, "
                        f"not on {dataset}")

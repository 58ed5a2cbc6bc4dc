"""A generator's temperature curve: its final generator sampled at temperatures T (softmax(logits / T)),
each point (T, NLL-test, NLL-oracle). Below T = 1 it trades coverage (NLL-test, the model's NLL of held-out
data at the same temperature) for quality (NLL-oracle, the oracle's NLL of its samples): the curve a method
must beat to have learned more than a cooled MLE (Caccia et al., ICLR 2020; publications/frontier.py draws it).

Computed once per finished run from its checkpoint and kept in the run directory (TEMPERATURES_FILE), so a
run's record carries it and a later frontier needs no checkpoint (sweeps/records.py).
"""

from __future__ import annotations

from pathlib import Path

from reproduction.io_utils import write_text
from reproduction.run_log import csv_text, read_rows, run_config
from reproduction.seeding import derive

TEMPERATURES = (0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3)
TEMPERATURES_FILE = "temperatures.csv"  # in the run directory
CURVE_FIELDS = ("temperature", "nll_test", "nll_oracle")

Curve = list[tuple[float, float, float]]


def temperature_curve(run: Path, temperatures: tuple[float, ...] = TEMPERATURES,
                      mirror: str | Path | None = None) -> Curve:
    """[(T, NLL-test, NLL-oracle)] of the final generator of `run` sampled at each temperature."""
    # (the models load here, not with the module: reading a kept curve, as records and tables do, needs no TensorFlow)
    from oracle.network import sample_many, sequence_nll
    from reproduction.models.generator import LSTMPolicy
    from reproduction.training import checkpoint
    from reproduction.training.components import load_data

    cfg = run_config(run)
    _, held_out, oracle, _ = load_data(cfg, mirror)
    generator = LSTMPolicy(cfg.shape)
    checkpoint.load_model(run / "checkpoint.npz", "generator", generator)
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

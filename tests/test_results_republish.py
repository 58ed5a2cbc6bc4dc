"""results/ is what the code makes: republishing the committed records into a scratch folder, with training
forbidden, gives every committed table and figure source byte for byte. A hand-edited or stale file fails here.

Covered: Figure 3 (quick), the paper profile, COCO under Texygen's profile, the bfloat16 check (quick) and what
SeqGAN's gain is made of (quick, and under strategy (d)), whose records are all of the default configuration
(the check's bfloat16 runs: the defaults but for the precision). Table 1 under `quick` and the real-world tables
join when their retraining under the defaults has finished (issue "every committed number"); until then their
records and tables are of two configurations.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reproduction.cli import main

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC_ONLY = ["--random-seeds", "--datasets"]
PUBLICATIONS = {
    "figure3-quick": (["reproduce", "--profile", "quick", "--seeds", "0", "1", "2", "--methods", "--strategies", "a",
                       "b", "c", "d", *SYNTHETIC_ONLY], "synthetic/quick", "figure3*"),
    "paper-profile": (["reproduce", "--profile", "paper", "--seeds", "0", "--methods", "mle", "ss-authors", "seqgan",
                       "self-imitation", "--strategies", *SYNTHETIC_ONLY], "synthetic/paper", "*"),
    "coco-texygen": (["reproduce", "--profile", "texygen", "--datasets", "coco", "--real-seeds", "0", "1", "2"],
                     "coco/texygen", "*"),
    "precision-check-quick": (["precision-check", "--profile", "quick", "--seeds", "0", "1", "2"], "synthetic/quick",
                              "precision_check*"),
    "gain-rows-quick": (["reproduce", "--profile", "quick", "--seeds", "0", "1", "2", "--methods", "mle", "seqgan",
                         "seqgan-shuffled", "self-imitation", "seqgan-baseline", "seqgan-baseline-shuffled",
                         "--strategies", *SYNTHETIC_ONLY], "synthetic/quick", "gain_rows*"),
    "strategy-d-rows-quick": (["reproduce", "--profile", "quick", "--seeds", "0", "1", "2", "--methods",
                               "self-imitation", "seqgan-baseline", "mle", "--strategies", "d", *SYNTHETIC_ONLY],
                              "synthetic/quick", "strategy_d_rows*"),
}


SLOW = ("paper-profile", "coco-texygen")  # (the oracle's own NLL at the paper's shapes; 30,000 captions scored)


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in PUBLICATIONS])
def test_republishing_the_committed_records_gives_the_committed_files(name, tmp_path, mirror, monkeypatch):
    from reproduction.training import driver

    def no_training(*args, **kwargs):
        raise AssertionError("a committed run has no matching record: it would be trained")

    monkeypatch.setattr(driver.Trainer, "run", no_training)
    args, folder, pattern = PUBLICATIONS[name]
    results = tmp_path / "results"
    shutil.copytree(ROOT / "results" / folder / "runs", results / folder / "runs")  # the records alone
    assert main([*args, "--no-progress", "--data-mirror", str(mirror), "--runs", str(tmp_path / "runs"),
                 "--results", str(results)]) == 0
    committed = sorted(p for p in (ROOT / "results" / folder).glob(pattern)
                       if p.is_file() and p.suffix in (".csv", ".md"))
    assert committed, f"nothing committed under results/{folder} matches {pattern}"
    for path in committed:
        made = results / folder / path.name
        assert made.is_file(), f"results/{folder}/{path.name} is committed but the records do not make it"
        assert made.read_bytes() == path.read_bytes(), f"results/{folder}/{path.name} differs from what its " \
                                                       "records make: republish it, do not edit it"


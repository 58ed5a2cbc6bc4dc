"""results/ is what the code makes, for the synthetic oracle: republishing the committed records into a scratch
folder, with training forbidden, gives every committed table and figure source byte for byte. A hand-edited or
stale file fails here (the real-data corpora: test_results_republish_real.py).

Covered: Table 1 under `quick` with everything published beside it (the table, the gain rows, Figure 2's SeqGAN
summary, the frontier and the trajectories), on the authors' oracle (every row on seeds 0-2) and on the random one
(every row on seed 0), Figure 3 (quick), the rows under strategy (d), the oracle spread, the paper profile and the
bfloat16 check (quick), whose records are all of the default configuration (the check's bfloat16 runs: the
defaults but for the precision).
"""

from __future__ import annotations

import pytest

from tests.conftest import assert_republished

SYNTHETIC_ONLY = ["--random-seeds", "--datasets"]
PUBLICATIONS = {
    "figure3-quick": (["reproduce", "--profile", "quick", "--seeds", "0", "1", "2", "--methods", "--strategies", "a",
                       "b", "c", "d", *SYNTHETIC_ONLY], "synthetic/quick", "figure3*"),
    "oracle-spread-quick": (["oracle-spread", "--profile", "quick", "--method", "ss-authors", "--oracle-seeds", "1",
                             "2", "3"], "synthetic/quick", "oracle_spread*"),
    "paper-profile": (["reproduce", "--profile", "paper", "--seeds", "0", "--methods", "mle", "ss-authors", "seqgan",
                       "self-imitation", "--strategies", *SYNTHETIC_ONLY], "synthetic/paper", "*"),
    "precision-check-quick": (["precision-check", "--profile", "quick", "--seeds", "0", "1", "2"], "synthetic/quick",
                              "precision_check*"),
    "table1-quick": (["reproduce", "--profile", "quick", "--seeds", "0", "1", "2", "--strategies", *SYNTHETIC_ONLY],
                     "synthetic/quick", "*_original.*"),
    "table1-random-quick": (["reproduce", "--profile", "quick", "--seeds", "--random-seeds", "0", "--strategies",
                             "--datasets"], "synthetic/quick", "*_random.*"),
    "strategy-d-rows-quick": (["reproduce", "--profile", "quick", "--seeds", "0", "1", "2", "--methods",
                               "self-imitation", "seqgan-baseline", "mle", "--strategies", "d", *SYNTHETIC_ONLY],
                              "synthetic/quick", "strategy_d_rows*"),
}
SLOW = ("oracle-spread-quick", "paper-profile")  # (the oracles' own NLL: sampled and scored)


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in PUBLICATIONS])
def test_republishing_the_committed_records_gives_the_committed_files(name, tmp_path, mirror, monkeypatch):
    assert_republished(*PUBLICATIONS[name], tmp_path, mirror, monkeypatch)

"""results/ is what the code makes, for the real-data corpora: republishing the committed records (each keeps its
final samples and temperature curve) into a scratch folder, with training forbidden, gives every committed table
and figure source byte for byte (the synthetic oracle: test_results_republish.py).

Covered: COCO captions under Texygen's profile and under `quick`; the Chinese quatrains, the Obama speeches and the
Nottingham folk tunes under `quick`.
"""

from __future__ import annotations

import pytest

from tests.conftest import assert_republished

PUBLICATIONS = {
    "coco-texygen": (["reproduce", "--profile", "texygen", "--datasets", "coco", "--real-seeds", "0", "1", "2"],
                     "coco/texygen", "*"),
    "coco-quick": (["reproduce", "--profile", "quick", "--seeds", "--random-seeds", "--strategies", "--datasets",
                    "coco", "--real-seeds", "0", "1", "2"], "coco/quick", "*"),
    "poems-quick": (["reproduce", "--profile", "quick", "--seeds", "--random-seeds", "--strategies", "--datasets",
                     "poems", "--real-seeds", "0", "1", "2"], "poems/quick", "*"),
    "obama-quick": (["reproduce", "--profile", "quick", "--seeds", "--random-seeds", "--strategies", "--datasets",
                     "obama", "--real-seeds", "0", "1", "2"], "obama/quick", "*"),
    "nottingham-quick": (["reproduce", "--profile", "quick", "--seeds", "--random-seeds", "--strategies",
                          "--datasets", "nottingham", "--real-seeds", "0", "1", "2"], "nottingham/quick", "*"),
}
SLOW = ("coco-texygen", "coco-quick")  # (30,000 captions scored)


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in PUBLICATIONS])
def test_republishing_the_committed_records_gives_the_committed_files(name, tmp_path, mirror, monkeypatch):
    assert_republished(*PUBLICATIONS[name], tmp_path, mirror, monkeypatch)


@pytest.mark.parametrize("corpus, order", [("poems", 2), ("obama", 3)])
def test_the_frontier_sets_each_seed_against_cooled_mle_in_both_orders(corpus, order):
    """Whether SeqGAN stands below cooled MLE is read per seed too, not only from the means: each seed of each row
    has its line in the BLEU-5 section and in the paper's own order's (the files are what the records make: above)."""
    from tests.conftest import ROOT

    text = (ROOT / "results" / corpus / "quick" / "frontier.md").read_text()
    own = text.split(f"## Against cooled MLE in BLEU-{order}, the paper's metric for {corpus}")
    assert len(own) == 2
    for section in (own[0].split("## Against cooled MLE (frontier.png)")[1], own[1]):
        for protocol in ("texygen", "corrected"):
            for row in ("SeqGAN", "MLE"):
                for seed in (0, 1, 2):
                    assert section.count(f"| {protocol} | {row} (ours), seed {seed} | ") == 1

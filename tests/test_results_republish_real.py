"""results/ is what the code makes, for the real-data corpora: republishing the committed records (each keeps its
final samples and temperature curve) into a scratch folder, with training forbidden, gives every committed table
and figure source byte for byte (the synthetic oracle: test_results_republish.py).

Covered: COCO captions under Texygen's profile and under `quick`, the Chinese quatrains and the Obama speeches under
`quick`. Nottingham joins when its retraining under the defaults has finished (issue "every committed number"):
until then its records lack their samples.
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
}
SLOW = ("coco-texygen", "coco-quick")  # (30,000 captions scored)


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in PUBLICATIONS])
def test_republishing_the_committed_records_gives_the_committed_files(name, tmp_path, mirror, monkeypatch):
    assert_republished(*PUBLICATIONS[name], tmp_path, mirror, monkeypatch)

"""The authors' own SeqGAN run (their save/experiment-log.txt, from the data mirror): read at the points our runs
log, and set beside a run of ours batch for batch."""

from __future__ import annotations

import pytest

from reproduction.errors import UserError
from reproduction.publications import authors_log


def test_the_authors_log_reads_as_the_points_paper_md_quotes(mirror):
    curves = authors_log.parse(mirror / "seqgan_original" / "experiment-log.txt")
    assert [x for x, _ in curves["mle"]] == [float(e) for e in range(0, 120, 5)]
    assert [x for x, _ in curves["adversarial"]] == [float(120 + b) for b in range(0, 155, 5)]
    nll = dict(curves["mle"] + curves["adversarial"])
    assert nll[0.0] == pytest.approx(10.1716) and nll[115.0] == pytest.approx(9.07058)
    assert (round(nll[120 + 50], 2), round(nll[120 + 100], 2), round(nll[120 + 145], 2)) == (8.83, 8.70, 8.68)


def test_a_file_that_is_not_the_authors_log_is_a_clear_error_naming_the_line(tmp_path):
    path = tmp_path / "log.txt"
    path.write_text("pre-training...\nepoch:\t0\tnll:\t10.1\nepoch 5 nll 9.4\n")
    with pytest.raises(UserError, match=r"line 3: expected 'epoch: N nll: V'"):
        authors_log.parse(path)
    path.write_text("pre-training...\nepoch:\t0\tnll:\t10.1\n")
    with pytest.raises(UserError, match="no MLE or no adversarial evaluations"):
        authors_log.parse(path)


AUTHORS = {"mle": [(0.0, 10.0), (5.0, 9.5), (115.0, 9.1)], "adversarial": [(120.0, 9.0), (125.0, 8.9), (130.0, 8.8)]}


def test_a_run_with_a_shorter_mle_is_compared_batch_for_batch_and_at_the_end_of_its_mle():
    ours = [(0.0, 10.2), (5.0, 9.6), (45.0, 9.3), (50.0, 9.2), (55.0, 9.0)]  # MLE 50 epochs, then batches 0 and 5
    rows = authors_log.compare(ours, AUTHORS, mle_epochs=50)
    assert [r["point"] for r in rows] == ["MLE epoch 115 (ours: epoch 45, our last)", "batch 0", "batch 5"]
    assert [r["ours"] for r in rows] == [9.3, 9.2, 9.0] and [r["authors"] for r in rows] == [9.1, 9.0, 8.9]
    assert rows[1]["difference"] == pytest.approx(0.2)
    assert authors_log.markdown(rows)[3] == "| batch 0 | 9.000 | 9.200 | +0.200 |"


def test_a_run_with_the_authors_mle_length_is_compared_at_their_last_mle_epoch():
    ours = [(110.0, 9.2), (115.0, 9.15), (119.0, 9.12), (120.0, 9.05)]
    assert authors_log.compare(ours, AUTHORS, mle_epochs=120)[0] == {
        "point": "MLE epoch 115", "authors": 9.1, "ours": 9.15, "difference": pytest.approx(0.05)}


def test_the_authors_run_is_shifted_to_another_mle_length_keeping_the_mle_that_fits():
    assert authors_log.shifted(AUTHORS, 50) == [(0.0, 10.0), (5.0, 9.5), (50.0, 9.0), (55.0, 8.9), (60.0, 8.8)]


def test_figure2_draws_the_authors_run_beside_seqgan_on_their_oracle_only(mirror, monkeypatch, tmp_path):
    from reproduction.publications import figure2
    from tests.test_paper_figure2 import finished_run

    marked = []
    monkeypatch.setattr(figure2.plots, "learning_curves", lambda *a, **kw: marked.append(kw["marked"]))
    run = finished_run(tmp_path / "seqgan", mle_epochs=3)
    for oracle in ("original", "random"):
        figure2.draw(tmp_path / oracle, oracle, "smoke", [0], ["seqgan"], lambda method, seed: run, mirror)
    (authors,), nothing = marked[0].values(), marked[1]
    assert authors[0] == (0.0, 10.1716) and authors[1] == (3.0, 9.08457)  # MLE epoch 0, then batch 0 at epoch 3
    assert nothing == {} and max(x for x, _ in authors) <= 4  # none beyond the run's last evaluation

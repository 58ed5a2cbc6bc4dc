"""Figure 3: the four training strategies are configuration applied to one loop, shortened alike under a
scaled profile, and the experiment draws four panels from runs sharing one pretraining."""

from __future__ import annotations

import csv
import dataclasses
import math
from pathlib import Path

import pytest

from reproduction import plots
from reproduction.config import PROFILE_SCHEDULES, STRATEGIES, apply_strategy, make_config
from reproduction.errors import UserError
from reproduction.publications import figure3
from reproduction.training.components import build
from tests.conftest import tiny_config


def test_the_strategies_are_the_papers_four_settings():
    assert {k: (v.g_steps, v.d_steps, v.k_epochs) for k, v in STRATEGIES.items()} == {
        "a": (100, 1, 10), "b": (30, 1, 30), "c": (1, 1, 10), "d": (1, 5, 3)}


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_a_strategy_sets_the_steps_and_quick_runs_c_and_d_over_the_whole_adversarial_phase(name):
    """Under the paper's profile a strategy changes its three settings and nothing else; under quick also the
    adversarial phase's length, evaluated after every batch: (c) and (d) run all of quick's batches, (a) and (b)
    (30 to 100 g-steps a batch) fewer but at least 20, for as many points on their curves."""
    s = STRATEGIES[name]
    steps = {"g_steps": s.g_steps, "d_steps": s.d_steps, "k_epochs": s.k_epochs}
    paper, quick = make_config("seqgan", "paper", name).schedule, make_config("seqgan", "quick", name).schedule
    assert paper == dataclasses.replace(PROFILE_SCHEDULES["paper"], **steps)
    whole = PROFILE_SCHEDULES["quick"]
    assert quick == dataclasses.replace(whole, **steps, adv_batches=quick.adv_batches, adv_eval_every=1)
    assert quick.adv_batches == whole.adv_batches if name in ("c", "d") else 20 <= quick.adv_batches < whole.adv_batches


def test_strategies_are_refused_where_they_do_not_apply():
    with pytest.raises(UserError, match="unknown strategy 'e'"):
        make_config("seqgan", "quick", "e")
    for method in ("mle", "ss"):
        with pytest.raises(UserError, match=f"{method} has none"):
            make_config(method, "quick", "a")
    assert make_config("self-imitation", "quick", "d").schedule.adv_batches == 50  # any adversarial phase takes one


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_an_adversarial_batch_runs_g_steps_then_d_steps_of_k_epochs(tmp_path, name):
    parts = build(apply_strategy(tiny_config(), name))
    calls: list[tuple[str, int]] = []
    adversarial = parts.adversarial
    adversarial.g_step = lambda index, g: calls.append(("g", g)) or {"g_loss": 1.0, "mean_reward": 0.5}
    parts.d_trainer.train = lambda real, fake, epochs, batch, rng: calls.append(("d", epochs)) or (0.5, 0.75)
    adversarial.rollout.update = lambda: calls.append(("beta <- theta", 0))
    adversarial.batch(0)
    s = STRATEGIES[name]
    assert calls == [("g", g) for g in range(s.g_steps)] + [("d", s.k_epochs)] * s.d_steps + [("beta <- theta", 0)]


@pytest.mark.slow
def test_figure3_draws_four_panels_with_c_and_d_over_seeds_from_shared_pretraining(tmp_path, monkeypatch):
    """(Strategies (a) and (b) with 3 and 2 g-steps a batch instead of 100 and 30: their steps are tested above;
    here what the figure draws from them.)"""
    monkeypatch.setitem(STRATEGIES, "a", dataclasses.replace(STRATEGIES["a"], g_steps=3))
    monkeypatch.setitem(STRATEGIES, "b", dataclasses.replace(STRATEGIES["b"], g_steps=2))
    drawn = {}  # figure name -> its panels
    draw = plots.band_panels
    monkeypatch.setattr(plots, "band_panels", lambda panels, path, *a, **k: drawn.update(
        {path.name: panels}) or draw(panels, path, *a, **k))
    dest = figure3.reproduce("smoke", list(STRATEGIES), oracle="random", seeds=[0, 1], runs=tmp_path / "runs",
                             results=tmp_path / "results", show_progress=False, base=tiny_config())
    assert (dest / "figure3.png").stat().st_size > 0 and (dest / "figure3.pdf").exists()
    with open(dest / "figure3.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    seeds = {k: sorted({r["seed"] for r in rows if r["strategy"] == k}) for k in STRATEGIES}
    assert seeds == {"a": ["0"], "b": ["0"], "c": ["0", "1"], "d": ["0", "1"]}

    def curve(k, seed, phase):
        return [r for r in rows if r["strategy"] == k and r["seed"] == seed and r["phase"] == phase]

    pretraining = {k: [(r["x"], r["nll_oracle"]) for r in curve(k, "0", "mle")] for k in STRATEGIES}
    assert pretraining["a"] and all(c == pretraining["a"] for c in pretraining.values())
    assert [(r["x"], r["nll_oracle"]) for r in curve("c", "1", "mle")] == \
        [(r["x"], r["nll_oracle"]) for r in curve("d", "1", "mle")] != pretraining["a"]
    assert all(len(curve(k, "0", "adversarial")) == 2 for k in STRATEGIES)  # smoke: 2 batches, evaluated after each
    assert curve("a", "0", "adversarial")[-1]["nll_oracle"] != curve("d", "0", "adversarial")[-1]["nll_oracle"]
    full, zoomed = drawn["figure3"], drawn["figure3_adversarial"]
    assert len(full) == 4 and all(len(curves) == 2 for curves in full.values())  # NLL-oracle and NLL-test
    d_test = full["(d) g-steps 1, d-steps 5, k 3 (mean and range of 2 seeds)"]["NLL-test (held-out oracle data)"]
    finals = [float(curve("d", s, "adversarial")[-1]["nll_test"]) for s in ("0", "1")]
    assert d_test[-1] == pytest.approx((float(curve("d", "0", "adversarial")[-1]["x"]), sum(finals) / 2,
                                        min(finals), max(finals)))
    last_mle = float(pretraining["d"][-1][0])  # the zoom starts at the last MLE evaluation
    zoomed_oracle = zoomed["(a) g-steps 3, d-steps 1, k 10 (1 seed)"]["NLL-oracle (the paper's curve)"]
    assert [p[0] for p in zoomed_oracle] == [last_mle] + [float(r["x"]) for r in curve("a", "0", "adversarial")]
    with open(dest / "figure3_summary.csv", newline="") as f:
        summary = {r["strategy"]: r for r in csv.DictReader(f)}
    c_finals = [float(curve("c", s, "adversarial")[-1]["nll_oracle"]) for s in ("0", "1")]
    assert float(summary["c"]["final_mean"]) == pytest.approx(sum(c_finals) / 2)
    assert (summary["c"]["seeds"], summary["a"]["seeds"], summary["d"]["evaluations"]) == ("2", "1", "2")
    assert summary["c"]["p_vs_d_seeds"] and not summary["a"]["p_vs_d_seeds"]  # a test needs 2 seeds a side
    assert summary["c"]["p_vs_d_paired"] and not summary["a"]["p_vs_d_paired"]  # ... and 2 pairs
    assert 0 < float(summary["d"]["distinct_fraction_min"]) <= 1  # counted from each run's final samples
    text = (dest / "figure3.md").read_text()
    runs_rows = [line for line in text.split("## Runs")[1].splitlines() if line.startswith("| (")]
    assert [row.split(" | ")[:2] for row in runs_rows] == [["| (a)", "0"], ["| (b)", "0"], ["| (c)", "0"],
                                                           ["| (c)", "1"], ["| (d)", "0"], ["| (d)", "1"]]
    assert all(" UTC | `" in row for row in runs_rows)  # when each finished, at which commit
    assert "(d) minus (c) at the end:" in text and "Welch p = " in text and "Lowest NLL-oracle at the end" in text
    d_finals = [float(curve("d", s, "adversarial")[-1]["nll_oracle"]) for s in ("0", "1")]
    assert ("(d) minus (c) on each seed both ran (0, 1; each pair continues from the same pretraining): "
            f"{d_finals[0] - c_finals[0]:+.3f}, {d_finals[1] - c_finals[1]:+.3f} nats; paired t-test p = ") in text


def test_in_progress_figure3_shows_the_finished_runs_and_the_full_publication_removes_it(tmp_path):
    """`reproduce --in-progress` for Figure 3: only finished runs are drawn (a strategy with none is left out),
    with a page giving each seed's final NLL-oracle and (d) against (c) on the seeds both have finished; the
    published figure is untouched, and the full publication removes the in-progress files."""
    from reproduction.sweeps.sweep import train_all

    runs, results, base = tmp_path / "runs", tmp_path / "results", tiny_config()
    shown = results / "synthetic" / "smoke" / "in_progress"

    def show() -> list[Path]:
        return figure3.publish_in_progress("smoke", ["c", "d"], "random", [0, 1], runs, results, "STATUS", "CMD")

    def train(strategy: str, seed: int) -> None:
        spec, = figure3.plan("smoke", [strategy], "random", [seed], runs, base, results=results)
        train_all([spec], show_progress=False)

    assert show() == [] and not shown.exists()  # nothing finished: nothing shown
    train("c", 0)
    written = show()
    assert sorted(p.name for p in shown.iterdir() if p.is_file()) == sorted(p.name for p in written)
    with open(shown / "figure3.csv", newline="") as f:
        assert {(r["strategy"], r["seed"]) for r in csv.DictReader(f)} == {("c", "0")}
    text = (shown / "progress_figure3.md").read_text()
    assert "STATUS" in text and "CMD" in text and "| (c) |" in text and "(d) minus (c) on the seeds" not in text

    train("d", 0)
    show()
    with open(shown / "figure3_summary.csv", newline="") as f:
        finals = {r["strategy"]: float(r["final_mean"]) for r in csv.DictReader(f)}
    text = (shown / "progress_figure3.md").read_text()
    assert f"(d) minus (c) on the seeds both have finished (0): {finals['d'] - finals['c']:+.3f} nats." in text
    assert not (results / "synthetic" / "smoke" / "figure3.png").exists()  # the published figure is left alone

    figure3.publish("smoke", ["c", "d"], "random", [0], runs, results / "synthetic" / "smoke")
    assert (results / "synthetic" / "smoke" / "figure3.md").exists()
    assert not [p for p in shown.iterdir() if p.is_file()]


def _row(strategy: str, finals: dict[int, float], paired_p: float = math.nan, welch_p: float = math.nan) -> dict:
    return {"strategy": strategy, "finals": finals, "final_mean": sum(finals.values()) / len(finals),
            "rise_mean": 0.01, "seeds": len(finals), "p_vs_d_paired": paired_p, "p_vs_d_seeds": welch_p,
            "collapsed_seeds": []}


def test_the_verdict_says_d_ends_lowest_only_as_far_as_the_runner_ups_test_allows():
    d = _row("d", {0: 8.759, 1: 8.800, 2: 8.809})
    near = figure3.verdict([_row("c", {0: 8.844, 1: 8.838, 2: 8.777}, 0.47, 0.32), d])[0]
    assert near.endswith("(d) ends lowest on the mean, 0.030 below the runner-up (c), but within the seed spread "
                         "(paired t-test p = 0.47): not shown to end lowest.")
    far = figure3.verdict([_row("c", {0: 9.0, 1: 9.1}, welch_p=0.01), _row("d", {0: 8.7, 1: 8.8})])[0]
    assert far.endswith("(d) ends lowest, 0.300 below the runner-up (c), beyond the seed spread (Welch p = 0.01).")
    alone = figure3.verdict([_row("a", {0: 9.3}), _row("d", {0: 8.8})])[0]
    assert alone.endswith("(d) ends lowest, 0.500 below the runner-up (a), on too few seeds to test.")
    lost = figure3.verdict([_row("c", {0: 8.7}), _row("d", {0: 8.8})])[0]
    assert lost.endswith("(d) does not end lowest: it ends at 8.800.")


def test_a_collapsed_strategy_is_named_with_its_evidence_and_left_out_of_the_ranking():
    """A strategy whose final samples are mostly one sequence scores a low NLL-oracle (the oracle likes that
    sequence); the verdict names it and ranks the others, so it is never called the lowest or the steadiest."""
    fell = {**_row("a", {0: 6.669}), "collapsed_seeds": [0], "distinct": {0: {"n": 10000, "distinct": 3}},
            "nll_test_final_mean": 12.113, "rise_mean": 0.0}
    lines = figure3.verdict([fell, _row("c", {0: 8.9}), _row("d", {0: 8.8})])
    assert lines[0].startswith("- (a) collapsed onto a few sequences (seed 0: 3 distinct of 10,000 final samples; "
                               "NLL-test at the end 12.113)")
    assert lines[1].startswith("- Lowest NLL-oracle at the end: (d), 8.800.") and "(a)" not in "".join(lines[1:3])
    assert figure3.verdict([fell])[-1] == "- Every strategy collapsed: none is ranked."
    assert figure3.collapsed({"n": 10, "distinct": 4}) and not figure3.collapsed({"n": 10, "distinct": 5})
    assert not figure3.collapsed(None)  # a record from before the count: not known to have collapsed

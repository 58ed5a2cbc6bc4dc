"""The bfloat16 check: each of Table 1's SeqGAN runs gets a twin that differs only in the discriminator's
precision and shares its MLE pretraining; the verdict compares bfloat16's mean with float32's range over seeds."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from reproduction.config import RunConfig
from reproduction.metrics.stats import format_p, paired_p_value
from reproduction.publications import precision_check, synthetic
from reproduction.training import shared_pretraining


def test_each_bfloat16_twin_differs_from_table1s_seqgan_only_in_precision_and_shares_its_mle_pretraining(tmp_path):
    runs, results = tmp_path / "runs", tmp_path / "results"
    specs = precision_check.plan("quick", [0, 1], "original", runs, results=results)
    table1 = synthetic.plan("quick", {"original": [0, 1]}, ["seqgan"], runs, results=results)
    assert specs[0::2] == table1  # the float32 runs are Table 1's own, records and all
    for f32, b16 in zip(specs[0::2], specs[1::2], strict=True):
        assert b16.cfg.discriminator.precision == "bfloat16"
        assert dataclasses.replace(b16.cfg, discriminator=f32.cfg.discriminator) == f32.cfg
        assert b16.share_dir == f32.share_dir and b16.snapshot() == f32.snapshot()
        assert shared_pretraining.key(b16.cfg, "d_pretrain") != shared_pretraining.key(f32.cfg, "d_pretrain")
    assert specs[1].out == runs / "quick" / "seqgan-bfloat16-original-s0"
    assert specs[3].record == results / "synthetic" / "quick" / "runs" / "seqgan-bfloat16_original_s1"


def _run(path: Path, cfg: RunConfig, adversarial: list[tuple[float, float]], seconds: float) -> None:
    path.mkdir(parents=True)
    lines = ["phase,epoch,x,nll_oracle,nll_test", "mle,0,0,9.5,9.0"]
    lines += [f"adversarial,{i},{10 + i},{nll},{test}" for i, (nll, test) in enumerate(adversarial)]
    (path / "metrics.csv").write_text("\n".join(lines) + "\n")
    meta = {"config": cfg.to_dict(), "status": "complete", "commit": "0123456789abcdef",
            "machine": {"cpu": "Test CPU", "cores": 2}, "summary": {"seconds_per_adversarial_batch": seconds}}
    (path / "run.json").write_text(json.dumps(meta))


def _runs(tmp_path: Path, bfloat16_finals: list[float]) -> Path:
    runs = tmp_path / "runs"
    f32 = {0: [(8.9, 9.0), (8.80, 9.10)], 1: [(8.95, 9.0), (8.85, 9.12)], 2: [(8.92, 9.0), (8.70, 9.08)]}
    for spec in precision_check.plan("quick", [0, 1, 2], "original", runs):
        seed, is_b16 = spec.cfg.seed, spec.cfg.discriminator.precision == "bfloat16"
        points = [(8.93, 9.0), (bfloat16_finals[seed], 9.10)] if is_b16 else f32[seed]
        _run(spec.out, spec.cfg, points, 40.0 if is_b16 else 50.0)
    return runs


def test_bfloat16_inside_float32s_seed_range_is_reported_within_with_the_paired_difference(tmp_path):
    b16 = [8.82, 8.80, 8.78]  # mean 8.80, inside float32's 8.70 to 8.85 at the end; 8.93 inside 8.90 to 8.95
    result = precision_check.compare("quick", [0, 1, 2], "original", _runs(tmp_path, b16))
    assert result["within"]
    m = result["metrics"]["nll_oracle"]
    assert m["outside"] == [] and m["largest_excursion"] == 0.0 and m["evaluations"] == 2
    assert m["float32_final_range"] == (8.70, 8.85)
    assert m["final_difference"] == pytest.approx(sum(b - f for b, f in zip(b16, [8.80, 8.85, 8.70], strict=True)) / 3)
    assert m["p_paired"] == paired_p_value(b16, [8.80, 8.85, 8.70])


def test_bfloat16_leaving_float32s_range_is_reported_with_where_and_by_how_much(tmp_path):
    runs = _runs(tmp_path, [8.60, 8.62, 8.64])  # mean 8.62: 0.08 below float32's lowest final (8.70)
    result = precision_check.compare("quick", [0, 1, 2], "original", runs)
    assert not result["within"]
    m = result["metrics"]["nll_oracle"]
    assert m["outside"] == [11.0] and m["largest_excursion"] == pytest.approx(0.08)
    assert result["metrics"]["nll_test"]["outside"] == []
    dest = tmp_path / "results"
    text = precision_check.publish("quick", [0, 1, 2], "original", runs, dest).read_text()
    assert ("**bfloat16 leaves float32's seed spread** at some adversarial evaluations: NLL-oracle at 1 of 2, by at "
            "most 0.080 (float32's range is 0.100 wide there on average); NLL-test at none of 2") in text
    assert m["float32_range_width"] == pytest.approx((0.05 + 0.15) / 2)  # 8.90-8.95, then 8.70-8.85
    assert "| NLL-oracle | 2 | 0.100 | 11 | 0.080 | 8.700 to 8.850 | 8.620 | " in text
    assert format_p(m["p_paired"]) in text
    assert "| 0 | bfloat16 | 8.600 | 8.600 | 9.100 | 40.0 | Test CPU, 2 cores | `0123456789ab` |" in text
    assert (dest / "precision_check.png").stat().st_size > 0
    assert (dest / "precision_check.csv").read_text().startswith(",".join(precision_check.FIELDS))


def test_precision_check_refuses_a_repeated_seed_with_exit_2(capsys):
    from reproduction.cli import main

    assert main(["precision-check", "--seeds", "0", "0"]) == 2
    assert "--seeds repeats a seed: 0 0" in capsys.readouterr().err

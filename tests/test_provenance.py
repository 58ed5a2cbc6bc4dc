"""Provenance: what a result records of the machine and of how TensorFlow used it."""

from __future__ import annotations

from reproduction import provenance


def test_the_machine_record_names_the_thread_pools_and_the_onednn_settings_that_are_set(monkeypatch):
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX512_CORE")
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    machine = provenance.machine()
    assert machine["threads"]["ONEDNN_MAX_CPU_ISA"] == "AVX512_CORE"
    assert "TF_ENABLE_ONEDNN_OPTS" not in machine["threads"]
    assert {"intra_op", "inter_op"} <= set(machine["threads"])
    described = provenance.describe_cpu({**machine, "threads": {"intra_op": 0, "inter_op": 2,
                                                                "ONEDNN_MAX_CPU_ISA": "AVX512_CORE"}})
    assert described.endswith("threads: intra default, inter 2, ONEDNN_MAX_CPU_ISA AVX512_CORE)")
    assert "threads" not in provenance.describe_cpu({k: v for k, v in machine.items() if k != "threads"})

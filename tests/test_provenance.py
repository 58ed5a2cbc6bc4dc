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


def test_a_short_commit_keeps_the_dirty_marker():
    full = "a229ad520e4aeffe0d342d457bab8a8689e34053"
    assert provenance.short_commit(full) == "a229ad520e4a"
    assert provenance.short_commit(full + "+dirty") == "a229ad520e4a+dirty"
    assert provenance.short_commit("unknown") == "unknown"

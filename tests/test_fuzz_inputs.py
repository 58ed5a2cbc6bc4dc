"""Fuzzed inputs (issue 44): every parser a user's file reaches, fed a few hundred generated malformed files each
(random bytes, other encodings, huge numbers, NaN and inf strings, empty and very long lines, hand edits of real
files). The command exits 2 with one line, or succeeds; a parser raises a one-line UserError, or returns. Never
a traceback, never a hang. Deterministic (derandomize) and quick: seconds per test.

Parsers: token files (`evaluate --samples`, `bleu`), the oracle parameter file (`evaluate --oracle PATH`), the
corpus text files (poems, Obama: behind their sha256 check, so reached only by a build from an unchecked copy),
run.json and records (`status`, `sample`, the records a sweep restores from), metrics CSVs and samples .npz, and
the benchmark's samples file (`benchmark --samples`)."""

from __future__ import annotations

import io
import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reproduction.cli import main
from reproduction.errors import UserError
from tests.conftest import MIRROR, require_mirror, tiny_config

FUZZ = settings(max_examples=300, deadline=5000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
FEWER = settings(FUZZ, max_examples=100)  # where a success costs a model

ODD = ["nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e308", "1e309", "-0", "+5", "0x10", "1_000", "²", "٣",
       "99999999999999999999999999", "-99999999999999999999", "\x00", "\ufeff", "🙂", "", " ", "\t", "1.5", "20,"]
TOKEN = st.one_of(st.integers(-10, 6000).map(str), st.integers().map(str), st.sampled_from(ODD), st.text(max_size=6))
LINE = st.one_of(st.lists(TOKEN, max_size=24).map(" ".join), st.text(max_size=120))
TEXT = st.lists(LINE, max_size=12).map("\n".join)
ENCODED = st.one_of(
    TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
    TEXT.map(lambda t: t.encode("utf-16")),
    TEXT.map(lambda t: t.encode("latin-1", "replace")),
    st.binary(max_size=2000),
    st.integers(1, 200_000).map(lambda n: b"1 " * n),  # one very long line
    st.integers(1, 20_000).map(lambda n: b"\n" * n),  # only empty lines
)


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def exits_2_with_one_line_or_succeeds(argv: list[str], capsys) -> int:
    capsys.readouterr()
    code = main(argv)
    out = capsys.readouterr()
    assert code in (0, 2), (code, out.err[-2000:])
    assert "Traceback" not in out.err
    if code == 2:
        assert out.err.startswith("error: ") and out.err.count("\n") == 1, out.err[-2000:]
    return code


def raises_one_line_user_error_or_returns(call) -> object:
    try:
        return call()
    except UserError as e:
        assert "\n" not in str(e) and str(e), repr(str(e))
        return None


# ---- token files --------------------------------------------------------------------------------------------
VALID_SAMPLES = "\n".join(" ".join(str((7 * i + j) % 5000) for j in range(20)) for i in range(3)).encode()


@FUZZ
@given(data=ENCODED)
@example(data=VALID_SAMPLES)
@example(data="1 2 ²".encode())
def test_evaluate_with_a_fuzzed_token_file_exits_2_with_one_line_or_succeeds(work, capsys, data):
    path = work / "samples.txt"
    path.write_bytes(data)
    exits_2_with_one_line_or_succeeds(["evaluate", "--oracle", "random", "--samples", str(path)], capsys)


@FUZZ
@given(references=ENCODED, hypotheses=ENCODED, n=st.integers(1, 5), rule=st.sampled_from(["method1", "legacy"]),
       self_bleu=st.booleans())
@example(references=b"a b c\nb c d\n", hypotheses=b"a b c d\n", n=2, rule="method1", self_bleu=False)
def test_bleu_with_fuzzed_token_files_exits_2_with_one_line_or_succeeds(work, capsys, references, hypotheses, n,
                                                                        rule, self_bleu):
    if len(hypotheses) > 4000 or len(references) > 4000:  # (BLEU of a 200,000-token line: slow, not wrong)
        hypotheses, references = hypotheses[:4000], references[:4000]
    (work / "references.txt").write_bytes(references)
    (work / "hypotheses.txt").write_bytes(hypotheses)
    argv = ["bleu", "--hypotheses", str(work / "hypotheses.txt"), "--n", str(n), "--rule", rule]
    argv += ["--self"] if self_bleu else ["--references", str(work / "references.txt")]
    exits_2_with_one_line_or_succeeds(argv, capsys)


# ---- the oracle parameter file ------------------------------------------------------------------------------
def _array(shape: tuple[int, ...], dtype: str, fill: float) -> np.ndarray:
    with np.errstate(all="ignore"):  # (NaN cast to an integer: whatever numpy makes of it)
        return np.full(shape, fill).astype(dtype)


ARRAY = st.builds(
    _array,
    st.lists(st.integers(0, 6), max_size=3).map(tuple),
    st.sampled_from(["float32", "float64", "int32", "bool", "float16", "complex64", "U3"]),
    st.sampled_from([0.0, 1.0, np.nan, np.inf, -1e38]))
VALUE = st.recursive(st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=10), st.binary(max_size=10),
                               ARRAY),
                     lambda inner: st.one_of(st.lists(inner, max_size=16), st.dictionaries(st.text(max_size=5), inner,
                                                                                         max_size=4)),
                     max_leaves=20)


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _valid_params(shape=None) -> list[np.ndarray]:
    from oracle.params import random_oracle_params
    from oracle.shape import LSTMShape

    return random_oracle_params(shape or LSTMShape(), 0)


PARAM_FILES = st.one_of(
    st.tuples(st.just(".pkl"), st.binary(max_size=3000)),
    st.tuples(st.just(".npz"), st.binary(max_size=3000)),
    st.tuples(st.just(".npz"), ARRAY.map(lambda a: _npy(a))),  # an .npy where an .npz belongs
    st.tuples(st.just(".pkl"), st.tuples(VALUE, st.integers(0, 5)).map(lambda v: pickle.dumps(v[0], protocol=v[1]))),
    st.tuples(st.just(".npz"), st.dictionaries(st.sampled_from(["emb", "Wi", "Ui", "bi", "Wo", "bo", "x", "g_emb"]),
                                               ARRAY, max_size=15).map(_npz)),
)


@FUZZ
@given(spec=PARAM_FILES)
@example(spec=(".pkl", b"cos\nsystem\n(S'echo owned'\ntR."))  # a pickle that would run a command
def test_evaluate_with_a_fuzzed_oracle_parameter_file_exits_2_with_one_line_or_succeeds(work, capsys, spec):
    suffix, data = spec
    (work / "samples.txt").write_bytes(VALID_SAMPLES)
    path = work / f"oracle{suffix}"
    path.write_bytes(data)
    argv = ["evaluate", "--oracle", str(path), "--samples", str(work / "samples.txt")]
    exits_2_with_one_line_or_succeeds(argv, capsys)


@pytest.fixture(scope="module")
def oracle_files() -> dict[str, bytes]:
    """A valid oracle parameter file in each format: a pickle (protocol 4, as numpy pickles arrays for Python 3;
    protocol 2 would need _codecs) and an .npz."""
    from oracle.params import PARAM_NAMES

    params = _valid_params()
    return {".pkl": pickle.dumps(params, protocol=4), ".npz": _npz(dict(zip(PARAM_NAMES, params, strict=True)))}


@FEWER
@given(suffix=st.sampled_from([".pkl", ".npz"]), cut=st.one_of(st.none(), st.integers(0, 300),
                                                             st.integers(0, 2_000_000)),
       flips=st.lists(st.tuples(st.one_of(st.integers(0, 300), st.integers(0, 2_000_000)), st.integers(1, 255)),
                      max_size=4))
def test_a_damaged_copy_of_a_real_oracle_file_exits_2_with_one_line_or_succeeds(work, capsys, oracle_files, suffix,
                                                                                cut, flips):
    """Cut short, or bytes flipped (mostly near its start, where the structure is: a flip among the numbers of an
    array is a valid oracle that differs; also anywhere, where an .npz keeps its directory)."""
    data = bytearray(oracle_files[suffix])
    for offset, mask in flips:
        data[offset % len(data)] ^= mask
    if cut is not None:
        data = data[:cut]
    (work / "samples.txt").write_bytes(VALID_SAMPLES)
    (work / f"oracle{suffix}").write_bytes(bytes(data))
    argv = ["evaluate", "--oracle", str(work / f"oracle{suffix}"), "--samples", str(work / "samples.txt")]
    exits_2_with_one_line_or_succeeds(argv, capsys)


# ---- corpus text files --------------------------------------------------------------------------------------
HANZI = st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40)
QUATRAIN = st.lists(HANZI, min_size=20, max_size=20).map(
    lambda c: " ".join([*c[0:5], "，", *c[5:10], "。", *c[10:15], "，", *c[15:20], "。"]))
POEM_FILES = st.lists(st.one_of(QUATRAIN, QUATRAIN, LINE), max_size=40).map("\n".join)


@FUZZ
@given(text=st.one_of(POEM_FILES, TEXT))
def test_the_poem_corpus_parser_raises_one_line_or_builds_a_corpus(work, text):
    from reproduction.datasets import poems

    path = work / "shi.txt"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    options = poems.PoemOptions(test_fraction=0.5, probe_size=2)  # (so that a few lines can make a corpus)
    raises_one_line_user_error_or_returns(lambda: poems.build(path, options))


@FUZZ
@given(text=st.one_of(TEXT, st.lists(st.text(max_size=300), max_size=30).map("\n".join)))
def test_the_obama_corpus_parser_raises_one_line_or_builds_a_corpus(work, text):
    from reproduction.datasets import obama

    path = work / "input.txt"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    options = obama.ObamaOptions(test_fraction=0.5, probe_size=2)
    raises_one_line_user_error_or_returns(lambda: obama.build(path, options))


# ---- run.json and records -----------------------------------------------------------------------------------
JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
                              st.sampled_from(["NaN", "Infinity", "complete", "running", "1e999"])),
                    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner,
                                                                                        max_size=4)),
                    max_leaves=12)


def _paths(tree: object, prefix: tuple = ()) -> list[tuple]:
    """Every path (keys and indices) into a JSON tree."""
    found = [prefix]
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            found += _paths(value, (*prefix, i))
    return found


@st.composite
def edited_json(draw, base: dict) -> bytes:
    """A hand edit of `base`: some of its fields replaced by other JSON values, or removed; then written out,
    perhaps cut short, perhaps with a byte changed."""
    meta = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(meta) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = meta
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON)
    data = json.dumps(meta, indent=2, allow_nan=True).encode()
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    if data and draw(st.integers(0, 3)) == 0:
        i = draw(st.integers(0, len(data) - 1))
        data = data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1:]
    return data


@pytest.fixture(scope="module")
def finished(method_runs, work) -> Path:
    """A copy of the finished tiny MLE run, as runs/smoke/mle-s0."""
    run = work / "runs" / "smoke" / "mle-s0"
    shutil.copytree(method_runs["mle"][0], run)
    return run


def _base(method_runs) -> dict:
    return json.loads((method_runs["mle"][0] / "run.json").read_text())


@FUZZ
@given(data=st.data())
def test_status_with_a_fuzzed_run_json_exits_2_with_one_line_or_succeeds(finished, method_runs, capsys, data):
    base = _base(method_runs)
    if data.draw(st.booleans()):
        base["status"] = "running"  # (then its configuration and checkpoint are read)
    content = data.draw(st.one_of(edited_json(base), JSON.map(lambda v: json.dumps(v).encode()),
                                  st.binary(max_size=500)))
    (finished / "run.json").write_bytes(content)
    exits_2_with_one_line_or_succeeds(["status", "--runs", str(finished.parent.parent)], capsys)


@FEWER
@given(data=st.data())
def test_sample_with_a_fuzzed_run_json_exits_2_with_one_line_or_succeeds(finished, method_runs, capsys, data):
    (finished / "run.json").write_bytes(data.draw(edited_json(_base(method_runs))))
    exits_2_with_one_line_or_succeeds(["sample", "--run", str(finished), "--n", "2"], capsys)


@pytest.fixture(scope="module")
def record(method_runs, work) -> Path:
    from reproduction.sweeps import records

    stem = work / "results" / "synthetic" / "smoke" / "runs" / "mle_random_s0"
    stem.parent.mkdir(parents=True)
    records.write(method_runs["mle"][0], stem, extras=("samples",))
    return stem


@FUZZ
@given(data=st.data())
def test_a_fuzzed_record_is_restored_only_if_it_reads_and_otherwise_named_with_its_reason(record, work, data):
    from reproduction.sweeps import records

    original = {p: p.read_bytes() for p in record.parent.glob(f"{record.name}*")}
    try:
        part = data.draw(st.sampled_from(sorted(original)))
        if part.suffix == ".json":
            damaged = data.draw(edited_json(json.loads(original[part])))
        else:
            cut = data.draw(st.integers(0, len(original[part])))
            damaged = data.draw(st.one_of(st.just(original[part][:cut]), st.binary(max_size=300)))
        part.write_bytes(damaged)
        cfg = tiny_config(seed=0, method="mle")
        reason = records.unusable(record, cfg, ("samples",))
        assert reason is None or ("\n" not in reason and reason)
        run = work / "restored"
        shutil.rmtree(run, ignore_errors=True)
        assert records.restore(record, run, cfg, ("samples",)) == (reason is None)
    finally:
        for path, content in original.items():
            path.write_bytes(content)


CSV_FIELD = st.one_of(st.sampled_from(["", "mle", "adversarial", "0", "1", "8.123456", "nan", "inf", "-inf", "1e999",
                                       "x", ",", '"', "\n"]), st.floats().map(repr), st.text(max_size=6))


@FUZZ
@given(data=st.data())
def test_a_fuzzed_metrics_csv_raises_one_line_or_reads_rows_of_finite_numbers(finished, method_runs, data):
    from reproduction.run_log import NUMERIC, read_rows

    log = finished / "metrics.csv"
    original = (method_runs["mle"][0] / "metrics.csv").read_bytes()
    lines = original.decode().splitlines()
    edit = data.draw(st.sampled_from(["cut", "field", "line", "bytes"]))
    if edit == "cut":
        content = original[: data.draw(st.integers(0, len(original)))]
    elif edit == "field":
        row = data.draw(st.integers(0, len(lines) - 1))
        fields = lines[row].split(",")
        fields[data.draw(st.integers(0, len(fields) - 1))] = data.draw(CSV_FIELD)
        content = "\n".join([*lines[:row], ",".join(fields), *lines[row + 1:]]).encode("utf-8", "surrogatepass")
    elif edit == "line":
        content = "\n".join([*lines, data.draw(st.lists(CSV_FIELD, max_size=14).map(",".join))]).encode(
            "utf-8", "surrogatepass")
    else:
        content = data.draw(st.binary(max_size=600))
    log.write_bytes(content)
    try:
        rows = raises_one_line_user_error_or_returns(lambda: read_rows(log))
    finally:
        log.write_bytes(original)
    for row in rows or []:  # what it returns is what a table may use: whole rows of finite numbers
        assert all(np.isfinite(float(v)) for k, v in row.items() if k in NUMERIC and v != "")


@FUZZ
@given(arrays=st.dictionaries(st.sampled_from(["tokens", "nll_oracle", "other"]), ARRAY, max_size=3),
       raw=st.one_of(st.none(), st.binary(max_size=400)))
def test_a_fuzzed_samples_file_raises_one_line_or_reads_tokens(work, arrays, raw):
    from reproduction.run_log import read_samples

    path = work / "final_samples.npz"
    path.write_bytes(raw if raw is not None else _npz(arrays))
    samples = raises_one_line_user_error_or_returns(lambda: read_samples(path))
    if samples is not None:
        assert samples["tokens"].ndim == 2 and samples["tokens"].min() >= 0


# ---- the benchmark's samples file (`benchmark --samples`, issue 43) -------------------------------------------
@pytest.fixture(scope="module")
def coco_data():
    from reproduction.publications.text_benchmark import load_data

    return load_data("coco", require_mirror("image_coco/image_coco.txt"))


@FUZZ
@given(content=ENCODED)
@example(content=b"a man rides a horse .\n" + b"word " * 60 + b"\n")
@example(content="a dog\n".encode("utf-16"))
@example(content=b"\xef\xbb\xbf\n\n \n")
def test_a_fuzzed_benchmark_samples_file_is_read_or_refused_in_one_line(coco_data, tmp_path_factory, content):
    from reproduction.publications.text_benchmark import read_samples

    path = tmp_path_factory.mktemp("bench") / "samples.txt"
    path.write_bytes(content)
    try:
        samples, empty = read_samples(path, coco_data)
    except UserError as e:
        assert "\n" not in str(e).strip() and str(path) in str(e)
        return
    assert len(samples) >= 2 and 0 <= empty <= len(samples)
    assert all(len(s) <= coco_data.seq_len for s in samples)


@settings(FUZZ, max_examples=15)
@given(content=ENCODED)
@example(content=b"a man rides a horse .\na woman holds an umbrella .\n")
def test_the_benchmark_command_on_a_fuzzed_samples_file_exits_0_or_2_with_one_line(coco_data, tmp_path_factory,
                                                                                  capsys, content):
    path = tmp_path_factory.mktemp("bench") / "samples.txt"
    path.write_bytes(content)
    code = main(["benchmark", "--corpus", "coco", "--samples", str(path), "--data-mirror", str(MIRROR), "--json"])
    err = capsys.readouterr().err
    assert code in (0, 2)
    if code == 2:
        assert err.startswith("error: ") and err.count("\n") == 1

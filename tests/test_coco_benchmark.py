"""`python -m reproduction benchmark` and `api.benchmark` (text_benchmark.py; issue 43): real COCO training captions
land on the real-data row, the published and the project's rows are shown (or said to be missing), the plane is
drawn, EMNLP News and the project's corpora are scored, NLL-test goes through a generator file, and every bad
input is one line with exit status 2."""

from __future__ import annotations

import json

import numpy as np
import pytest

from reproduction import api
from reproduction.cli import main
from reproduction.datasets.benchmark_view import BenchmarkData
from reproduction.metrics import benchmark_protocols as protocols
from reproduction.publications import text_benchmark
from reproduction.run_log import csv_text
from tests.conftest import require_mirror


def write_lines(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def run(capsys, *args):
    code = main(["benchmark", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def training_captions():
    path = require_mirror("image_coco/image_coco.txt") / "image_coco" / "image_coco.txt"
    return path.read_text(encoding="utf-8").splitlines()


def test_real_training_captions_land_on_the_real_data_row(tmp_path, mirror, capsys, training_captions):
    samples = write_lines(tmp_path / "train1000.txt", training_captions[:1000])
    code, out, _ = run(capsys, "--samples", samples, "--protocol", "corrected", "--data-mirror", mirror,
                       "--results", tmp_path / "results", "--json")
    result = json.loads(out)
    row, real = result["row"], result["real_data"]
    assert code == 0 and row["sentences"] == real["sentences"] == 1000
    assert row["references"] == real["references"] == 10_000 - 15  # test captions equal to a training one dropped
    assert row["self_bleu_sentences"] == real["self_bleu_sentences"] == 1000
    for n in protocols.ORDERS:
        assert row[f"bleu{n}"] == pytest.approx(real[f"bleu{n}"], abs=0.03)
        assert row[f"self_bleu{n}"] == pytest.approx(real[f"self_bleu{n}"], abs=0.03)
    assert 0.15 < row["bleu5"] < 0.25  # Caccia et al.'s training data: BLEU-5 0.19


def test_texygen_protocol_prints_the_published_rows_and_says_ours_are_not_yet_trained(
        tmp_path, mirror, capsys, training_captions):
    samples = write_lines(tmp_path / "s.txt", training_captions[:60])
    code, out, _ = run(capsys, "--samples", samples, "--data-mirror", mirror, "--results", tmp_path / "results")
    assert code == 0
    assert "| SeqGAN, published | 0.745 | 0.498 | 0.294 | 0.180 | 0.950 | 0.840 | 0.670 | 0.489 | 1.082 |" in out
    assert "| MLE, published | 0.731 |" in out and "| your samples |" in out
    assert "not yet trained" in out and "real data" not in out.split("| row |")[1]
    assert "each of the 60 samples against all 10,000 test sentences" in out


def test_the_projects_rows_are_read_from_its_results_when_they_exist(tmp_path, mirror, capsys, training_captions):
    results = tmp_path / "results"
    values = {f"bleu{n}": 0.5 + n / 100 for n in protocols.ORDERS} | {f"self_bleu{n}": 0.4 for n in protocols.ORDERS}
    text_benchmark.write_project_table(results / "coco" / "quick" / text_benchmark.PROJECT_TABLE, "coco", "quick",
                                       [{"label": "MLE, ours", "protocol": "texygen", "seeds": 3, **values}])
    samples = write_lines(tmp_path / "s.txt", training_captions[:30])
    _, out, _ = run(capsys, "--samples", samples, "--data-mirror", mirror, "--results", results)
    assert "| MLE, ours (quick, 3 seeds) | 0.5200 | 0.5300 | 0.5400 | 0.5500 | 0.4000 |" in out
    assert "not yet trained" not in out
    _, out, _ = run(capsys, "--samples", samples, "--data-mirror", mirror, "--results", results,
                    "--protocol", "corrected")
    assert "none under the corrected protocol" in out
    (results / "coco" / "paper").mkdir()
    (results / "coco" / "paper" / text_benchmark.PROJECT_TABLE).write_text('{"rows": [{"protocol": "texygen"}]}')
    _, out, _ = run(capsys, "--samples", samples, "--data-mirror", mirror, "--results", results)
    assert "Unreadable, skipped:" in out and "| MLE, ours (quick, 3 seeds) |" in out


def test_plot_draws_the_bleu5_self_bleu5_plane(tmp_path, mirror, capsys, training_captions, monkeypatch):
    """One point per row, at the BLEU-5 and Self-BLEU-5 the command reports: the samples and, under Texygen's
    protocol, the published rows."""
    import matplotlib.pyplot as plt

    figures = []
    monkeypatch.setattr(plt, "close", lambda fig: figures.append(fig))  # keep the figure to read its points
    samples = write_lines(tmp_path / "s.txt", training_captions[:30])
    png = tmp_path / "figs" / "plane.png"
    code, out, _ = run(capsys, "--samples", samples, "--data-mirror", mirror, "--results", tmp_path, "--plot", png,
                       "--json")
    result = json.loads(out)
    assert code == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and result["plot"] == str(png)
    (ax,) = figures[-1].axes
    drawn = {c.get_label(): tuple(c.get_offsets()[0]) for c in ax.collections}
    rows = [result["row"], *result["published"]]
    assert drawn == {r["label"]: pytest.approx((r["bleu5"], r["self_bleu5"])) for r in rows}
    assert set(drawn) == {"your samples", "SeqGAN, published", "MLE, published"}


def test_api_benchmark_is_the_commands_json(tmp_path, mirror, capsys, training_captions):
    samples = write_lines(tmp_path / "s.txt", training_captions[100:140])
    _, out, _ = run(capsys, "--samples", samples, "--protocol", "corrected", "--data-mirror", mirror,
                    "--results", tmp_path, "--json")
    assert api.benchmark(samples, "coco", protocol="corrected", mirror=mirror, results=tmp_path) == json.loads(out)


@pytest.mark.parametrize("content,message", [
    (None, "no such file"),
    (b"", "no samples (the file is empty)"),
    (b"  \n\n", "no samples (the file is empty)"),
    (b"\xff\xfe a man\n", "not UTF-8"),
    (b"a man riding a horse .\n", "only 1 sample"),
    (b"a dog .\n" + b"a" + b" a" * 37 + b"\n", ":2: 38 tokens, more than the coco sequence length 37"),
])
def test_bad_samples_file_is_one_line_and_exit_status_2(tmp_path, mirror, capsys, content, message):
    path = tmp_path / "samples.txt"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, "--samples", path, "--data-mirror", mirror, "--results", tmp_path)
    assert code == 2 and out == "" and message in err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err


@pytest.mark.parametrize("args,message", [
    (["--corpus", "shakespeare"], "unknown corpus 'shakespeare' for the benchmark: choose one of coco, emnlp_news"),
    (["--protocol", "nltk"], "unknown protocol 'nltk': choose one of texygen, corrected"),
])
def test_unknown_corpus_or_protocol_is_one_line_and_exit_status_2(tmp_path, capsys, args, message):
    samples = write_lines(tmp_path / "s.txt", ["a dog .", "a cat ."])
    code, _, err = run(capsys, "--samples", samples, *args)
    assert code == 2 and message in err and err.count("\n") == 1


def test_emnlp_news_is_scored_against_its_test_file_without_baseline_rows(tmp_path, mirror, capsys):
    samples = write_lines(tmp_path / "s.txt", ["the government said on monday that it would not comment .",
                                               "he said it was a very difficult time for the family ."])
    code, out, _ = run(capsys, "--corpus", "emnlp_news", "--samples", samples, "--data-mirror", mirror, "--json")
    result = json.loads(out)
    assert code == 0 and result["published"] == [] and result["row"]["references"] == 10_000
    assert "No baseline rows" in result["notes"][0] and "not available here" in result["nll_note"]
    assert result["project"] == [] and "no training file" in result["project_note"]
    code, _, err = run(capsys, "--corpus", "emnlp_news", "--samples", samples, "--data-mirror", mirror,
                       "--generator", tmp_path)
    assert code == 2 and "training file" in err and "not available here" in err


@pytest.mark.parametrize("corpus", ["poems", "obama"])
def test_the_projects_corpora_are_scored_against_their_own_splits(tmp_path, mirror, capsys, corpus):
    from reproduction.datasets.registry import load_corpus

    data = load_corpus(corpus, mirror)
    samples = write_lines(tmp_path / "s.txt", [data.decode(row) for row in data.train[:20]])
    _, out, _ = run(capsys, "--corpus", corpus, "--samples", samples, "--data-mirror", mirror, "--json")
    texygen = json.loads(out)
    assert texygen["row"]["references"] == len(data.test) + len(data.probe) and texygen["published"] == []
    _, out, _ = run(capsys, "--corpus", corpus, "--samples", samples, "--data-mirror", mirror, "--json",
                    "--protocol", "corrected")
    corrected = json.loads(out)
    assert corrected["row"]["references"] == len(data.test) and corrected["real_data"]["sentences"] == 20
    assert corrected["row"]["sentences"] == 20 and corrected["real_data"]["label"].endswith("(held-out probe)")


def test_samples_are_set_against_cooled_mle_only_at_the_curves_own_self_bleu_count(tmp_path, mirror, capsys,
                                                                                   training_captions):
    """The frontier: MLE's published temperature curve gives, at the samples' Self-BLEU-5, the BLEU-5 cooled MLE
    reaches; a Self-BLEU-5 over another number of samples than the curve's is not compared."""
    samples = write_lines(tmp_path / "s.txt", training_captions[:40])
    code, out, _ = run(capsys, "--samples", samples, "--data-mirror", mirror, "--results", tmp_path / "r", "--json")
    row = json.loads(out)["row"]
    assert code == 0 and json.loads(out)["cooled_mle"] == []  # no curve published
    dest = tmp_path / "results" / "coco" / "quick"
    dest.mkdir(parents=True)
    points = {0.8: (row["bleu5"] - 0.02, row["self_bleu5"] + 0.1), 1.0: (row["bleu5"] - 0.06, row["self_bleu5"] - 0.1)}
    curve = [{"temperature": t, **{f"{p}_bleu{n}": b for p in protocols.PROTOCOLS for n in protocols.ORDERS},
              **{f"{p}_self_bleu{n}": sb for p in protocols.PROTOCOLS for n in protocols.ORDERS}}
             for t, (b, sb) in points.items()]
    (dest / "frontier.csv").write_text(csv_text(curve, list(curve[0])))
    for count, compared in ((40, True), (10_000, False)):
        text_benchmark.write_project_table(dest / text_benchmark.PROJECT_TABLE, "coco", "quick", [
            {"label": "MLE", "protocol": "texygen", "seeds": 3, "self_bleu_sentences": count, "bleu5": 0.2,
             "self_bleu5": 0.4}])
        result = api.benchmark(samples, "coco", mirror=mirror, results=tmp_path / "results")
        cooled, = result["cooled_mle"]
        assert cooled["profile"] == "quick" and [t for t, _, _ in cooled["curve"]] == [0.8, 1.0]
        if compared:  # halfway between the two temperatures, in Self-BLEU-5 and so in BLEU-5
            assert (cooled["temperature"], cooled["difference"]) == pytest.approx((0.9, 0.04))
            assert "MLE sampled at T = 0.90 reaches BLEU-5" in text_benchmark.markdown(result)
            assert cooled["order"] == 5
        else:
            assert cooled["difference"] is None
            assert "score 10,000 samples to set them against it" in text_benchmark.markdown(result)
    api.benchmark(samples, "coco", mirror=mirror, results=tmp_path / "results", plot=tmp_path / "plane.png")
    assert (tmp_path / "plane.png").read_bytes()[:4] == b"\x89PNG"
    (dest / "frontier.csv").write_text("temperature,texygen_bleu5\n0.8,not a number\n")
    result = api.benchmark(samples, "coco", mirror=mirror, results=tmp_path / "results", plot=tmp_path / "plane.png")
    assert result["cooled_mle"] == [{"profile": "quick", "file": str(dest / "frontier.csv"), "unreadable": True}]
    assert "frontier.csv is damaged or lacks this protocol's columns; skipped" in text_benchmark.markdown(result)


# --- NLL-test through a generator file -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A generator .keras file of vocabulary 12 and length 6, and benchmark data of that shape."""
    from oracle.network import LSTMNetwork
    from oracle.shape import LSTMShape
    from reproduction.training.export import save_keras

    network = LSTMNetwork(LSTMShape(vocab_size=12, emb_dim=4, hidden_dim=5, seq_len=6))
    rng = np.random.default_rng(0)
    for variable in network.weights:
        variable.assign(rng.normal(0, 1.0, variable.shape).astype(np.float32))
    path = save_keras(network, tmp_path_factory.mktemp("tiny") / "generator.keras")
    ids = np.zeros((130, 6), np.int32)  # 0: end and padding
    for row in ids:
        length = rng.integers(1, 7)
        row[:length] = rng.integers(1, 12, length)
    words = [[f"w{i}" for i in range(k, k + 3)] for k in range(8)]
    data = BenchmarkData(
        name="coco", description="tiny", seq_len=6, tokenize=str.split, texygen_references=words,
        corrected_references=words[:4], probe=words[4:], vocab_size=12, train_ids=ids, heldout_ids=ids[:40],
        end_token=0)
    return path, network, data


@pytest.mark.parametrize("protocol", protocols.PROTOCOLS)
def test_generator_file_adds_the_protocols_nll_test(tmp_path, monkeypatch, tiny, protocol):
    path, network, data = tiny
    monkeypatch.setattr(text_benchmark, "load_data", lambda corpus, mirror=None: data)
    samples = write_lines(tmp_path / "s.txt", ["w1 w2 w3", "w2 w3 w4", "w5 w6"])
    result = text_benchmark.benchmark(samples, "coco", protocol, generator=path, results=tmp_path)
    if protocol == "texygen":
        expected = protocols.nll_texygen(network, data.train_ids)  # 2 whole batches of 64 training sequences
    else:
        expected = protocols.nll_heldout(network, data.heldout_ids, 0)
    assert result["row"]["nll_test"] == pytest.approx(expected[0], abs=1e-6)
    assert result["row"]["nll_sentences"] == expected[1] == (128 if protocol == "texygen" else 40)
    assert "NLL-test (" + protocol + ")" in result["nll_note"]


def test_generator_of_another_shape_is_one_line_and_exit_status_2(tmp_path, mirror, capsys, tiny,
                                                                     training_captions):
    samples = write_lines(tmp_path / "s.txt", training_captions[:5])
    code, _, err = run(capsys, "--samples", samples, "--data-mirror", mirror, "--generator", tiny[0])
    assert code == 2 and err.count("\n") == 1
    assert "a generator of vocabulary 12 and length 6, but the coco corpus has 4681 and 37" in err

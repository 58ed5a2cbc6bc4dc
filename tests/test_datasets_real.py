"""The real-world corpora (paper Section 5): sizes, token ranges, fixed disjoint splits (training, references,
real-data probe), decoding and layout for readers, the MIDI writer and reader, and clear errors for bad
input."""

from __future__ import annotations

import shutil
import zipfile

import numpy as np
import pretty_midi
import pytest

from reproduction.datasets import download, nottingham, nottingham_split, obama, poems
from reproduction.datasets.corpus import Corpus, split_held_out
from reproduction.datasets.registry import load_corpus
from reproduction.errors import UserError

FIRST_POEM = "秦川雄帝宅函谷壮皇居绮殿千寻起离宫百雉余"


def row_of(corpus, origin):
    """The token row whose origin is `origin`, from train, test (references) or probe."""
    for rows, origins in ((corpus.train, corpus.train_origin), (corpus.test, corpus.test_origin),
                          (corpus.probe, corpus.probe_origin)):
        if origin in origins:
            return rows[origins.index(origin)]
    raise AssertionError(f"{origin} in neither split")


# --- names and options ----------------------------------------------------------------------------------------

def test_unknown_corpus_name_lists_the_valid_ones():
    with pytest.raises(UserError, match="unknown corpus 'shakespeare'; choose one of poems, obama, nottingham"):
        load_corpus("shakespeare")


def test_unknown_or_bad_option_is_a_user_error(mirror):
    with pytest.raises(UserError, match="unknown option 'max_length' for ObamaOptions; valid options: max_len"):
        load_corpus("obama", mirror, max_length=20)
    with pytest.raises(UserError, match="test_fraction must be between 0 and 1"):
        load_corpus("poems", mirror, test_fraction=1.5)
    with pytest.raises(UserError, match="rest must be one of hold, token"):
        load_corpus("nottingham", mirror, rest="skip")


# --- Chinese quatrains ------------------------------------------------------------------------------------------

def test_poems_sizes_ranges_and_first_poem(mirror):
    corpus = load_corpus("poems", mirror)
    assert (len(corpus.train), len(corpus.test), len(corpus.probe), corpus.seq_len) == (14_755, 1_268, 300, 20)
    assert corpus.info["held_out"] == 1_639 and corpus.info["held_out_also_in_train"] == 71
    assert corpus.train.dtype == corpus.test.dtype == corpus.probe.dtype == np.int32
    assert corpus.vocab[:2] == ("<s>", "<unk>") and corpus.vocab_size == 4_703
    assert corpus.train.min() >= 2 and corpus.train.max() < corpus.vocab_size  # no start token, no <unk>
    assert corpus.test.min() >= 1 and corpus.test.max() < corpus.vocab_size
    assert corpus.decode(row_of(corpus, "shi.txt:1")) == FIRST_POEM
    assert set(corpus.train_origin).isdisjoint(corpus.test_origin)
    assert len(set(corpus.train_origin) | set(corpus.test_origin) | set(corpus.probe_origin)) == 16_394 - 71


def test_poems_with_punctuation_are_24_tokens_and_cached_apart(mirror):
    with_punct = load_corpus("poems", mirror, keep_punctuation=True)
    assert with_punct.seq_len == 24
    assert with_punct.decode(row_of(with_punct, "shi.txt:1")) == "秦川雄帝宅，函谷壮皇居。绮殿千寻起，离宫百雉余。"
    assert load_corpus("poems", mirror).seq_len == 20  # another cache file, not the stale one
    assert len(list((download.data_dir() / "real" / "poems").glob("corpus-*.npz"))) >= 2


def test_poems_split_is_fixed_by_its_seed(mirror, tmp_path, monkeypatch):
    first = load_corpus("poems", mirror)
    monkeypatch.setenv(download.DATA_DIR_ENV, str(tmp_path))  # no cache: built again from shi.txt
    again = load_corpus("poems", mirror)
    np.testing.assert_array_equal(first.train, again.train)
    np.testing.assert_array_equal(first.test, again.test)
    np.testing.assert_array_equal(first.probe, again.probe)
    assert load_corpus("poems", mirror, split_seed=1).test_origin != first.test_origin


def rows_of(rows):
    return {r.tobytes() for r in rows}


@pytest.mark.parametrize("name", ["poems", "obama"])
def test_the_probe_and_the_references_are_held_out_and_disjoint(mirror, name):
    corpus = load_corpus(name, mirror)
    train, refs, probe = (set(o) for o in (corpus.train_origin, corpus.test_origin, corpus.probe_origin))
    assert train.isdisjoint(refs) and train.isdisjoint(probe) and refs.isdisjoint(probe)  # by row
    # and by content: no reference or probe sequence is also a training sequence, no probe sequence a reference
    assert rows_of(corpus.test).isdisjoint(rows_of(corpus.train))
    assert rows_of(corpus.probe).isdisjoint(rows_of(corpus.train) | rows_of(corpus.test))
    # the training split does not depend on the probe: runs trained before it existed keep their data
    smaller = load_corpus(name, mirror, probe_size=50)
    np.testing.assert_array_equal(smaller.train, corpus.train)
    assert smaller.vocab == corpus.vocab and len(smaller.test) == len(corpus.test) + 250


def test_references_option_takes_a_seeded_subset_and_is_validated(mirror):
    full = load_corpus("poems", mirror)
    some = load_corpus("poems", mirror, references=500)
    assert len(some.test) == 500 and set(some.test_origin) <= set(full.test_origin)
    assert some.probe_origin == full.probe_origin
    for bad, message in (({"references": 0}, "references must be a positive integer or None"),
                         ({"references": 2.5}, "references must be a positive integer or None"),
                         ({"probe_size": 1}, "probe_size must be an integer >= 2"),
                         ({"probe_size": True}, "probe_size must be an integer >= 2"),
                         ({"references": 1_269}, "references 1269 is more than the 1268 held-out sequences left"),
                         ({"probe_size": 1_600}, "probe_size 1600 is more than the 1558 held-out sequences")):
        with pytest.raises(UserError, match=message):
            load_corpus("poems", mirror, **bad)


def test_two_processes_building_the_same_corpus_build_it_once(tmp_path, monkeypatch):
    import threading
    import time

    from reproduction.datasets.corpus import cached

    monkeypatch.setenv("SEQGAN_DATA_DIR", str(tmp_path))
    builds = []

    def build() -> Corpus:
        builds.append(1)
        time.sleep(0.3)  # long enough for the other caller to arrive while this one builds
        return Corpus(name="poems", train=np.ones((4, 3), np.int32), test=np.ones((2, 3), np.int32),
                      vocab=("-", "a"), probe=np.ones((1, 3), np.int32))

    got = []
    callers = [threading.Thread(target=lambda: got.append(cached("poems", poems.PoemOptions(), build)))
               for _ in range(2)]  # two open lock files, as two processes hold them
    for t in callers:
        t.start()
    for t in callers:
        t.join()
    assert len(builds) == 1
    assert len(got) == 2 and all(np.array_equal(c.train, got[0].train) for c in got)


def test_held_out_split_drops_training_copies_and_keeps_groups_and_duplicates_out_of_the_probe():
    train = np.array([[1, 1], [2, 2]])
    held = np.array([[1, 1], [3, 3], [4, 4], [5, 5], [5, 5], [6, 6], [7, 7], [8, 8]])
    groups = ["a", "b", "b", "c", "d", "e", "e", "f"]
    for seed in range(20):
        part = split_held_out(held, train, 2, None, seed, "t", groups)
        assert 0 not in part.references and 0 not in part.probe  # a copy of training data is neither
        assert 3 not in part.probe and 4 not in part.probe  # [5, 5] occurs in two groups: never probed
        probe_groups = {groups[i] for i in part.probe}
        assert not probe_groups & {groups[i] for i in part.references}  # no group on both sides
        assert rows_of(held[part.probe]).isdisjoint(rows_of(held[part.references]))
        assert len(part.probe) == 2 and part.info["held_out_also_in_train"] == 1


def test_a_malformed_poem_line_names_the_line(tmp_path):
    bad = tmp_path / "shi.txt"
    bad.write_text("秦 川 雄 帝 宅 ， 函 谷 壮 皇 居 。\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"shi.txt:1: expected a quatrain .* got 12 tokens"):
        poems.read_poems(bad)


# --- Obama speeches ---------------------------------------------------------------------------------------------

def test_obama_sizes_ranges_and_first_paragraph(mirror):
    corpus = load_corpus("obama", mirror)
    assert (len(corpus.train), len(corpus.test), len(corpus.probe), corpus.seq_len) == (9_428, 722, 300, 32)
    assert corpus.vocab[:2] == ("<eos>", "<unk>") and corpus.vocab_size == 5_000
    for rows in (corpus.train, corpus.test, corpus.probe):
        assert rows.min() >= 0 and rows.max() < corpus.vocab_size
        assert (rows[:, 0] != 0).all()  # every paragraph has words
    assert set(corpus.train_origin).isdisjoint(corpus.test_origin)
    first = (mirror / "obama/input.txt").read_text(encoding="utf-8").split("\n")[0]
    words = obama.tokenize(first)[:32]
    expected = " ".join(w if w in corpus.vocab else "<unk>" for w in words)
    assert corpus.decode(row_of(corpus, "input.txt:1")) == expected
    assert expected.startswith("to chip , <unk> , and nancy , who <unk> shared your father")


def test_obama_counts_the_papers_11092_with_the_blank_lines(mirror):
    corpus = load_corpus("obama", mirror, keep_blank_lines=True, max_len=8, vocab_size=100)
    assert len(corpus.train) + corpus.info["held_out"] == 11_092
    assert corpus.seq_len == 8 and corpus.train.max() < 100


def test_obama_decode_stops_at_the_end_token():
    corpus = Corpus(name="t", train=np.zeros((1, 4), np.int32), test=np.zeros((1, 4), np.int32),
                    vocab=("<eos>", "<unk>", "yes", "we"), end_token=0)
    assert corpus.decode([2, 3, 0, 2]) == "yes we"
    with pytest.raises(UserError, match="token id 7 outside the t vocabulary of 4"):
        corpus.decode([7])


def test_obama_tokenisation():
    assert obama.tokenize("He wasn’t there — “Well-being…” costs $5.") == [
        "he", "wasn't", "there", "--", '"', "well-being", "...", '"', "costs", "$", "5", "."]
    assert obama.tokenize("Yes We Can", lowercase=False) == ["Yes", "We", "Can"]


def test_obama_detokenisation_reads_like_text():
    text = 'and i said : " we can\'t wait . " ( applause . ) it costs $ 5 -- that\'s 10 % of the parents \' money ?'
    assert obama.detokenize(text.split()) == ('And I said: "we can\'t wait." (Applause.) It costs $5 -- that\'s 10% '
                                              "of the parents' money?")
    assert obama.detokenize(["we", "do", "n't", "know", "<unk>", ".", "i", "'m", "here"]) == \
        "We don't know ⟨unk⟩. I'm here"
    assert obama.detokenize(["i", "do", "n't", "."], capitalize=False) == "i don't."
    words = obama.tokenize("He said: \"We can't wait.\" (Applause.) It's $5 -- that's 10%, isn't it?")
    assert obama.detokenize(words) == "He said: \"we can't wait.\" (Applause.) It's $5 -- that's 10%, isn't it?"


def test_poems_are_laid_out_as_quatrains():
    assert poems.quatrain(list(FIRST_POEM)) == ["秦川雄帝宅", "函谷壮皇居", "绮殿千寻起", "离宫百雉余"]
    punctuated = list("秦川雄帝宅，函谷壮皇居。绮殿千寻起，离宫百雉余。")
    assert poems.quatrain(punctuated) == ["秦川雄帝宅，", "函谷壮皇居。", "绮殿千寻起，", "离宫百雉余。"]
    assert poems.quatrain(list("秦川，雄帝宅函谷壮皇居")) == ["秦川，", "雄帝宅函谷壮皇居"]  # the sample's own marks
    assert poems.quatrain(["秦", "<unk>", *"雄帝宅函谷壮皇居绮殿千寻起离宫百雉余"])[0] == "秦□雄帝宅"


# --- Nottingham -------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_nottingham_sizes_split_and_tokens(mirror):
    corpus = load_corpus("nottingham", mirror)  # parses all 1,037 files once (then cached)
    assert (len(corpus.train), len(corpus.test), len(corpus.probe), corpus.seq_len, corpus.vocab_size) == \
        (3_147, 527, 250, 32, 89)
    assert corpus.info["held_out"] == 794
    info = corpus.info
    assert (info["midi_files"], info["listed_in_original_split"], info["placed_by_matching"],
            info["left_out"]) == (1_037, 941, 92, 4)
    assert (info["pieces_train"], info["pieces_valid"], info["pieces_test"]) == (690, 173, 170)
    for rows in (corpus.train, corpus.test, corpus.probe):
        assert rows.min() >= 1 and rows.max() <= 88  # rests held: only the 88 keys
    train_pieces, test_pieces, probe_pieces = ({o.split("@")[0] for o in origins} for origins in (
        corpus.train_origin, corpus.test_origin, corpus.probe_origin))
    assert train_pieces.isdisjoint(test_pieces) and len(test_pieces | probe_pieces) <= 170
    assert probe_pieces.isdisjoint(test_pieces | train_pieces)  # the probe's pieces give no reference window
    assert rows_of(corpus.probe).isdisjoint(rows_of(corpus.train) | rows_of(corpus.test))
    assert corpus.decode(row_of(corpus, "ashover_simple_chords_1.mid@0"))[:29] == "E5 D5 D5 D5 B4 A4 A4 C5 C5 B4"
    overlapping = load_corpus("nottingham", mirror, stride=16)  # windows only: the pieces come from the cache
    assert len(overlapping.train) > len(corpus.train)
    for k in (0, 1, 500, len(corpus.train) - 1):  # every non-overlapping window is among the overlapping ones
        origin = corpus.train_origin[k]
        np.testing.assert_array_equal(overlapping.train[overlapping.train_origin.index(origin)], corpus.train[k])


def test_the_original_split_folders(mirror):
    listed = nottingham_split.folder_splits(download.fetch("nottingham_split", mirror))
    assert len(listed) == 941
    assert [sum(s == k for s in listed.values()) for k in nottingham_split.SPLITS] == [630, 157, 154]


def test_melody_of_a_known_file(mirror):
    with zipfile.ZipFile(download.fetch("nottingham_midi", mirror)) as z:
        data = z.read("Nottingham/train/ashover_simple_chords_1.mid")
    tokens = nottingham.melody_tokens(nottingham.read_midi(data))
    # E5 0-0.5 s, D5 0.5-1.5, B4 1.5-2, A4 2-2.75, B4 2.75-3, C5 3-3.5 (sampled at 0.2, 0.6, ..., 3.0, 3.4)
    assert list(tokens[:9] + 20) == [76, 74, 74, 74, 71, 69, 69, 72, 72]


def test_rests_and_overlaps():
    midi = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    melody = pretty_midi.Instrument(0, name="tune")
    melody.notes += [pretty_midi.Note(90, 60, 0.0, 0.4), pretty_midi.Note(90, 67, 0.0, 0.8),  # overlap
                     pretty_midi.Note(90, 62, 1.2, 1.6)]  # after a rest 0.8-1.2
    midi.instruments.append(melody)
    assert list(nottingham.melody_tokens(midi, 0.4, "hold")) == [67 - 20, 67 - 20, 67 - 20, 62 - 20]
    assert list(nottingham.melody_tokens(midi, 0.4, "token")) == [67 - 20, 67 - 20, 0, 62 - 20]


@pytest.mark.parametrize("rest", ["hold", "token"])
def test_midi_writer_and_reader_round_trip(tmp_path, rest):
    tokens = np.array([40, 40, 42, 44, 44, 44, 45, 1, 88, 88, 47, 45, 0, 0, 44, 42] * 2, dtype=np.int32)
    if rest == "hold":
        tokens[tokens == 0] = 33
    path = tmp_path / "sample.mid"
    nottingham.write_midi(tokens, path)
    np.testing.assert_array_equal(nottingham.read_tokens_midi(path, rest=rest), tokens)
    assert pretty_midi.PrettyMIDI(str(path)).get_end_time() == pytest.approx(32 * 0.4)  # 12.8 s


def test_midi_errors_name_the_problem(tmp_path):
    with pytest.raises(UserError, match="token 89 is not a Nottingham token"):
        nottingham.write_midi([1, 89], tmp_path / "x.mid")
    junk = tmp_path / "junk.mid"
    junk.write_bytes(b"not a midi file")
    with pytest.raises(UserError, match=r"junk\.mid: not a readable MIDI file"):
        nottingham.read_tokens_midi(junk)


# --- sources ----------------------------------------------------------------------------------------------------

def test_a_corrupted_mirror_file_is_named(mirror, tmp_path):
    target = tmp_path / "chinese_poems/shi.txt"
    target.parent.mkdir(parents=True)
    shutil.copy(mirror / "chinese_poems/shi.txt", target)
    with open(target, "r+b") as f:
        f.seek(100)
        f.write(b"\x00")
    with pytest.raises(UserError, match=r"chinese_poems/shi.txt has sha256 .* expected ac03c5fb"):
        load_corpus("poems", tmp_path)


def test_a_file_missing_from_the_mirror_says_where_to_get_it(tmp_path):
    with pytest.raises(UserError, match=r"obama/input\.txt is not in the data mirror") as err:
        load_corpus("obama", tmp_path)
    assert "raw.githubusercontent.com/samim23/obama-rnn" in str(err.value)


def test_every_real_data_file_is_registered_and_in_the_mirror(mirror):
    for name in ("shi", "obama", "nottingham_midi", "nottingham_split", "nottingham_pianoroll"):
        assert download.fetch(name, mirror).is_file()

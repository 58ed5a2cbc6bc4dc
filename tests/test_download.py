"""Public data files: mirror, sha256 check, and clear messages when a file cannot be had."""

from __future__ import annotations

import shutil
import urllib.error

import pytest

from reproduction.datasets import download
from reproduction.errors import UserError


def test_mirror_file_is_verified_and_used(mirror):
    path = download.fetch("target_params_py3", mirror)
    assert path == mirror / "seqgan_original/target_params_py3.pkl"


def test_mirror_from_the_environment_variable(mirror, monkeypatch):
    monkeypatch.setenv(download.MIRROR_ENV, str(mirror))
    assert download.fetch("experiment_log").name == "experiment-log.txt"


def test_corrupt_mirror_file_fails_its_checksum(mirror, tmp_path):
    target = tmp_path / "seqgan_original/target_params_py3.pkl"
    target.parent.mkdir(parents=True)
    shutil.copy(mirror / "seqgan_original/target_params_py3.pkl", target)
    with open(target, "r+b") as f:
        f.seek(1000)
        f.write(b"\x00\x01\x02")
    with pytest.raises(UserError, match=r"sha256 .* expected 5ac794a6"):
        download.fetch("target_params_py3", tmp_path)


def test_file_missing_from_the_mirror_says_where_it_looked(tmp_path):
    with pytest.raises(UserError, match="not in the data mirror") as err:
        download.fetch("target_params_py3", tmp_path)
    assert "raw.githubusercontent.com/LantaoYu/SeqGAN" in str(err.value)


def test_no_network_says_how_to_use_a_mirror(monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(download.urllib.request, "urlopen", offline)
    with pytest.raises(UserError, match="--data-mirror"):
        download.fetch("target_params_py3")


class FakeResponse:
    """What urllib.request.urlopen returns, serving `payload`."""

    def __init__(self, payload: bytes):
        self.payload = payload

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def read(self):
        return self.payload


def test_a_download_with_the_wrong_checksum_saves_nothing(monkeypatch):
    monkeypatch.setattr(download.urllib.request, "urlopen", lambda *a, **k: FakeResponse(b"not the file"))
    with pytest.raises(UserError, match="nothing was saved"):
        download.fetch("target_params_py3")
    assert not (download.data_dir() / "downloads/seqgan_original/target_params_py3.pkl").exists()


def test_a_good_download_is_cached(mirror, monkeypatch):
    payload = (mirror / "seqgan_original/experiment-log.txt").read_bytes()
    monkeypatch.setattr(download.urllib.request, "urlopen", lambda *a, **k: FakeResponse(payload))
    path = download.fetch("experiment_log")
    assert path.read_bytes() == payload
    monkeypatch.setattr(download.urllib.request, "urlopen", lambda *a, **k: 1 / 0)  # cache hit: no network
    assert download.fetch("experiment_log") == path

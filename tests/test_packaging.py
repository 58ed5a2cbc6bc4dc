"""Packaging: the wheel built from pyproject.toml installs into a fresh virtual environment and works from outside
the source tree: the `seqgan` console script, `import reproduction.api` (without TensorFlow), the package data.

The fresh environment reuses the project's installed TensorFlow instead of downloading it: `venv
--system-site-packages` would not do, since a venv made by a venv's Python sees the *base* interpreter's
site-packages, not the project venv's. So the new venv gets a .pth file naming the running interpreter's
site-packages: that directory is appended to sys.path after the new venv's own (the installed wheel wins) and
its own .pth files are not processed (an editable install there could not leak in). The wheel is built from a
copy of the sources (no build/ or .egg-info in the work tree), offline (--no-build-isolation --no-index).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from reproduction import api
from tests.conftest import ROOT

COMMANDS = ("train", "evaluate", "sample", "reproduce", "bleu", "bench")


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INDEX="1", TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, env=env)
    assert result.returncode == 0, f"{args}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("reproduction", "oracle"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    run(sys.executable, "-m", "pip", "wheel", src, "--no-deps", "--no-build-isolation", "--no-index", "-w",
        base / "dist", "-q", cwd=base)
    built, = (base / "dist").glob("seqgan_reproduction-*.whl")
    return built


def test_the_wheel_holds_both_packages_and_the_console_script(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("reproduction/api.py", "reproduction/cli/__init__.py", "reproduction/training/export.py",
                   "oracle/network.py", "oracle/lstm.py"):
        assert needed in names
    assert not [n for n in names if n.split("/")[0] in ("tests", "examples", "data", "results", "docs")]
    data = (".csv", ".png", ".pkl", ".txt")
    assert not [n for n in names if n.endswith(data) and ".dist-info/" not in n]  # no copy of anyone's data
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "seqgan = reproduction.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_installed_wheel_works_outside_the_source_tree(wheel, tmp_path):
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path)
                .stdout.strip())
    (site / "project-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # TensorFlow, pip, ...
    run(python, "-m", "pip", "install", "--no-deps", "-q", wheel, cwd=tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    help_text = run(venv / "bin" / "seqgan", "--help", cwd=elsewhere).stdout
    assert all(c in help_text for c in COMMANDS)
    assert help_text == run(python, "-m", "reproduction", "--help", cwd=elsewhere).stdout

    code = ("import json, sys, oracle, reproduction, reproduction.api; "
            "print(json.dumps({'files': [oracle.__file__, reproduction.__file__], "
            "'tensorflow': 'tensorflow' in sys.modules}))")
    out = json.loads(run(python, "-c", code, cwd=elsewhere).stdout)
    assert all(Path(f).is_relative_to(venv) for f in out["files"]), out["files"]
    assert out == {**out, "tensorflow": False}

    # the console script computes: BLEU needs no TensorFlow, so this is quick
    (elsewhere / "r.txt").write_text("a b c d\nb c d e\n")
    (elsewhere / "h.txt").write_text("a b c e\nc d e\n")
    result = json.loads(run(venv / "bin" / "seqgan", "bleu", "--references", "r.txt", "--hypotheses", "h.txt",
                            "--n", "2", "--json", cwd=elsewhere).stdout)
    assert result["bleu_2"] == api.bleu(elsewhere / "r.txt", elsewhere / "h.txt", 2)

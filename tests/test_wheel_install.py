"""`pip install xstress` from a wheel, then `xstress demo` and `xstress ls` outside any checkout, in a terminal.

The wheel is built from a copy of the sources (nothing is written into the checkout) and installed into a fresh
venv. Its dependencies (torch alone is gigabytes, and there is no network in CI) come from the running
environment's site-packages, added by a .pth line after the venv's own: that adds the folder only, so an
editable install of the checkout living there is not activated, and the test checks that xstress is imported
from the venv. The commands run from an empty temporary folder with no PYTHONPATH.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from ptyrun import run_in_pty

REPO = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "perturb", "harness", "data")

pytestmark = pytest.mark.wheel


def _copy_sources(dst: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
    dst.mkdir(parents=True)
    for name in SOURCES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dst / name, symlinks=True, ignore=ignore)  # perturb/resources/sample -> data
        else:
            shutil.copy2(src, dst / name)
    return dst


def _run(*cmd, **kw) -> str:
    res = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120, **kw)
    assert res.returncode == 0, f"{cmd}\n{res.stdout}\n{res.stderr}"
    return res.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv with the freshly built wheel installed; returns the venv's root."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = _copy_sources(tmp / "src")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", tmp / "dist", src)
    [wheel] = (tmp / "dist").glob("xstress-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "perturb/resources/sample/xnli/test/de.tsv" in names and "perturb/resources/sample/README.md" in names
    assert "perturb/resources/lex/contract/muse/en-de.txt" in names
    assert not [n for n in names if n.startswith(("tests/", "data/", "benchmarks/"))]
    [meta_name] = [n for n in names if n.endswith(".dist-info/METADATA")]
    meta = zipfile.ZipFile(wheel).read(meta_name).decode("utf-8").splitlines()
    assert "License-Expression: Apache-2.0" in meta  # the SPDX string, not the deprecated table
    # lm-eval's `hf` model imports accelerate: the extra that runs exported tasks must bring it.
    assert {line.split(";")[0].split(">=")[0].split(" ")[-1] for line in meta
            if line.startswith("Requires-Dist:") and "extra == \"lm-eval\"" in line} == {"lm_eval", "accelerate"}
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    [site] = (venv / "lib").glob("python3*/site-packages")
    deps = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "_xstress_test_dependencies.pth").write_text("".join(f"{d}\n" for d in deps), encoding="utf-8")
    _run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--no-deps", "--no-index",
         "-q", wheel)
    return venv


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    return {**env, "OMP_NUM_THREADS": "1", "TERM": "xterm"}


def test_installed_package_is_imported_from_the_venv(installed, tmp_path):
    out = _run(installed / "bin" / "python", "-c",
               "import perturb, harness, perturb.sample as s; print(perturb.__file__); print(harness.__file__); "
               "print(s.sample_data_dir())", cwd=tmp_path, env=_env())
    assert all(line.startswith(str(installed)) for line in out.splitlines()), out
    assert str(REPO) not in out


def test_demo_and_ls_run_from_the_wheel_in_a_terminal(installed, tmp_path):
    xstress = str(installed / "bin" / "xstress")
    code, out = run_in_pty([xstress, "demo", "--out", "demo-out"], cwd=tmp_path, env=_env(), timeout=300)
    assert code == 0 and "Traceback" not in out, out
    report = tmp_path / "demo-out" / "report" / "xnli"
    assert (report / "results.json").is_file() and (report / "summary.md").is_file()
    assert f"{installed}" in out  # the sample it perturbed is the installed package's
    code, out = run_in_pty([xstress, "ls"], cwd=tmp_path, env=_env(), timeout=60)
    assert code == 0 and "char.swap" in out and "Traceback" not in out, out
    code, out = run_in_pty([xstress, "ls", "demo-out/attacks/xnli"], cwd=tmp_path, env=_env(), timeout=60)
    assert code == 0 and "languages (15)" in out and "xstress:" in out, out

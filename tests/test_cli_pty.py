"""Every `xstress` command run in a real terminal (a pty), with and without progress bars: exit status, no traceback.

The other CLI tests call main() with captured streams, where nothing is a TTY, so progress bars never start;
here stdout and stderr are a terminal, as when a user types the README's commands.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from harness.cli import COMMANDS
from ptyrun import run_in_pty
from tinymodels import tiny_models  # noqa: F401

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data"
ENV = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1", "TERM": "xterm"}
ENV.pop("NO_COLOR", None)


def xstress(*args, cwd=None, timeout=120.0) -> tuple[int, str]:
    return run_in_pty([sys.executable, "-m", "harness.cli", *map(str, args)], cwd=cwd, env=ENV, timeout=timeout)


def ok(*args, **kw) -> str:
    code, out = xstress(*args, **kw)
    assert code == 0 and "Traceback" not in out, out
    return out


def test_help_of_every_command():
    assert "xstress" in ok("--version")
    for name in COMMANDS:
        assert "usage: xstress " + name in ok(name, "--help")


@pytest.fixture(scope="module")
def attacks(tmp_path_factory) -> Path:
    """An attack set written by `perturb` with its progress bar on (the path that crashed in 0.2.0)."""
    out = tmp_path_factory.mktemp("pty") / "atk"
    text = ok("perturb", "--task", "xnli", "--data", SAMPLE / "xnli", "--langs", "de,hi",
              "--ops", "char.swap,logic.negate", "--out", out)
    assert f"wrote {out}" in text and "perturb" in text
    return out


def test_perturb_quiet_prints_nothing(attacks, tmp_path):
    text = ok("perturb", "--task", "xnli", "--data", SAMPLE / "xnli", "--langs", "de,hi",
              "--ops", "char.swap,logic.negate", "--out", tmp_path / "q", "--quiet")
    assert text.strip() == ""
    assert (tmp_path / "q" / "manifest.json").read_bytes() == (attacks / "manifest.json").read_bytes()


def test_perturb_xcopa_and_shards_then_merge(tmp_path):
    ok("perturb", "--task", "xcopa", "--data", SAMPLE / "xcopa", "--langs", "et,zh", "--ops", "char.swap",
       "--out", tmp_path / "x")
    for i in (1, 2):
        ok("perturb", "--task", "xnli", "--data", SAMPLE / "xnli", "--langs", "de", "--ops", "char.swap",
           "--shard", f"{i}/2", "--out", tmp_path / f"s{i}")
    ok("merge", tmp_path / "s1", tmp_path / "s2", "--out", tmp_path / "m")
    assert (tmp_path / "m" / "xnli" / "de" / "char.swap.jsonl").is_file() and "shard" not in \
        (tmp_path / "m" / "manifest.json").read_text(encoding="utf-8")


def test_ls(attacks):
    assert "char.swap" in ok("ls")
    assert "not applicable" in ok("ls", "--task", "xcopa", "--recipe", "default")
    held = ok("ls", attacks)
    assert "char.swap" in held and "de" in held and "xstress:" in held


def test_errors_are_one_line_without_traceback(tmp_path):
    code, out = xstress("perturb", "--task", "xnli", "--data", SAMPLE / "xnli", "--langs", "xx",
                        "--out", tmp_path / "o")
    assert code == 2 and "Traceback" not in out and "xstress perturb: error:" in out
    code, out = xstress("report", "--results", tmp_path / "nowhere")
    assert code == 2 and "Traceback" not in out


def test_score_report_export(attacks, tiny_models, tmp_path):  # noqa: F811
    common = ("--attacks", attacks, "--model", f"a={tiny_models.classifier}", "--cache", "none",
              "--bootstrap", "50", "--device", "cpu")
    ok("score", *common, "--out", tmp_path / "r1")
    assert json.loads((tmp_path / "r1" / "results.json").read_text(encoding="utf-8"))["task"] == "xnli"
    ok("score", *common, "--out", tmp_path / "r2", "--no-progress")
    assert ok("report", "--results", tmp_path / "r1", "--quiet").startswith("wrote ")  # no table
    ok("export", "--attacks", attacks, "--to", "xtreme", "--out", tmp_path / "xtreme")
    assert ok("export", "--attacks", attacks, "--to", "xnli1", "--out", tmp_path / "x1", "--quiet").strip() == ""


def test_fetch_from_a_local_copy(tmp_path):
    muse = REPO / "tests" / "fixtures" / "lex" / "muse"
    ok("fetch", "muse", "--langs", "de", "--data", muse, "--out", tmp_path / "d")
    assert (tmp_path / "d" / "muse" / "en-de.txt").is_file()
    ok("fetch", "muse", "--langs", "fr", "--data", muse, "--out", tmp_path / "e", "--quiet")

"""The peers' optional environment (nlpaug, TextAttack) and a client for `_peer_worker.py` running inside it.

The peers never enter the project's .venv: TextAttack pins `transformers<5` while xstress uses 5.x. The
environment lives in `benchmarks/.peers-venv` (git-ignored) and is built on first use:

1. a venv from the interpreter running the benchmark;
2. `nlpaug` (pure Python);
3. torch *before* TextAttack, so pip does not pull a multi-GB CUDA build: the same version as the project's
   torch (a `+cpu` build comes from the configured wheel source, else PyTorch's CPU index);
4. `transformers<5` and `textattack`;
5. TextAttack's import-time needs, offline: its post-install marker (otherwise the import downloads NLTK
   data) in a private cache dir (`TA_CACHE_DIR`), and an NLTK English stop-word list (`stopwords` corpus)
   under the venv's `nltk_data`, because `textattack.constraints` reads it when imported.

Each step's outcome is recorded; a peer that cannot be installed or imported is reported as unavailable,
with the reason, and the benchmark goes on without it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import BENCH_DIR

PEERS_VENV = BENCH_DIR / ".peers-venv"
READY = PEERS_VENV / ".xstress-peers-ready.json"
SPEC_VERSION = 2  # bump when the recipe below changes, so old environments are rebuilt

# The NLTK English stop-word list (the `stopwords` corpus, file `english`), written so TextAttack imports
# offline. Only its presence matters here: the augmenters benchmarked use no stop-word constraint.
NLTK_ENGLISH_STOPWORDS = """i me my myself we our ours ourselves you you're you've you'll you'd your yours
yourself yourselves he him his himself she she's her hers herself it it's its itself they them their theirs
themselves what which who whom this that that'll these those am is are was were be been being have has had
having do does did doing a an the and but if or because as until while of at by for with about against
between into through during before after above below to from up down in out on off over under again further
then once here there when where why how all any both each few more most other some such no nor not only own
same so than too very s t can will just don don't should should've now d ll m o re ve y ain aren aren't couldn
couldn't didn didn't doesn doesn't hadn hadn't hasn hasn't haven haven't isn isn't ma mightn mightn't mustn
mustn't needn needn't shan shan't shouldn shouldn't wasn wasn't weren weren't won won't wouldn wouldn't""".split()


def venv_python(venv: Path = PEERS_VENV) -> Path:
    return venv / "bin" / "python"


def peer_env(venv: Path = PEERS_VENV) -> dict:
    env = dict(os.environ)
    env.update({
        "TA_CACHE_DIR": str(venv / "ta-cache"),
        "NLTK_DATA": str(venv / "nltk_data"),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "PYTHONWARNINGS": "ignore",
    })
    env.pop("PYTHONPATH", None)
    return env


def _pip(py: Path, args: list[str], log) -> tuple[bool, str]:
    cmd = [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args]
    log.write(f"\n$ {' '.join(cmd)}\n")
    log.flush()
    p = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, timeout=1800)
    return p.returncode == 0, " ".join(args)


def _torch_spec() -> list[list[str]]:
    """pip argument lists to try, in order, for a CPU (or the project's own) torch."""
    try:
        from importlib import metadata

        ver = metadata.version("torch")
    except Exception:  # noqa: BLE001
        ver = None
    tries = []
    if ver:
        tries.append([f"torch=={ver}"])
        base = ver.split("+")[0]
        tries.append([f"torch=={base}", "--index-url", "https://download.pytorch.org/whl/cpu"])
    tries.append(["torch", "--index-url", "https://download.pytorch.org/whl/cpu"])
    return tries


def _prepare_offline_data(venv: Path) -> None:
    ta = venv / "ta-cache"
    ta.mkdir(parents=True, exist_ok=True)
    (ta / "post_install_check_3").touch()  # TextAttack's marker: "NLTK data already downloaded"
    sw = venv / "nltk_data" / "corpora" / "stopwords"
    sw.mkdir(parents=True, exist_ok=True)
    (sw / "english").write_text("\n".join(NLTK_ENGLISH_STOPWORDS) + "\n", encoding="utf-8")


def ensure_env(*, rebuild: bool = False, quiet: bool = False) -> dict:
    """Build (once) and describe the peers' environment: {"python": path | None, "steps": [...], "error": ...}."""
    if READY.exists() and not rebuild:
        info = json.loads(READY.read_text(encoding="utf-8"))
        if info.get("spec") == SPEC_VERSION and venv_python().exists():
            _prepare_offline_data(PEERS_VENV)
            return info
    say = (lambda m: None) if quiet else (lambda m: print(f"[peers] {m}", file=sys.stderr, flush=True))
    say(f"building the peers' environment in {PEERS_VENV} (a few minutes, once)")
    t0 = time.time()
    PEERS_VENV.mkdir(parents=True, exist_ok=True)
    steps = []
    with open(PEERS_VENV / "install.log", "a", encoding="utf-8") as log:
        if not venv_python().exists():
            p = subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], stdout=log, stderr=subprocess.STDOUT)
            if p.returncode != 0:
                info = {"spec": SPEC_VERSION, "python": None, "steps": [["venv", False]],
                        "error": f"python -m venv failed (see {PEERS_VENV / 'install.log'})"}
                return info
        py = venv_python()
        ok, what = _pip(py, ["nlpaug"], log)
        steps.append([what, ok])
        torch_ok = False
        for args in _torch_spec():
            torch_ok, what = _pip(py, args, log)
            steps.append([what, torch_ok])
            if torch_ok:
                break
        if torch_ok:
            ok, what = _pip(py, ["transformers<5", "textattack"], log)
            steps.append([what, ok])
        _prepare_offline_data(PEERS_VENV)
    info = {"spec": SPEC_VERSION, "python": str(venv_python()), "steps": steps,
            "build_seconds": round(time.time() - t0, 1)}
    READY.write_text(json.dumps(info, indent=1), encoding="utf-8")
    say(f"peers' environment ready in {info['build_seconds']} s: {steps}")
    return info


class PeerWorker:
    """A long-lived `_peer_worker.py` in the peers' venv, so imports (TextAttack: ~10 s) are paid once and
    our runs and the peers' can be interleaved repeat by repeat."""

    def __init__(self, python: str | Path):
        self.proc = subprocess.Popen([str(python), str(BENCH_DIR / "_peer_worker.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                     env=peer_env(), cwd=str(PEERS_VENV))

    def ask(self, msg: dict) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            return {"ok": False, "error": f"peer worker exited (code {self.proc.poll()})"}
        return json.loads(line)

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.proc.stdin.close()  # type: ignore[union-attr]
                self.proc.wait(timeout=30)
        except Exception:  # noqa: BLE001
            self.proc.kill()

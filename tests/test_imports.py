"""`import perturb` stays light, and generating perturbations never imports torch or transformers."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_py(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                          cwd=REPO).stdout


def test_import_perturb_loads_no_heavy_library():
    out = run_py("import sys, perturb, perturb.registry, perturb.engine\n"
                 "print(sorted(m for m in ('torch', 'transformers', 'spacy', 'jieba', 'pythainlp') "
                 "if m in sys.modules))")
    assert out.strip() == "[]"


def test_perturbing_every_language_does_not_import_torch():
    code = (
        "import sys\n"
        "from perturb.loaders import load\n"
        "from perturb import registry\n"
        "from perturb.api import apply\n"
        "from perturb.recipe import single_op_recipe\n"
        "exs = [e for lang, v in load(task='xnli', data='data/xnli', langs='all').items() for e in v[:3]]\n"
        "ops = [n for n in registry.names() if not n.startswith('lex.')]\n"
        "n = sum(1 for _ in apply(exs, recipe=single_op_recipe(ops), seed=1))\n"
        "print(n, 'torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    n, torch_loaded, tf_loaded = run_py(code).split()
    assert int(n) > 0 and torch_loaded == "False" and tf_loaded == "False"

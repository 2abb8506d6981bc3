"""Runs inside the peers' own environment (benchmarks/.peers-venv): nlpaug and TextAttack augmenters.

Never imports xstress. Speaks JSON lines on stdin/stdout:
  {"cmd": "probe"}                                  -> {"ok": true, "tools": {name: "ok" | "why not"}, "versions": {...}}
  {"cmd": "run", "tool": T, "lang": L, "input": F, "output": G, "seed": S}
                                                    -> {"ok": true, "seconds": s, "n": n}  (outputs written to G)
  {"cmd": "ta_encode", "model": DIR, "pairs": [[premise, hypothesis], ...]}  -> {"ok": true, "ids": [[...], ...]}
  {"cmd": "ta_attack", "input": F, "output": G, "model": DIR, "budget": B, "wrapper": "hf" | "dynamic"}
                                                    -> {"ok": true, "seconds": s, "n": n}  (per-example results to G)
Inputs are a JSON list of sentences; outputs a JSON list of strings, one per input (the input when the tool
returned nothing). Setup (models, keyboard tables) happens outside the timed loop, on first use of a tool.
"""
from __future__ import annotations

import json
import logging
import os
import random
import sys
import time
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)

RATE = 0.1  # one word in ten, one character per word: the same rate as our ops (rate 0.1) in the comparison
NLPAUG_KEYBOARD_LANGS = ("de", "en", "es", "fr", "he", "it", "nl", "pl", "th", "tr", "uk")

_TOOLS: dict = {}


def _make(tool: str, lang: str):
    if tool == "nlpaug.keyboard":
        import nlpaug.augmenter.char as nac

        if lang not in NLPAUG_KEYBOARD_LANGS:
            raise LookupError(f"nlpaug KeyboardAug has no layout for {lang!r}")
        # Letters for letters, as our char.keyboard does (no digits or symbols in the typo table).
        aug = nac.KeyboardAug(aug_word_p=RATE, aug_char_min=1, aug_char_max=1, include_special_char=False,
                              include_numeric=False, lang=lang)
        return lambda batch: aug.augment(batch)
    if tool == "nlpaug.swap":
        import nlpaug.augmenter.char as nac

        aug = nac.RandomCharAug(action="swap", aug_word_p=RATE, aug_char_min=1, aug_char_max=1)
        return lambda batch: aug.augment(batch)
    if tool in ("textattack.qwerty", "textattack.swap"):
        from textattack.augmentation import Augmenter
        from textattack.transformations import WordSwapNeighboringCharacterSwap, WordSwapQWERTY

        trans = WordSwapQWERTY() if tool == "textattack.qwerty" else WordSwapNeighboringCharacterSwap()
        aug = Augmenter(transformation=trans, pct_words_to_swap=RATE, transformations_per_example=1)

        def run(batch):
            out = []
            for s in batch:
                got = aug.augment(s)
                out.append(got[0] if got else s)
            return out

        return run
    raise LookupError(f"unknown tool {tool!r}")


def _tool(tool: str, lang: str):
    key = (tool, lang)
    if key not in _TOOLS:
        _TOOLS[key] = _make(tool, lang)
    return _TOOLS[key]


def _versions() -> dict:
    from importlib import metadata

    out = {}
    for d in ("nlpaug", "textattack", "transformers", "torch", "nltk", "numpy"):
        try:
            out[d] = metadata.version(d)
        except metadata.PackageNotFoundError:
            out[d] = None
    out["python"] = sys.version.split()[0]
    return out


def _probe() -> dict:
    tools = {}
    for tool in ("nlpaug.keyboard", "nlpaug.swap", "textattack.qwerty", "textattack.swap"):
        try:
            f = _tool(tool, "en")
            f(["A short warm-up sentence for the probe."])
            tools[tool] = "ok"
        except Exception as e:  # noqa: BLE001 - report why a peer is unavailable, whatever it is
            tools[tool] = f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"[:300]
    return {"ok": True, "tools": tools, "versions": _versions()}


def _run(msg: dict) -> dict:
    with open(msg["input"], encoding="utf-8") as f:
        sentences = json.load(f)
    try:
        fn = _tool(msg["tool"], msg["lang"])
    except Exception as e:  # noqa: BLE001
        return {"ok": False, "error": f"{type(e).__name__}: {e}"}
    seed = int(msg.get("seed", 0))
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed)
    except ImportError:
        pass
    t0 = time.perf_counter()
    got = fn(sentences)
    seconds = time.perf_counter() - t0
    outs = []
    for s, g in zip(sentences, got):
        if isinstance(g, list):
            g = g[0] if g else s
        outs.append(g if isinstance(g, str) else s)
    if len(outs) != len(sentences):
        return {"ok": False, "error": f"{msg['tool']} returned {len(outs)} outputs for {len(sentences)} inputs"}
    if msg.get("output"):
        with open(msg["output"], "w", encoding="utf-8") as f:
            json.dump(outs, f, ensure_ascii=False)
    return {"ok": True, "seconds": seconds, "n": len(sentences)}


def _ta_attack(msg: dict) -> dict:
    """TextAttack's Attack over exported xstress candidates (see _peer_textattack.py); only the attacks are timed."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import _peer_textattack as pta

    with open(msg["input"], encoding="utf-8") as f:
        records = json.load(f)
    got = pta.run_attack(records, model_dir=msg["model"], budget=int(msg["budget"]), kind=msg.get("wrapper", "hf"))
    with open(msg["output"], "w", encoding="utf-8") as f:
        json.dump(got["results"], f, ensure_ascii=False)
    return {"ok": True, "seconds": got["seconds"], "n": len(records), "versions": _versions()}


def main() -> None:
    # The protocol gets its own copy of fd 1; fd 1 itself (and sys.stdout) then go to stderr, so chatter from
    # the libraries, Python or native, can never corrupt a reply.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for line in sys.stdin:
        if not line.strip():
            continue
        msg = json.loads(line)
        try:
            if msg["cmd"] == "probe":
                reply = _probe()
            elif msg["cmd"] == "run":
                reply = _run(msg)
            elif msg["cmd"] == "ta_encode":
                sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
                import _peer_textattack as pta

                reply = {"ok": True, "ids": pta.encode(msg["model"], msg["pairs"])}
            elif msg["cmd"] == "ta_attack":
                reply = _ta_attack(msg)
            elif msg["cmd"] == "quit":
                break
            else:
                reply = {"ok": False, "error": f"unknown cmd {msg['cmd']!r}"}
        except Exception as e:  # noqa: BLE001
            reply = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()

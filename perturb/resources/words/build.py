"""Regenerate words/ht.tsv, the Haitian Creole words char ops must not write by accident (maintainers only).

Usage:  pip download --no-deps creolenltk==1.0.10 && unzip creolenltk-1.0.10-*.whl -d /tmp/cn
        python perturb/resources/words/build.py /tmp/cn/creolenltk/data/creole_words.txt

wordfreq and simplemma have no Haitian Creole, and spaCy's `ht` has only function words; CreoleNLTK's
spelling list (one comma-separated line of ~3,200 words, most of them common content words: "kay",
"manje", "lekòl") is the one offline Haitian word list on PyPI. Kept: lowercased entries made of letters
(a hyphen or apostrophe inside allowed), one per line, sorted. Its few French or English entries
("allusion", "burger") only make the check skip a little more.
"""
from __future__ import annotations

import sys
from pathlib import Path

import regex

HERE = Path(__file__).resolve().parent
WORD = regex.compile(r"\p{L}+(?:[-'’]\p{L}+)*")


def main(src: Path) -> None:
    raw = src.read_text(encoding="utf-8").replace("\n", ",").split(",")
    words = sorted({w.strip().lower() for w in raw if WORD.fullmatch(w.strip())})
    header = [
        "# words of ht: a char edit that lands on one writes another word (char ops' real-word check)",
        "# source: creole_words.txt of CreoleNLTK 1.0.10 (https://pypi.org/project/creolenltk/,",
        "#         https://github.com/bjclayton/CreoleNLTK), lowercased, letters only;",
        "#         regenerate with perturb/resources/words/build.py",
        "# licence: MIT, Copyright 2024 John Clayton (the package's LICENSE)",
        "# checked: 60 random entries read against Haitian Creole spelling (kay, manje, lekòl, pwoblèm: the",
        "#          official 1979 orthography); not built from XNLI/XCOPA text (xstress char family, 2026-12)",
        "# columns: word",
    ]
    (HERE / "ht.tsv").write_text("\n".join(header + words) + "\n", encoding="utf-8")
    print(f"{len(words)} words")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

"""Regenerate the stop-word files of this folder from spaCy's and stopwords-iso's lists (maintainers only).

Usage:

    pip install "spacy==3.8.*" stopwordsiso
    python perturb/resources/lex/stopwords/build.py

The lex ops treat every word that is not on its language's list as a content word they may replace, and never
write a listed word as a replacement. spaCy's lists (MIT) cover 20 of the 22 XNLI/XCOPA languages; Swahili comes
from stopwords-iso (MIT); Quechua has no list anywhere we looked, so no file is written for it and the ops that
need one report qu as unsupported. `_additions.tsv` holds hand-added words, each with its reason.
"""
from __future__ import annotations

import importlib
import importlib.metadata
import json
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPACY_LANGS = ("ar", "bg", "de", "el", "en", "es", "et", "fr", "hi", "ht", "id", "it", "ru", "ta", "th", "tr", "ur",
               "vi", "zh")
ISO_LANGS = ("sw",)


def _additions() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for line in (HERE / "_additions.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            lang, word, why = line.split("\t")
            out.setdefault(lang, {})[word] = why
    return out


def _normalise(words) -> list[str]:
    # NFC and casefolded, as the ops look them up; spaCy writes Vietnamese multi-syllable entries with "_".
    out = set()
    for w in words:
        w = unicodedata.normalize("NFC", w.replace("_", " ")).strip().casefold()
        if w:
            out.add(w)
    return sorted(out)


def _write(lang: str, words: list[str], source: str, licence: str, added: dict[str, str]) -> None:
    header = [
        f"# stop words for {lang}: words the lex ops never replace and never write as a replacement",
        f"# source: {source}",
        f"# licence: {licence}",
        f"# additions: {len(added)} hand-added word(s) from _additions.tsv" + (f" ({', '.join(sorted(added))})" if added else ""),
        "# checked: lex family engineer, 2026-11: the negation words of the language looked up (missing ones added via "
        "_additions.tsv); the list itself was not read word by word",
        "# format: one word per line, NFC, casefolded; regenerate with build.py in this folder",
    ]
    body = sorted(set(words) | set(_normalise(added)))
    (HERE / f"{lang}.txt").write_text("\n".join(header + body) + "\n", encoding="utf-8")


def main() -> None:
    adds = _additions()
    spacy_version = importlib.metadata.version("spacy")
    for lang in SPACY_LANGS:
        words = importlib.import_module(f"spacy.lang.{lang}.stop_words").STOP_WORDS
        _write(lang, _normalise(words), f"spaCy {spacy_version}, spacy/lang/{lang}/stop_words.py", "MIT (spaCy)",
               adds.get(lang, {}))
    import stopwordsiso

    iso_version = importlib.metadata.version("stopwordsiso")
    data = json.loads((Path(stopwordsiso.__file__).parent / "stopwords-iso.json").read_text(encoding="utf-8"))
    for lang in ISO_LANGS:
        _write(lang, _normalise(data[lang]), f"stopwords-iso via the stopwordsiso {iso_version} package",
               "MIT (stopwords-iso)", adds.get(lang, {}))


if __name__ == "__main__":
    main()

"""Read MUSE bilingual lexicons (`en-<lang>.txt`, one `english_word foreign_word` pair per line) into lookup tables, once per file."""
from __future__ import annotations

import functools
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import regex

from ...errors import InputError
from . import _common as lc

_FILE = regex.compile(r"en-([a-z]{2,3})\.txt")


@functools.lru_cache(maxsize=None)
def muse_languages() -> frozenset[str]:
    """Languages MUSE publishes an en-<lang> dictionary for (resources/lex/muse_languages.txt)."""
    return frozenset(lc.read_lines(lc.resource("muse_languages.txt")))


def files(directory: os.PathLike | str) -> dict[str, Path]:
    """{lang: path} of the en-<lang>.txt files in directory (MUSE's full dictionaries; the .0-5000 and
    .5000-6500 train/test splits are ignored, they are subsets)."""
    out = {}
    root = Path(directory)
    if root.is_dir():
        for p in sorted(root.iterdir()):
            m = _FILE.fullmatch(p.name)
            if m and p.is_file():
                out[m.group(1)] = p
    return out


@dataclass(frozen=True)
class Lexicon:
    """One en-<lang> dictionary. Both directions keep the file order, which is what "most frequent" means
    here: MUSE lists its English source words from the most to the least frequent (the file starts
    "the, and, was, for, ..."), so a foreign word's first English partner is its most frequent one."""

    lang: str
    identity: str                               # en-de@1a2b3c4d (+t2s for Chinese), for signatures
    to_foreign: Mapping[str, tuple[str, ...]]   # English key -> foreign words
    to_english: Mapping[str, tuple[str, ...]]   # foreign key -> English words


def load(path: Path, lang: str) -> Lexicon:
    st = os.stat(path)
    return _load(str(Path(path).resolve()), lang, st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=32)
def _load(path: str, lang: str, size: int, mtime_ns: int) -> Lexicon:
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(path, raw.count(b"\n", 0, e.start) + 1, f"not valid UTF-8 ({e.reason})") from None
    if lang == "zh":
        # MUSE's en-zh dictionary is written in Traditional characters (銀行, 圖書) while XNLI and XCOPA
        # Chinese is Simplified: without conversion almost no word would be found.
        text = _to_simplified(text)
    to_foreign: dict[str, list[str]] = {}
    to_english: dict[str, list[str]] = {}
    for n, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        cols = line.split()
        if len(cols) != 2:
            raise InputError(path, n, f"expected 'english_word foreign_word' (MUSE format), got {line[:80]!r}")
        en, xx = (unicodedata.normalize("NFC", c) for c in cols)
        _append(to_foreign, lc.key(en), xx)
        _append(to_english, lc.key(xx), en)
    return Lexicon(lang, identity(Path(path), lang), _freeze(to_foreign), _freeze(to_english))


def _append(table: dict[str, list[str]], k: str, v: str) -> None:
    bucket = table.setdefault(k, [])
    if v not in bucket:
        bucket.append(v)


def _freeze(table: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) for k, v in table.items()}


def _to_simplified(text: str) -> str:
    import opencc  # lazy: loads OpenCC's conversion tables

    return opencc.OpenCC("t2s").convert(text)


def supports_lang(lang: str) -> bool:
    """Chinese needs OpenCC to read MUSE's Traditional-character dictionary (see _load)."""
    return lang != "zh" or lc.library_available("opencc")


def identity(path: Path, lang: str) -> str:
    """What names a lexicon file in signatures, without parsing it: en-<lang>@<sha8 of its bytes>."""
    return f"en-{lang}@{lc.file_sha256(path)[:8]}" + ("+t2s" if lang == "zh" else "")

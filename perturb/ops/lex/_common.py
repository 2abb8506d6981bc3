"""Shared machinery of the lex ops: stop-word lists, content words, casing, spacing of replacements, word selection, and resource fingerprints."""
from __future__ import annotations

import copy
import functools
import importlib.metadata
import importlib.util
import os
import random
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

import regex

from ... import fsutil, segment
from ...core import Perturbation, Span, n_to_touch
from ...example import Example
from ...schema import parallel_key

_LETTER = regex.compile(r"\p{L}")
_WORD_CHAR = regex.compile(r"[\p{L}\p{N}\p{M}]")
# Scripts written without spaces between words: a replacement in them needs no space next to a neighbour of
# the same script, but does next to anything else (else two touched words would run together).
_CONTINUA = regex.compile(r"[\p{Han}\p{Thai}\p{Hiragana}\p{Katakana}\p{Lao}\p{Khmer}\p{Myanmar}]")
_SCRIPTS = ("Latin", "Cyrillic", "Greek", "Arabic", "Devanagari", "Tamil", "Thai", "Han", "Hebrew")
_SENTENCE_END = frozenset(".!?…。！？؟।")


# --- resources ------------------------------------------------------------------------------------------


def resource(*parts: str):
    """A file under perturb/resources/lex/ (a Traversable, so it also works from a zipped wheel)."""
    node = resources.files("perturb") / "resources" / "lex"
    for p in parts:
        node = node / p
    return node


def read_lines(node) -> list[str]:
    """Non-empty lines of a resource file that are not '#' provenance lines."""
    return [line for line in node.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]


@functools.lru_cache(maxsize=None)
def has_stopwords(lang: str) -> bool:
    """Whether a stop-word list exists for lang (a stat, not a read: `languages()` must stay cheap)."""
    return resource("stopwords", f"{lang}.txt").is_file()


@functools.lru_cache(maxsize=None)
def stopwords(lang: str) -> frozenset[str]:
    """The language's stop words, NFC and casefolded (see resources/lex/stopwords/build.py)."""
    return frozenset(read_lines(resource("stopwords", f"{lang}.txt")))


def library_available(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def library_version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


# --- words ------------------------------------------------------------------------------------------------


def key(word: str) -> str:
    """The lookup form of a word in lexicons and stop lists: NFC, casefolded."""
    return unicodedata.normalize("NFC", word).casefold()


def is_stopword(word: str, lang: str) -> bool:
    return has_stopwords(lang) and key(word) in stopwords(lang)


def content_words(text: str, lang: str) -> list[segment.Token]:
    """Word tokens that carry a letter and are not stop words; numbers, punctuation and function words never
    count (a number is a fact, a function word is grammar: neither is what a lexical attack targets)."""
    return [t for t in segment.words(text, lang) if is_content_word(t.text, lang)]


# Memoised by word: every token of every example is tested, and words recur throughout a corpus.
@functools.lru_cache(maxsize=2**16)
def is_content_word(word: str, lang: str) -> bool:
    """Whether word carries a letter and is not a stop word (the test behind `content_words`)."""
    if not _LETTER.search(word):
        return False
    return not has_stopwords(lang) or key(word) not in stopwords(lang)


# Precompiled: a pattern given as a string is looked up in regex's cache on every call, which costs
# more than the match itself.
_SCRIPT_PATTERNS = tuple((name, regex.compile(rf"\p{{Script={name}}}")) for name in _SCRIPTS)


def script_of(word: str) -> str | None:
    """The script of the first letter of word among the scripts our languages use, else None."""
    m = _LETTER.search(word)
    return _script_of_letter(m.group()) if m else None


@functools.lru_cache(maxsize=4096)
def _script_of_letter(ch: str) -> str | None:
    for name, pattern in _SCRIPT_PATTERNS:
        if pattern.match(ch):
            return name
    return None


def is_sentence_initial(text: str, start: int, tokens: Sequence[segment.Token]) -> bool:
    """True when nothing but punctuation that ends a sentence (or nothing at all) comes before `start`."""
    before = [t for t in tokens if t.end <= start]
    if not any(t.is_word for t in before):
        return True
    last = before[-1] if before else None
    return last is not None and not last.is_word and last.text in _SENTENCE_END


def recase(new: str, like: str, *, title: bool | None = None) -> str:
    """new written in the case pattern of `like`: ALL CAPS stays all caps, a capital first letter gives a
    capital first letter (unless `title` says otherwise), anything else leaves new as it is."""
    letters = [c for c in like if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return new.upper()
    if title is None:
        title = bool(letters) and letters[0].isupper()
    if title and new:
        return new[0].upper() + new[1:]
    return new


def is_capitalised(word: str) -> bool:
    """Whether the first letter of word is a capital (False for a word without letters)."""
    for c in word:
        if c.isalpha():
            return c.isupper()
    return False


def spaced(text: str, replacements: Sequence[tuple[int, int, str]]) -> list[Span]:
    """Spans replacing text[start:end] by new for each (start, end, new) (in text order, not overlapping), with a
    space added where new would otherwise touch a letter or digit of another script (an English word inside
    Chinese, two romanised Thai words in a row). Between two adjacent replacements only one space is added."""
    spans = []
    for i, (start, end, new) in enumerate(replacements):
        if not new:
            spans.append(Span(start, end, new))
            continue
        prev = replacements[i - 1] if i > 0 else None
        nxt = replacements[i + 1] if i + 1 < len(replacements) else None
        if prev is not None and prev[1] == start and prev[2]:
            before = prev[2][-1]
        else:
            before = text[start - 1] if start > 0 else ""
        # The next replacement, if it touches this one, decides the space between the two.
        after = "" if nxt is not None and nxt[0] == end else (text[end] if end < len(text) else "")
        lead = " " if before and _needs_space(before, new[0]) else ""
        tail = " " if after and _needs_space(after, new[-1]) else ""
        spans.append(Span(start, end, lead + new + tail))
    return spans


@functools.lru_cache(maxsize=2**16)  # two characters: a few thousand pairs serve a whole corpus
def _needs_space(neighbour: str, edge: str) -> bool:
    if not _WORD_CHAR.match(neighbour):
        return False
    # Two characters of a script written without spaces may touch (that is how the text was written).
    return not (_CONTINUA.match(neighbour) and _CONTINUA.match(edge))


# --- selection --------------------------------------------------------------------------------------------


def choose(n_eligible: int, rate: float, rng: random.Random) -> list[int]:
    """Indexes (in text order) of the n_to_touch(rate, n) eligible words to change, drawn from rng."""
    n = n_to_touch(rate, n_eligible)
    if n == 0:
        return []
    return sorted(rng.sample(range(n_eligible), n))


# --- parallel examples (for the ops that read the English translation of an example) ------------------


class ParallelMixin:
    """For ops that declare `needs_parallel = "en"`: the engine (or a test) hands them the examples of that
    language once, and each example then finds its translation by id."""

    needs_parallel: str | None = None

    def with_parallel(self, task: str, examples: Iterable[Example] | None, source: str) -> "Perturbation":
        """A copy of this op that knows the parallel examples of `task` (None: none available) and records
        `source` (e.g. xnli-test-en@1a2b3c4d, or "none") in its signature."""
        new = copy.copy(self)
        table = dict(getattr(self, "_parallel", {}))
        by_key = {}
        for ex in examples or ():
            by_key[parallel_key(ex.id)] = ex
        table[task] = (by_key, source)
        new._parallel = table
        return new

    def parallel_of(self, example: Example) -> Example | None:
        table = getattr(self, "_parallel", {}).get(example.task)
        if not table:
            return None
        return table[0].get(parallel_key(example.id))

    def parallel_source(self, task: str) -> str:
        table = getattr(self, "_parallel", {}).get(task)
        return table[1] if table else "none"


# --- fingerprints -----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    return fsutil.sha256_file(path)  # size and mtime_ns only key the memo


def file_sha256(path: os.PathLike | str) -> str:
    """sha256 of a file, memoised on (path, size, mtime) so repeated signatures do not re-read it."""
    st = os.stat(path)
    return _sha256(str(Path(path).resolve()), st.st_size, st.st_mtime_ns)


def files_sha256(paths: Sequence[Path]) -> str:
    """One sha256 over several files: each file's name and sha256, in the given order (memoised per file)."""
    return fsutil.files_sha256(paths, file_hash=file_sha256)

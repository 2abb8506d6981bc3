"""`lex.codeswitch`: replace a share of content words by their translation from MUSE bilingual lexicons (PolyGloss-style word-level code-mixing).

How a word's translation is chosen (no randomness: the rng only picks which words change):
1. The word's English partners in en-<lang>.txt, in file order (MUSE lists English words from the most to the
   least frequent, so the first is "the most frequent candidate"); a partner spelt like the word itself
   ("bank bank" in en-de) is no translation and is skipped.
2. For XNLI and XCOPA the English example with the same id is the translation of this one: a partner that
   occurs in the same field of that English example is preferred (the PolyGloss idea: the parallel sentence
   tells which sense is meant). Without a parallel English example the first partner is used.
3. For `to` other than English, the chosen English word goes through en-<to>.txt (its first partner there):
   English is the pivot. An English source sentence translates directly.
Replacements that are stop words of the embedded language are skipped, so no negation or quantifier is ever
written in; capitalised words inside a sentence are skipped as probable names, except in German, where every
noun is capitalised. MUSE is lower-case, so embedded German nouns come out lower-case.
"""
from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from pathlib import Path

from ... import segment
from ...core import TEXT_MEMO, Perturbation, RateParams, task_languages
from ...registry import register
from . import _common as lc
from . import _muse as muse


@dataclass(frozen=True)
class CodeswitchParams(RateParams):
    """rate: share of the content words that have a translation which are replaced.
    to: the embedded language (en, or any MUSE language through the English pivot)."""

    rate: float = 0.3
    to: str = "en"

    def __post_init__(self):
        super().__post_init__()
        allowed = muse.muse_languages() | {"en"}
        if self.to not in allowed:
            raise ValueError(f"to must be one of {', '.join(sorted(allowed))}, got {self.to!r}")


@register
class Codeswitch(lc.ParallelMixin, Perturbation):
    name = "lex.codeswitch"
    family = "lex"
    description = ("replace content words by their MUSE-lexicon translation (to=en by default, English itself "
                   "only with another `to`); needs --lexicon-dir")
    Params = CodeswitchParams
    requires = {"lexicon_dir": "a MUSE lexicon directory (files en-<lang>.txt, e.g. ../shared/data/muse)"}
    needs_parallel = "en"

    _lexicon_dir: str | None = None

    @classmethod
    def languages(cls, task):
        if task not in cls.tasks:
            return frozenset()
        return task_languages(task, {lang for lang in muse.muse_languages() if muse.supports_lang(lang)} | {"en"})

    @classmethod
    def contract_instance(cls):
        # The contract test runs every op on the sample data; this one needs lexicons, so it gets the tiny
        # hand-written ones shipped for it and the sample's English as the parallel text.
        from ...loaders import load
        from ...sample import contract_lexicon_dir, sample_data_dir

        op = cls().bind(lexicon_dir=contract_lexicon_dir())
        for task in ("xnli", "xcopa"):
            english = load(task=task, data=sample_data_dir() / task, split="test", langs=["en"])["en"]
            op = op.with_parallel(task, english, "sample-en")
        return op

    # -- resources ---------------------------------------------------------------------------------------
    def bind(self, *, lexicon_dir) -> "Codeswitch":
        """A copy that reads its lexicons from lexicon_dir (ValueError when it holds no MUSE file)."""
        path = Path(lexicon_dir).expanduser()
        if not path.is_dir():
            raise ValueError(f"{path} is not a directory")
        found = muse.files(path)
        if not found:
            raise ValueError(f"{path} holds no MUSE dictionary (files named en-<lang>.txt, such as en-de.txt)")
        if self.params.to != "en" and self.params.to not in found:
            raise ValueError(f"{path} has no en-{self.params.to}.txt, which to={self.params.to} needs")
        if not muse.supports_lang(self.params.to):
            raise ValueError("to=zh needs OpenCC to read MUSE's Traditional-character dictionary (pip install opencc)")
        new = copy.copy(self)
        new._lexicon_dir = str(path.resolve())
        return new

    def _files(self) -> dict[str, Path]:
        return _files_of(self._lexicon_dir) if self._lexicon_dir else {}

    def _needed(self, lang: str) -> list[str]:
        """The lexicons a source language needs: its own (unless English) and the embedded language's."""
        return [x for x in dict.fromkeys((lang, self.params.to)) if x != "en"]

    def supports(self, task, lang):
        return super().supports(task, lang) and self._usable(lang)

    def _usable(self, lang: str) -> bool:
        """Whether every lexicon this source language needs is there (and readable: zh needs OpenCC)."""
        if lang == self.params.to or self._lexicon_dir is None:
            return False
        needed = self._needed(lang)
        return all(muse.supports_lang(x) for x in needed) and _has_files(self._lexicon_dir, tuple(needed))

    def resource_parts(self, task, lang):
        """Signature parts: which lexicon files (by content hash) and which parallel English were used."""
        files = self._files()
        ids = [muse.identity(files[x], x) for x in self._needed(lang)] if lang and self._usable(lang) else []
        parts = [("lexicon", "+".join(ids) if ids else "none")]
        if lang != self.needs_parallel:
            parts.append(("parallel", self.parallel_source(task)))
        return parts

    def resource_params(self):
        files = self._files()
        return {"lexicon": {lang: muse.identity(p, lang) for lang, p in files.items()
                            if lang in muse.muse_languages()},
                "parallel": dict(sorted((t, v[1]) for t, v in getattr(self, "_parallel", {}).items()))}

    # -- behaviour ---------------------------------------------------------------------------------------
    def edit_field(self, text, *, field, example, rng):
        lang, to = example.lang, self.params.to
        if not self._usable(lang):
            return None
        files = self._files()
        src = muse.load(files[lang], lang) if lang != "en" else None
        tgt = muse.load(files[to], to) if to != "en" else None
        parallel = self.parallel_of(example) if lang != "en" else None
        hints = _english_words(parallel.fields.get(field, "")) if parallel is not None else {}
        tokens = segment.tokenize(text, lang)
        eligible = []
        for tok in lc.content_words(text, lang):
            initial = lc.is_sentence_initial(text, tok.start, tokens)
            if lang != "de" and lc.is_capitalised(tok.text) and not initial:
                continue  # a capital inside the sentence is most likely a name, which is not translated
            out = _translate(tok.text, lang, to, src, tgt, hints)
            if out is not None:
                eligible.append((tok, out, initial))
        replacements = []
        for i in lc.choose(len(eligible), self.params.rate, rng):
            tok, out, initial = eligible[i]
            new = lc.recase(out, tok.text, title=initial and lc.is_capitalised(tok.text))
            replacements.append((tok.start, tok.end, new))
        return lc.spaced(text, replacements)


def _translate(word: str, lang: str, to: str, src, tgt, hints: dict[str, str]) -> str | None:
    k = lc.key(word)
    if src is None:  # the source is English
        english = [word]
    else:
        english = [e for e in src.to_english.get(k, ()) if lc.key(e) != k]
        if hints:
            # Stable partition: partners found in the parallel English first, each group in file order.
            english = [e for e in english if lc.key(e) in hints] + [e for e in english if lc.key(e) not in hints]
    for e in english:
        if tgt is None and lc.key(e) in hints:
            # Spelt as in the parallel sentence: MUSE is lower-case, but "Sunday" is not.
            e = hints[lc.key(e)]
        outs = [e] if tgt is None else tgt.to_foreign.get(lc.key(e), ())
        for out in outs:
            if lc.key(out) != k and lc.script_of(out) is not None and not lc.is_stopword(out, to):
                return out
    return None


@functools.lru_cache(maxsize=TEXT_MEMO)
def _english_words(text: str) -> dict[str, str]:
    """{key: spelling} of the words of an English sentence; a capital that only marks the start of the
    sentence is not kept (the first word's spelling is lower-cased unless it occurs again inside)."""
    tokens = segment.tokenize(text, "en")
    out: dict[str, str] = {}
    for t in tokens:
        if not t.is_word:
            continue
        k = lc.key(t.text)
        if lc.is_sentence_initial(text, t.start, tokens):
            out.setdefault(k, t.text.lower())
        elif k not in out or out[k] == t.text.lower():
            out[k] = t.text
    return out


def _files_of(directory: str) -> dict[str, Path]:
    # edit_field runs once per example: the directory listing is cached, keyed by the directory's mtime.
    return _listing(directory, Path(directory).stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _listing(directory: str, mtime_ns: int) -> dict[str, Path]:
    return muse.files(directory)


def _has_files(directory: str, langs) -> bool:
    files = _files_of(directory)
    return all(x in files for x in langs)

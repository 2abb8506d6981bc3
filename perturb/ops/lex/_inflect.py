"""Inflection tables for lex.inflect: simplemma's form->lemma dictionaries inverted into lemma->forms, keeping only forms that are real words."""
from __future__ import annotations

import functools
import importlib.util
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import regex

from ... import segment
from ...fsutil import atomic_write_text
from . import _common as lc

# A form is kept when wordfreq has seen it at least this often: Zipf 2 is about once per 10 million words.
# simplemma's tables come partly from Wiktionary and carry archaic, dialectal and misspelt forms (French
# "enffant", "allyt"; English "gorn"; German "gingest"); a replacement should be a form people write.
MIN_ZIPF = 2.0
# wordfreq answers for these with English data or not at all; its frequencies mean nothing there.
_UNTRUSTED_WORDFREQ = frozenset({"sw", "ht", "qu"})
_CLEAN = regex.compile(r"[\p{L}\p{M}]+")
_MARK = regex.compile(r"\p{M}")
# In these scripts NFC text writes accents precomposed; a combining mark left after NFC is a stress mark of a
# dictionary (Russian пойди́), which running text does not have.
_PRECOMPOSED_SCRIPTS = regex.compile(r"[\p{Latin}\p{Cyrillic}\p{Greek}]")


@functools.lru_cache(maxsize=None)
def simplemma_languages() -> frozenset[str]:
    """Languages simplemma ships a dictionary for, found without importing it (a directory listing)."""
    spec = importlib.util.find_spec("simplemma")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    data = Path(list(spec.submodule_search_locations)[0]) / "strategies" / "dictionaries" / "data"
    return frozenset(p.name[:-6] for p in data.glob("*.plzma")) if data.is_dir() else frozenset()


@functools.lru_cache(maxsize=None)
def excluded() -> dict[str, str]:
    """{lang: reason} for the languages where another form of the lemma would not preserve the label."""
    out = {}
    for line in lc.read_lines(lc.resource("inflect_excluded.tsv")):
        lang, reason = line.split("\t", 1)
        out[lang] = reason
    return out


@dataclass(frozen=True)
class KeepRules:
    """One language's lines of resources/lex/inflect_keep.tsv: verb tests (each a tuple of patterns that must
    all match some form of a group), verb prefixes, and replacement endings to avoid."""

    verb: tuple[tuple[regex.Pattern, ...], ...]
    avoid: tuple[regex.Pattern, ...]
    prefixes: tuple[str, ...] = ()
    articles: frozenset[str] = frozenset()
    pairs: tuple[tuple[str, str], ...] = ()
    # (endings, lower-case forms only): one stem's forms with any two of these endings differ only in case
    case_sets: tuple[tuple[frozenset[str], bool], ...] = ()
    # (a, b, capitalised forms only, bare stem needed): a form ending in a may take b instead, not back
    case_to: tuple[tuple[str, str, bool, bool], ...] = ()

    def _has_pair(self, forms) -> bool:
        have = set(forms)
        return any(f.endswith(a) and len(f) > len(a) + 2 and f[:-len(a)] + b in have
                   for a, b in self.pairs for f in forms)

    def is_verb(self, forms) -> bool:
        if any(all(any(p.search(f) for f in forms) for p in test) for test in self.verb):
            return True
        have = set(forms)
        return any(p + f in have for f in forms for p in self.prefixes) or self._has_pair(forms)

    def avoided(self, replacement: str, original: str) -> bool:
        return any(p.search(replacement) and not p.search(original) for p in self.avoid)


@functools.lru_cache(maxsize=None)
def keep_rules(lang: str) -> KeepRules:
    verb, avoid, prefixes, articles, pairs, case_sets, case_to = [], [], [], [], [], [], []
    node = lc.resource("inflect_keep.tsv")
    for n, line in enumerate(node.read_text(encoding="utf-8").splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 3 or cols[1] not in _KINDS:
            raise ValueError(f"{node}:{n}: expected 'language<TAB>{'|'.join(_KINDS)}<TAB>patterns', got {line!r}")
        if cols[0] != lang:
            continue
        if cols[1] in ("case", "case-lower"):
            ends = [_ending(e) for e in cols[2].split()]
            if len(ends) < 2:
                raise ValueError(f"{node}:{n}: a case line names two endings or more, got {cols[2]!r}")
            case_sets.append((frozenset(ends), cols[1] == "case-lower"))
            continue
        if cols[1] in ("pair",) + _CASE_TO:
            ends = [_ending(e) for e in cols[2].split()]
            if len(ends) != 2:
                raise ValueError(f"{node}:{n}: a {cols[1]} line names two endings, got {cols[2]!r}")
            if cols[1] == "pair":
                pairs.append((ends[0], ends[1]))
            else:
                case_to.append((ends[0], ends[1], cols[1] == "case-to-capital", cols[1] == "case-to-stem"))
            continue
        if cols[1] in ("prefix", "article"):
            (prefixes if cols[1] == "prefix" else articles).extend(cols[2].split())
            continue
        patterns = tuple(regex.compile(p) for p in cols[2].split())
        if cols[1] == "verb":
            verb.append(patterns)
        else:
            avoid.extend(patterns)
    return KeepRules(tuple(verb), tuple(avoid), tuple(prefixes), frozenset(lc.key(a) for a in articles),
                     tuple(pairs), tuple(case_sets), tuple(case_to))


_CASE_TO = ("case-to", "case-to-capital", "case-to-stem")
_KINDS = ("verb", "prefix", "avoid", "article", "pair", "case", "case-lower") + _CASE_TO


def _ending(e: str) -> str:
    """An ending of a case or pair line: "0" is the bare stem (German Tag / Tages)."""
    return "" if e == "0" else unicodedata.normalize("NFC", e).lower()


# Cached: ops ask for every example, and the answer (resource files, installed libraries) is fixed per process.
@functools.lru_cache(maxsize=None)
def languages() -> frozenset[str]:
    if not lc.library_available("wordfreq"):
        return frozenset()
    return frozenset((simplemma_languages() & segment.LANGS) - set(excluded()))


@functools.lru_cache(maxsize=None)
def uses_frequencies(lang: str) -> bool:
    import wordfreq  # lazy: wordfreq reads its list index on import

    return lang not in _UNTRUSTED_WORDFREQ and lang in wordfreq.available_languages("best")


def resource_id(lang: str) -> str:
    out = f"simplemma-{lc.library_version('simplemma')}+keep@{lc.file_sha256(lc.resource('inflect_keep.tsv'))[:8]}"
    if uses_frequencies(lang):
        out += f"+wordfreq-{lc.library_version('wordfreq')}@zipf{MIN_ZIPF:g}"
    return out


@dataclass(frozen=True)
class Inflections:
    """Forms grouped by lemma: `group_of` maps a form to its group, `groups` holds each group's forms sorted."""

    group_of: dict[str, int]
    groups: tuple[tuple[str, ...], ...]

    def group(self, word: str) -> int | None:
        """The index in `groups` of word's group (looked up as written, then lowercased), or None."""
        g = self.group_of.get(word)
        if g is None:
            g = self.group_of.get(word.lower())
        return g

    def forms(self, word: str) -> tuple[str, ...]:
        g = self.group(word)
        return self.groups[g] if g is not None else ()


@functools.lru_cache(maxsize=None)
def inflections(lang: str) -> Inflections:
    """The lemma groups of one language. Building them decodes simplemma's whole dictionary (seconds for de,
    ru, et), so the result is kept in a cache file named after the library versions and read back next time."""
    path = _cache_path(lang)
    groups = _read_cache(path) if path is not None else None
    if groups is None:
        groups = _build_groups(lang)
        if path is not None:
            _write_cache(path, groups)
    group_of: dict[str, int] = {}
    for gid, forms in enumerate(groups):
        for f in forms:
            # A form of two lemmas (German "Weg" noun / "weg" adverb) keeps the first lemma in sorted order,
            # so the table never depends on dictionary iteration order.
            group_of.setdefault(f, gid)
    return Inflections(group_of, tuple(groups))


def _cache_path(lang: str) -> Path | None:
    # XSTRESS_CACHE_DIR=none turns the cache off; the default follows the XDG base directory convention.
    root = os.environ.get("XSTRESS_CACHE_DIR")
    if root == "none":
        return None
    if not root:
        root = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "xstress")
    name = (f"lex-inflect-{lang}-simplemma{lc.library_version('simplemma')}"
            f"-wordfreq{lc.library_version('wordfreq')}-zipf{MIN_ZIPF:g}-v1.tsv")
    return Path(root) / name


def _read_cache(path: Path) -> list[tuple[str, ...]] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.endswith("\n# end\n"):
        return None  # an interrupted writer never renames, but a truncated copy is refused all the same
    return [tuple(line.split("\t")) for line in text.split("\n")[:-2]]


def _write_cache(path: Path, groups: list[tuple[str, ...]]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # atomic: concurrent builders (pytest-xdist workers) each write a whole file
        atomic_write_text(path, "".join("\t".join(g) + "\n" for g in groups) + "# end\n")
    except OSError:
        pass  # a read-only home only costs the rebuild next time


def _build_groups(lang: str) -> list[tuple[str, ...]]:
    from simplemma.strategies import DefaultDictionaryFactory  # lazy: the dictionaries are tens of MB

    mapping = DefaultDictionaryFactory(cache_max_size=0).get_dictionary(lang)
    freqs = _frequencies(lang)
    threshold = 10 ** (MIN_ZIPF - 9)
    raw = getattr(mapping, "_dict", None)  # simplemma's bytes->bytes table: decoding ourselves is 2x faster
    pairs = ((k.decode(), v.decode()) for k, v in raw.items()) if isinstance(raw, dict) else mapping.items()
    by_lemma: dict[str, set[str]] = {}
    for form, lemma in pairs:
        if _keep(form, freqs, threshold):
            by_lemma.setdefault(lemma, set()).add(unicodedata.normalize("NFC", form))
    groups: list[tuple[str, ...]] = []
    for lemma in sorted(by_lemma):
        forms = by_lemma[lemma]
        if _keep(lemma, freqs, threshold):
            forms.add(unicodedata.normalize("NFC", lemma))
        if len({lc.key(f) for f in forms}) >= 2:  # else there is nothing to swap with
            groups.append(tuple(sorted(forms)))
    return groups


def _frequencies(lang: str) -> dict[str, float] | None:
    if not uses_frequencies(lang):
        return None
    import wordfreq

    return wordfreq.get_frequency_dict(lang, "best")


def _keep(form: str, freqs: dict[str, float] | None, threshold: float) -> bool:
    # Cheapest test first: this runs once per dictionary entry (up to 2.7 million for Estonian).
    if freqs is not None and freqs.get(form.casefold(), 0.0) < threshold:
        return False
    if not _CLEAN.fullmatch(form):
        return False
    return not (_MARK.search(form) and _PRECOMPOSED_SCRIPTS.search(form))

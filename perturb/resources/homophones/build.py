"""Regenerate homophones/zh.tsv and alphabets/zh.tsv from pypinyin's and jieba's dictionaries (maintainers only).

Usage:  pip install pypinyin jieba && python perturb/resources/homophones/build.py

Character frequency = the sum of the frequencies of the jieba dictionary words that contain the character
(jieba's dict.txt is a word-frequency list built from a large Chinese corpus). Readings come from pypinyin's
single-character dictionary, which lists a character's readings most common first.
"""
from __future__ import annotations

import collections
import unicodedata
from importlib import metadata
from pathlib import Path

import regex

HERE = Path(__file__).resolve().parent
N_HOMOPHONES = 6000  # characters with readings (covers > 99.9% of running Chinese text)
N_ALPHABET = 3500    # the "common characters" (cf. the 3,500 of the PRC's 现代汉语常用字表)
DOMINANT = 0.98      # a character whose main reading covers less than this is a polyphone we leave alone
# Polyphones the statistics cannot see: a reading that occurs as a one-character word, which jieba's
# dictionary lists without a phrase reading (found reading the 200 most frequent characters).
MANUAL_POLYPHONES = {
    "地": "dì (ground) and the adverbial particle de (慢慢地)",
}
_HAN = regex.compile(r"^\p{Han}$")


def toneless(syllable: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", syllable) if not unicodedata.combining(c))


def char_statistics(pinyin_dict, phrases_dict):
    """Frequency of each character, and how that frequency splits over its toneless readings.

    A word's reading of a character is pypinyin's phrase reading when the word is in its phrase
    dictionary, else the character's first (most common) reading, which is what pypinyin itself does."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    freq: collections.Counter = collections.Counter()
    readings: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for line in path.read_text(encoding="utf-8").splitlines():
        word, count = line.split(" ")[:2]
        count = int(count)
        phrase = phrases_dict.get(word)
        if phrase is not None and len(phrase) != len(word):
            phrase = None
        for i, ch in enumerate(word):
            if not _HAN.match(ch) or ord(ch) not in pinyin_dict:
                continue
            freq[ch] += count
            reading = phrase[i][0] if phrase else pinyin_dict[ord(ch)].split(",")[0]
            readings[ch][reading] += count
    return freq, readings


def main() -> None:
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    freq, readings = char_statistics(pinyin_dict, phrases_dict)
    ranked = [ch for ch, _ in sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))]
    versions = f"pypinyin {metadata.version('pypinyin')}, jieba {metadata.version('jieba')}"
    head = [
        "# source: readings from pypinyin's pinyin_dict (itself from the pinyin-data project, built on",
        "#         Unihan kHanyuPinyin/kMandarin etc.); frequency rank from jieba's dict.txt word counts",
        f"#         ({versions}); regenerate with perturb/resources/homophones/build.py",
        "# licence: pypinyin MIT, pinyin-data MIT, Unihan under the Unicode License, jieba MIT",
        "# checked: readings of the 200 most frequent characters read by eye against standard Mandarin",
        "#          readings; order = descending frequency (xstress char family, 2026-11)",
    ]
    lines = ["# homophones for zh: character<TAB>its reading in running text<TAB>share of that reading"] + head
    lines += ["# columns: character; the tone-marked pinyin it is read with in >= 98% of its (frequency-",
              "#          weighted) occurrences in jieba's words, per pypinyin's phrase readings, or '-' when no",
              "#          reading dominates (a polyphone such as 行 xíng/háng: not used); that share",
              "# set by hand to '-' (share 0): " + "; ".join(f"{c} {why}" for c, why in MANUAL_POLYPHONES.items())]
    for ch in ranked[:N_HOMOPHONES]:
        by_toneless: collections.Counter = collections.Counter()
        for r, n in readings[ch].items():
            by_toneless[toneless(r)] += n
        top, n_top = by_toneless.most_common(1)[0]
        share = n_top / sum(by_toneless.values())
        tone_top = max((r for r in readings[ch] if toneless(r) == top), key=lambda r: (readings[ch][r], r))
        if ch in MANUAL_POLYPHONES:
            share = 0.0
        lines.append(f"{ch}\t{tone_top if share >= DOMINANT else '-'}\t{share:.3f}")
    (HERE / "zh.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    alpha = ["# alphabet for zh: the most frequent Han characters, one per line (insert/substitute material)"]
    alpha += head + ["# columns: letter (Han has no case)"] + ranked[:N_ALPHABET]
    (HERE.parent / "alphabets" / "zh.tsv").write_text("\n".join(alpha) + "\n", encoding="utf-8")
    print(len(ranked))


if __name__ == "__main__":
    main()

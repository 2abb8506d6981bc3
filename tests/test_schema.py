"""perturb.schema owns the task schema: nothing else restates its languages or labels, and ids parse one way."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perturb.schema import (TASKS, XCOPA_LANGS, XNLI_LABELS, XNLI_LANGS, ExampleId, example_id, parallel_key,
                            parse_id)

REPO = Path(__file__).resolve().parent.parent
OWNER = REPO / "perturb" / "schema.py"
FACTS = {"the 15 XNLI language codes": frozenset(XNLI_LANGS), "the 11 XCOPA language codes": frozenset(XCOPA_LANGS),
         "the three NLI labels": frozenset(XNLI_LABELS)}


def _product_modules():
    for package in ("perturb", "harness"):
        for path in sorted((REPO / package).rglob("*.py")):
            # resources/*/build.py are offline build tools with their own lists, not part of the package's logic.
            if path != OWNER and not (path.name == "build.py" and "resources" in path.parts):
                yield path


def _restated(path: Path, root: Path = REPO) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and node.elts and all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
            values = frozenset(e.value for e in node.elts)
            found += [f"{path.relative_to(root)}:{node.lineno}: {what}" for what, fact in FACTS.items()
                      if values == fact]
    return found


def test_no_module_but_the_schema_restates_languages_or_labels():
    modules = list(_product_modules())
    assert len(modules) > 50  # the walk really covers both packages
    found = [hit for path in modules for hit in _restated(path)]
    assert not found, "import these from perturb.schema instead:\n" + "\n".join(found)


def test_the_walk_finds_a_restated_tuple(tmp_path):
    # The check above can fail: a module spelling out the labels (in any order) is caught.
    bad = tmp_path / "bad.py"
    bad.write_text('LABELS = ("neutral", "entailment", "contradiction")\nX = ["en", "de"]\n', encoding="utf-8")
    assert _restated(bad, tmp_path) == ["bad.py:1: the three NLI labels"]


_part = st.text(st.characters(blacklist_characters="/", blacklist_categories=("Cs",)), min_size=1, max_size=12)


@given(task=st.sampled_from(TASKS), split=_part, lang=_part, index=st.integers(0, 10**9))
def test_parse_id_round_trips(task, split, lang, index):
    text = example_id(task, split, lang, index)
    parsed = parse_id(text)
    assert parsed == ExampleId(task, split, lang, index) and str(parsed) == text
    assert parallel_key(text) == parallel_key(example_id(task, split, "other", index))
    assert parallel_key(text) != parallel_key(example_id(task, split, lang, index + 1))


def test_parallel_key_drops_the_language():
    assert parallel_key("xnli/test/de/000042") == "xnli/test/000042"
    assert parallel_key("xcopa/val/de/000007") == "xcopa/val/000007"  # a split named like a language is kept


@pytest.mark.parametrize("bad", [
    "", "xnli/test/de", "xnli/test/de/000001/x", "xnli/test/de/42", "xnli/test/de/0000042", "mnli/test/de/000001",
    "xnli//de/000001", "xnli/test//000001", "xnli/test/de/00004a", "xnli/test/de/-00001", "xnli/test/de/+00001",
    "xnli/test/de/ 000001", "xnli/test/de/\u0660\u0660\u0660\u0660\u0660\u0661", "XNLI/test/de/000001", 42, None,
])
def test_malformed_ids_are_refused_by_name(bad):
    with pytest.raises(ValueError, match=r"malformed example id .*expected task/split/lang/index") as e:
        parse_id(bad)
    assert repr(bad) in str(e.value)
    with pytest.raises(ValueError, match="malformed example id"):
        parallel_key(bad)

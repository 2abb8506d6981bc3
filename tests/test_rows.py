"""AttackRow: attack-set rows read back strictly (one error naming the file and line) and used by attribute."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from perturb.attackset import canonical_line, read_attack_set
from perturb.core import Edit
from perturb.engine import generate
from perturb.errors import InputError
from perturb.example import Example
from perturb.recipe import single_op_recipe
from perturb.rows import AttackRow

DATA = Path(__file__).resolve().parent.parent / "data"
CLEAN = {"fields": {"hypothesis": "h", "premise": "p"}, "id": "xnli/test/de/000001", "label": "neutral",
         "lang": "de", "task": "xnli"}
PERTURBED = {"edits": [{"after": "x", "before": "h", "end": 1, "field": "hypothesis", "start": 0}],
             "fields": {"hypothesis": "x", "premise": "p"}, "id": "xnli/test/de/000001", "label": "neutral",
             "lang": "de", "op": "char.swap", "orig_label": "neutral", "variant": 2}
COPA = {"edits": [], "fields": {"choice1": "a", "choice2": "b", "premise": "p", "question": "cause"},
        "id": "xcopa/test/et/000003", "label": 1, "lang": "et", "op": "char.swap", "orig_label": 1, "variant": 0}


def test_rows_read_back_typed():
    clean = AttackRow.from_json(CLEAN, "c.jsonl", 1)
    assert (clean.is_clean, clean.op, clean.variant, clean.orig_label, clean.edits) == (True, None, 0, "neutral", ())
    assert (clean.task, clean.source_index, list(clean.fields)) == ("xnli", 1, ["premise", "hypothesis"])  # task order
    row = AttackRow.from_json(PERTURBED, "p.jsonl", 1)
    assert (row.op, row.variant, row.edits) == ("char.swap", 2, (Edit("hypothesis", 0, 1, "h", "x"),))
    copa = AttackRow.from_json(COPA, "p.jsonl", 1)
    assert (copa.task, copa.label, copa.source_index) == ("xcopa", 1, 3)
    for obj, r in ((CLEAN, clean), (PERTURBED, row), (COPA, copa)):
        assert r.to_json() == obj and canonical_line(r.to_json()) == canonical_line(obj)
    assert clean.to_example() == Example(CLEAN["id"], "xnli", "de", {"premise": "p", "hypothesis": "h"}, "neutral")
    assert AttackRow.of_example(clean.to_example()) == clean
    with pytest.raises(TypeError):
        row.fields["premise"] = "changed"  # read-only
    assert row.with_fields(premise="q").fields == {"premise": "q", "hypothesis": "x"} and row.fields["premise"] == "p"


def _drop(obj, key):
    return {k: v for k, v in obj.items() if k != key}


@pytest.mark.parametrize("obj, needle", [
    ([], "expected a JSON object, got list"),
    (_drop(PERTURBED, "variant"), "row lacks 'variant'"),
    (_drop(CLEAN, "task"), "row lacks 'task'"),
    ({**CLEAN, "extra": 1}, "has unexpected 'extra'"),
    ({**PERTURBED, "variant": "1"}, "'variant' must be an integer >= 0, got '1'"),
    ({**PERTURBED, "variant": True}, "'variant' must be an integer"),
    ({**PERTURBED, "variant": -1}, "'variant' must be an integer >= 0"),
    ({**PERTURBED, "op": None}, "'op' must be a string"),
    ({**CLEAN, "label": 1}, "'label' must be one of"),
    ({**CLEAN, "label": "contradictory"}, "'label' must be one of"),
    ({**PERTURBED, "orig_label": None}, "'orig_label' must be one of"),
    ({**COPA, "label": "1"}, "'label' must be one of (0, 1) for xcopa, got '1'"),
    ({**COPA, "label": True}, "'label' must be one of"),
    ({**CLEAN, "id": "xnli/test/de/1"}, "malformed example id 'xnli/test/de/1'"),
    ({**CLEAN, "id": 7}, "'id' and 'lang' must be strings"),
    ({**CLEAN, "lang": ["de"]}, "'id' and 'lang' must be strings"),
    ({**CLEAN, "id": "xnli/test/fr/000001"}, "id xnli/test/fr/000001 is not in language 'de'"),
    ({**CLEAN, "task": "xcopa"}, "task 'xcopa' does not match id"),
    ({**CLEAN, "fields": {"premise": "p"}}, "'fields' must be an object with exactly premise, hypothesis"),
    ({**CLEAN, "fields": {"premise": "p", "question": "q"}}, "'fields' must be an object with exactly"),
    ({**CLEAN, "fields": {"premise": "p", "hypothesis": None}}, "field 'hypothesis' must be a string"),
    ({**CLEAN, "fields": ["p", "h"]}, "'fields' must be an object"),
    ({**PERTURBED, "edits": {}}, "'edits' must be a list"),
    ({**PERTURBED, "edits": [{"after": "x"}]}, "edit lacks 'before', 'end', 'field', 'start'"),
    ({**PERTURBED, "edits": [{**PERTURBED["edits"][0], "start": 0.0}]}, "'start' and 'end' must be integers"),
    ({**PERTURBED, "edits": [{**PERTURBED["edits"][0], "after": None}]}, "'before' and 'after' strings"),
    ({**PERTURBED, "edits": [{**PERTURBED["edits"][0], "field": "question"}]}, "'field' must be one of premise"),
    ({**PERTURBED, "edits": [{**PERTURBED["edits"][0], "field": ["x"]}]}, "'field' must be one of premise"),
])
def test_a_bad_row_names_the_file_and_line(obj, needle):
    with pytest.raises(InputError) as e:
        AttackRow.from_json(obj, "set/xnli/de/char.swap.jsonl", 7)
    assert str(e.value).startswith("set/xnli/de/char.swap.jsonl:7: not an attack-set row: ")
    assert needle in str(e.value)


@pytest.fixture(scope="module")
def attacks(tmp_path_factory):
    out = tmp_path_factory.mktemp("rows") / "set"
    generate(task="xnli", data=DATA / "xnli", langs="de,en", recipe=single_op_recipe(["char.swap"]), out=out)
    return out


def _edited(attacks, tmp_path, rel, line_no, change):
    root = tmp_path / "set"
    shutil.copytree(attacks, root)
    path = root / rel
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[line_no - 1] = change(lines[line_no - 1])
    path.write_text("".join(lines), encoding="utf-8")
    return read_attack_set(root, verify=False), path


def test_the_reader_yields_typed_rows_lazily(attacks):
    aset = read_attack_set(attacks)
    rows = aset.rows("de", "char.swap")
    assert iter(rows) is rows  # streamed, not a list
    first = next(rows)
    assert isinstance(first, AttackRow) and first.op == "char.swap" and first.lang == "de"
    assert all(isinstance(r, AttackRow) and r.is_clean for r in aset.clean("en"))


def test_the_reader_names_the_line_of_a_bad_row(attacks, tmp_path):
    aset, path = _edited(attacks, tmp_path, "xnli/de/char.swap.jsonl", 3,
                         lambda line: canonical_line(_drop(json.loads(line), "orig_label")))
    with pytest.raises(InputError, match=rf"{path}:3: not an attack-set row: row lacks 'orig_label'"):
        list(aset.rows("de", "char.swap"))


def test_a_row_in_the_wrong_file_is_refused(attacks, tmp_path):
    aset, path = _edited(attacks, tmp_path, "xnli/de/char.swap.jsonl", 2,
                         lambda line: canonical_line({**json.loads(line), "op": "char.delete"}))
    with pytest.raises(InputError, match=rf"{path}:2: holds a row of xnli/de/char.delete, not of this file"):
        list(aset.rows("de", "char.swap"))
    en = (attacks / "xnli" / "en" / "clean.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)[0]
    aset, path = _edited(attacks, tmp_path / "b", "xnli/de/clean.jsonl", 1, lambda line: en)
    with pytest.raises(InputError, match=rf"{path}:1: holds a row of xnli/en/clean, not of this file"):
        aset.clean("de")

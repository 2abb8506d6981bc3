"""The logic rule files load into frozen, typed rule objects: a wrong type or an unknown key is an error at load
naming the file and the key path, the loaded objects cannot be changed, and the logic modules share no private
names (every cross-module name is public)."""
from __future__ import annotations

import ast
import dataclasses
import pathlib
from types import MappingProxyType

import pytest
import regex
import yaml

from perturb.ops.logic import _rulebook, _rules
from perturb.ops.logic._rules import KINDS, LOGIC_LANGS, ResourceError, SeqIndex

LOGIC_DIR = pathlib.Path(_rules.__file__).parent
_HEADER = "# source: test copy\n# licence: test\n# checked: test\n"


@pytest.fixture
def rule_dir(tmp_path, monkeypatch):
    """A temporary resource directory; write(lang, kind, edit) copies the real file, lets edit change the parsed
    document, and writes it back (the caches are cleared before and after)."""
    real = _rules._resource_dir()

    def clear():
        _rules.resource.cache_clear()
        for load in _rulebook.LOADERS.values():
            load.cache_clear()

    def write(lang, kind, edit):
        doc = yaml.load((real / lang / f"{kind}.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        edit(doc)
        (tmp_path / lang).mkdir(exist_ok=True)
        (tmp_path / lang / f"{kind}.yaml").write_text(_HEADER + yaml.safe_dump(doc, allow_unicode=True),
                                                       encoding="utf-8")
        clear()
        return _rulebook.LOADERS[kind](lang)

    monkeypatch.setattr(_rules, "_resource_dir", lambda: tmp_path)
    clear()
    yield write
    monkeypatch.undo()
    clear()


@pytest.mark.parametrize("kind", KINDS)
def test_every_rule_file_loads_into_rule_objects(kind):
    loaded = [_rulebook.LOADERS[kind](lang) for lang in LOGIC_LANGS]
    assert all(obj is not None for obj in loaded), f"a language lacks {kind}.yaml"
    assert all(dataclasses.is_dataclass(obj) for obj in loaded)


def test_a_real_copy_loads_unchanged(rule_dir):
    # the fixture itself round-trips a file faithfully (so the failures below come from the edit alone)
    copy = rule_dir("fr", "negation", lambda doc: None)
    _rules.resource.cache_clear()
    _rulebook.negation_rules.cache_clear()
    assert copy is not None and copy.local and copy.denegate and copy.template.frame


def _set(path, value):
    """An edit that sets doc[path...] = value (path items are keys or list indices)."""
    def edit(doc):
        node = doc
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
    return edit


WRONG = [
    # negation.yaml: top level, template, local and denegate rules, nested parts
    ("en", "negation", ("cues",), "not", r"cues: expected a list of words, got the string 'not'"),
    ("en", "negation", ("comma_blocks",), "maybe", r"comma_blocks: expected true or false, got the string 'maybe'"),
    ("en", "negation", ("order",), "middle", r"order: expected first or last"),
    ("en", "negation", ("template", "case"), ["lower"], r"template\.case: expected a string, got a list"),
    ("en", "negation", ("local", 0, "next_not"), "to", r"local\[0\]\.next_not: expected a list of words"),
    ("en", "negation", ("local", 0, "first_only"), "sometimes", r"local\[0\]\.first_only: expected true or false"),
    ("en", "negation", ("local", 0, "next_regex"), "(", r"local\[0\]\.next_regex: not a valid regular expression"),
    ("en", "negation", ("local", 0, "morph"), "en_magic", r"local\[0\]\.morph: no local morphology named"),
    ("en", "negation", ("local", 0, "insert"), "around", r"local\[0\]\.insert: expected before or after"),
    ("en", "negation", ("local",), {"forms": ["is"]}, r"local: expected a list of rules, got a dict"),
    ("en", "negation", ("denegate", 0, "pair_window"), "four", r"denegate\[0\]\.pair_window: expected an integer"),
    ("en", "negation", ("denegate", 0), {"action": "remove"}, r"denegate\[0\]: a denegate rule needs 'cue' or 'morph'"),
    ("en", "negation", ("local", 0), {"forms": ["is"]}, r"local\[0\]: a local rule needs 'marker'"),
    ("en", "negation", ("template", "case"), "upper", r"template\.case: expected keep or lower"),
    ("fr", "negation", ("local", 0, "elide"), ["n'"], r"local\[0\]\.elide: expected a mapping, got a list"),
    ("ru", "negation", ("denegate_block_after", "window"), "3.5", r"denegate_block_after\.window: expected an integer"),
    ("hi", "negation", ("npi_if_final",), ["कोई"], r"npi_if_final: expected a mapping, got a list"),
    # quantifiers.yaml
    ("en", "quantifiers", ("max_start", ), "two", r"max_start: expected an integer, got the string 'two'"),
    ("en", "quantifiers", ("weaken", 0, "next_not"), "of", r"weaken\[0\]\.next_not: expected a list of words"),
    ("en", "quantifiers", ("weaken", 0, "not_first"), "perhaps", r"weaken\[0\]\.not_first: expected true or false"),
    ("zh", "quantifiers", ("strengthen", 0, "insert_before", "words"), "在",
     r"strengthen\[0\]\.insert_before\.words: expected a list of words"),
    ("sw", "quantifiers", ("weaken", 0, "agree"), ["za"], r"weaken\[0\]\.agree: expected a mapping"),
    # numbers.yaml
    ("en", "numbers", ("hedges",), "about", r"hedges: expected a list of words, got the string 'about'"),
    ("en", "numbers", ("window",), "three", r"window: expected an integer"),
    ("en", "numbers", ("capital_names",), "perhaps", r"capital_names: expected true or false"),
    ("en", "numbers", ("years",), "1000", r"years: expected a range such as 1000-2100"),
    ("en", "numbers", ("count_side",), "above", r"count_side: expected next, prev or both"),
    # distractors.yaml
    ("en", "distractors", ("overlap",), ["and", "true"], r"overlap: expected a string, got a list"),
]


@pytest.mark.parametrize("lang,kind,path,value,message", WRONG,
                         ids=[f"{w[1]}:{'.'.join(map(str, w[2]))}" for w in WRONG])
def test_wrong_type_names_file_and_key_path(rule_dir, lang, kind, path, value, message):
    with pytest.raises(ResourceError, match=rf"^logic/{lang}/{kind}\.yaml: {message}"):
        rule_dir(lang, kind, _set(path, value))


UNKNOWN = [
    # keys the top-level check (check_keys) does not see: inside nested parts of a rule
    ("fr", "negation", ("denegate", 0, "bare_after_pair"), "wordz", r"denegate\[0\]\.bare_after_pair"),
    ("fr", "negation", ("template", "elide"), "frames", r"template\.elide"),
    ("ru", "negation", ("denegate_block_after",), "verbz", r"denegate_block_after"),
    ("zh", "quantifiers", ("strengthen", 0, "insert_before"), "txt", r"strengthen\[0\]\.insert_before"),
    # and the ones it does see, per rule kind
    ("en", "negation", ("local", 0), "nxt_not", r"unknown key 'nxt_not' in local rule 1"),
    ("en", "negation", ("denegate", 0), "pairs", r"unknown key 'pairs' in denegate rule 1"),
    ("en", "quantifiers", ("weaken", 0), "star", r"unknown key 'star' in weaken rule 1"),
    ("en", "numbers", (), "windows", r"unknown key 'windows' at the top level"),
    ("en", "distractors", (), "contradiction", r"unknown key 'contradiction' at the top level"),
]


@pytest.mark.parametrize("lang,kind,path,key,message", UNKNOWN, ids=[f"{u[1]}:{u[3]}" for u in UNKNOWN])
def test_unknown_key_names_file_and_key(rule_dir, lang, kind, path, key, message):
    def edit(doc):
        node = doc
        for step in path:
            node = node[step]
        if not isinstance(node, dict):
            raise AssertionError(f"{path} is not a mapping in the real {lang}/{kind}.yaml")
        node[key] = ["x"]

    with pytest.raises(ResourceError, match=rf"^logic/{lang}/{kind}\.yaml: ") as e:
        rule_dir(lang, kind, edit)
    assert regex.search(message, str(e.value)) and repr(key) in str(e.value)


def _rule_objects():
    """Every rule object reachable from the loaded files, with where it came from."""
    out = []

    def walk(obj, where):
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            out.append((where, obj))
            for f in dataclasses.fields(obj):
                walk(getattr(obj, f.name), f"{where}.{f.name}")
        elif isinstance(obj, tuple):
            for n, item in enumerate(obj):
                walk(item, f"{where}[{n}]")

    for kind, load in _rulebook.LOADERS.items():
        for lang in LOGIC_LANGS:
            walk(load(lang), f"{lang}/{kind}")
    return out


def test_loaded_rule_objects_are_frozen():
    objects = _rule_objects()
    kinds = {type(obj).__name__ for _, obj in objects}
    assert {"NegationRules", "Template", "NegRule", "QuantifierRules", "QuantRule", "NumberRules",
            "Distractors", "SeqIndex"} <= kinds
    for where, obj in objects:
        for f in dataclasses.fields(obj):
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(obj, f.name, None)
            value = getattr(obj, f.name)
            assert not isinstance(value, (list, dict, set)), f"{where}.{f.name} is a mutable {type(value).__name__}"
            if isinstance(value, MappingProxyType):
                with pytest.raises(TypeError):
                    value["new"] = "x"  # type: ignore[index]
        with pytest.raises((AttributeError, TypeError)):
            obj.extra = 1  # slots: no new attributes either


def test_rule_fields_are_precompiled():
    en = _rulebook.negation_rules("en")
    assert isinstance(en.npi, SeqIndex) and isinstance(en.scope, SeqIndex)
    assert all(isinstance(p, regex.Pattern) for p in _rulebook.negation_rules("tr").cue_regexes)
    assert any(isinstance(r.forms, SeqIndex) and r.forms.seqs for r in en.local)
    weaken = _rulebook.quantifier_rules("en").weaken
    assert weaken and all(r.pattern and isinstance(r.pattern_words, frozenset) for r in weaken)


@pytest.mark.parametrize("keys,cls", [
    (_rules.NEGATION_KEYS, _rulebook.NegationRules),
    (_rules.TEMPLATE_KEYS, _rulebook.Template),
    (_rules.NEGATION_RULE_KEYS, _rulebook.NegRule),
    (_rules.QUANTIFIER_KEYS, _rulebook.QuantifierRules),
    (_rules.QUANTIFIER_RULE_KEYS, _rulebook.QuantRule),
    (_rules.NUMBER_KEYS, _rulebook.NumberRules),
    (_rules.DISTRACTOR_KEYS, _rulebook.Distractors),
], ids=lambda v: getattr(v, "__name__", ""))
def test_key_check_and_rule_fields_agree(keys, cls):
    """check_keys (run when a file is read) and the rule objects know the same keys."""
    fields = {f.name for f in dataclasses.fields(cls) if "kind" in f.metadata}
    assert set(keys) == fields


def _modules():
    return sorted(p for p in LOGIC_DIR.rglob("*.py"))


def _private_imports(path: pathlib.Path) -> list[str]:
    """Underscore names one logic module takes from another: `from ._x import _name`, `from . import _mod` is
    fine (a module), but `_mod._name` through an imported sibling module is not."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.parent
    bad, modules = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("perturb.ops.logic")):
            for alias in node.names:
                is_module = (package / f"{alias.name}.py").exists() or (package / alias.name).is_dir()
                if node.module is None and is_module:
                    modules.add(alias.asname or alias.name)
                elif alias.name.startswith("_") and not alias.name.startswith("__") and not is_module:
                    bad.append(f"{path.name}:{node.lineno} imports {alias.name} from {node.module or '.'}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules \
                and node.attr.startswith("_") and not node.attr.startswith("__"):
            bad.append(f"{path.name}:{node.lineno} uses {node.value.id}.{node.attr}")
    return bad


def test_logic_modules_import_no_private_names():
    assert len(_modules()) > 10
    bad = [b for path in _modules() for b in _private_imports(path)]
    assert not bad, "\n".join(bad)


def test_private_import_check_catches_one(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from ._rules import _seqs, fold\nfrom . import _neg\nx = _neg._wordset\n", encoding="utf-8")
    (tmp_path / "_neg.py").write_text("", encoding="utf-8")
    assert _private_imports(probe) == ["probe.py:1 imports _seqs from _rules", "probe.py:3 uses _neg._wordset"]

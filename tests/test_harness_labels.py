"""Label maps: checkpoint output ids -> dataset label order, by name only."""
import pytest

from harness.errors import CheckpointError
from harness.labels import gold_index, label_permutation, parse_label_order


@pytest.mark.parametrize("id2label, perm", [
    ({0: "entailment", 1: "neutral", 2: "contradiction"}, (0, 1, 2)),
    ({0: "contradiction", 1: "entailment", 2: "neutral"}, (1, 2, 0)),           # reordered (e.g. MNLI heads)
    ({"0": "ENTAILMENT", "1": "Neutral", "2": "contradictory"}, (0, 1, 2)),     # case, string keys, XNLI-1.0 spelling
    ({0: " contradictory ", 1: "neutral", 2: "entailment"}, (2, 1, 0)),
])
def test_named_labels(id2label, perm):
    assert label_permutation(id2label, task="xnli", checkpoint="ck") == perm


def test_generic_labels_refused_without_order():
    with pytest.raises(CheckpointError, match=r"ck: .*generic.*--label-order entailment,neutral,contradiction"):
        label_permutation({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, task="xnli", checkpoint="ck")


def test_generic_labels_accepted_with_order():
    order = parse_label_order("contradiction, entailment ,neutral")
    assert label_permutation({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, task="xnli", label_order=order) == (1, 2, 0)


@pytest.mark.parametrize("id2label, order, msg", [
    ({0: "entailment", 1: "not_entailment"}, None, r"2 output labels"),
    ({0: "entailment", 1: "neutral", 2: "contradiction", 3: "other"}, None, r"4 output labels"),
    ({0: "entailment", 1: "neutral", 2: "entailment"}, None, r"duplicate label name\(s\) \['entailment'\]"),
    ({0: "entailment", 1: "neutral", 2: "negative"}, None, r"unknown label name\(s\) \['negative'\]"),
    ({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, ("entailment", "neutral"), r"--label-order gives 2 labels"),
    ({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, ("entailment", "neutral", "foo"), r"unknown label"),
])
def test_bad_label_maps_name_the_checkpoint(id2label, order, msg):
    with pytest.raises(CheckpointError, match=msg) as e:
        label_permutation(id2label, task="xnli", label_order=order, checkpoint="models/seq-1")
    assert str(e.value).startswith("models/seq-1:")


def test_gold_index():
    assert gold_index("xnli", "contradiction") == 2
    assert gold_index("xnli", "Contradictory") == 2
    assert gold_index("xcopa", 1) == 1
    with pytest.raises(ValueError):
        gold_index("xnli", "maybe")

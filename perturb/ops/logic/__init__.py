"""Logic ops: negation, denegation, quantifiers, numbers and distractors, each with a declared label map."""

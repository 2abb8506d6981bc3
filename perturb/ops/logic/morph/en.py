"""English word shapes the template frame needs: contractions that the segmenter cuts before the clitic."""
from __future__ import annotations

import regex

# spaCy cuts "I|'m", "It|'s", "Do|n't": a first chunk matching this is the word (group 1) and a clitic.
CONTRACTION = regex.compile(r"([A-Za-z]+?)(?:n['’]t|['’](?:m|re|s|ve|ll|d))")

LOCAL: dict = {}
DENEGATE: dict = {}

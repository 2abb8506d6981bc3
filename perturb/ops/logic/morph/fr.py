"""French word shapes the template frame needs: elided first words that segmenters cut after the apostrophe."""
from __future__ import annotations

import regex

# Every French segmenter cuts "L'|école", "J'|ai", "Qu'|il": the first word is the elided clitic (group 1).
ELISION = regex.compile(r"((?:[LlDdJjMmTtSsNnCc]|[Qq]u|[Ll]orsqu|[Pp]uisqu|[Jj]usqu)['’])[\p{L}\p{M}]+[,.;:!?…]*")

LOCAL: dict = {}
DENEGATE: dict = {}

"""Lexical ops: inflection, transliteration, code-switching and masked-LM substitution of whole words."""

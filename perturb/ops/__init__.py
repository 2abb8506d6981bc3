"""Perturbation modules, one op (or one small family of variants) per module; discovered by the registry."""

"""Perturbation ops, one package per family (char, lex, logic); the registry imports every public module of each."""

"""Tessera's recipes. Only the session recipe exists: ``from tessera.recipe import session``."""

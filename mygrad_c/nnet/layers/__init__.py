"""Layers (stub)."""

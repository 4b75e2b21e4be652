"""Random tensors (stub: to be written)."""

"""NumPy names re-exported by mygrad_c (stub: to be written)."""
__all__: list = []

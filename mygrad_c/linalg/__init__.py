"""Linear algebra (stub: to be written)."""
__all__: list = []

def einsum(*a, **k):
    raise NotImplementedError

def multi_matmul(*a, **k):
    raise NotImplementedError

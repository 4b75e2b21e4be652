"""Layer utilities (stub)."""

def sliding_window_view(arr, window_shape, step, dilation=None):
    raise NotImplementedError

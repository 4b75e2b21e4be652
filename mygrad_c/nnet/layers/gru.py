"""GRU layer (stub: to be written)."""

def gru(X, Uz, Wz, bz, Ur, Wr, br, Uh, Wh, bh, s0=None, bp_lim=None, dropout=0.0, constant=None):
    raise NotImplementedError

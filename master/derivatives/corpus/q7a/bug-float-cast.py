# float(...) around the result only works for a single x, not for arrays
def fd_forward(f, x, h):
    return float(f(x + h) - f(x)) / h


def fd_backward(f, x, h):
    return float(f(x) - f(x - h)) / h


def fd_centered(f, x, h):
    return float(f(x + h) - f(x - h)) / (2 * h)

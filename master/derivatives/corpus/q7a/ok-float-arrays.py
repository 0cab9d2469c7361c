# x converted to a float array first, points named explicitly
def fd_forward(f, x, h):
    x = np.asarray(x, dtype=float)
    right, here = f(x + h), f(x)
    return (right - here) / h


def fd_backward(f, x, h):
    x = np.asarray(x, dtype=float)
    here, left = f(x), f(x - h)
    return (here - left) / h


def fd_centered(f, x, h):
    x = np.asarray(x, dtype=float)
    return 0.5 * (f(x + h) - f(x - h)) / h

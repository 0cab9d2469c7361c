# A fixed step overwrites the h argument
def fd_forward(f, x, h):
    h = 1e-5
    return (f(x + h) - f(x)) / h


def fd_backward(f, x, h):
    h = 1e-5
    return (f(x) - f(x - h)) / h


def fd_centered(f, x, h):
    h = 1e-5
    return (f(x + h) - f(x - h)) / (2 * h)

# Backward difference with the terms in the wrong order
def fd_forward(f, x, h):
    return (f(x + h) - f(x)) / h


def fd_backward(f, x, h):
    return (f(x - h) - f(x)) / h


def fd_centered(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)

# Backward = forward with step -h; centered = average of forward and backward
def fd_forward(f, x, h):
    return (f(x + h) - f(x)) / h


def fd_backward(f, x, h):
    return fd_forward(f, x, -h)


def fd_centered(f, x, h):
    return (fd_forward(f, x, h) + fd_backward(f, x, h)) / 2

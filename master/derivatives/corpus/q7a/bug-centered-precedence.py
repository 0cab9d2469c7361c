# Missing parentheses: only f(x - h) is divided by 2h
def fd_forward(f, x, h):
    return (f(x + h) - f(x)) / h


def fd_backward(f, x, h):
    return (f(x) - f(x - h)) / h


def fd_centered(f, x, h):
    return f(x + h) - f(x - h) / (2 * h)

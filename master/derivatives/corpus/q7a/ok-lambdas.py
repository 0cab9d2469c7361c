# One-line lambdas
fd_forward = lambda f, x, h: (f(x + h) - f(x)) / h
fd_backward = lambda f, x, h: (f(x) - f(x - h)) / h
fd_centered = lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h)

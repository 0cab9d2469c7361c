# ln(x + e^-x) = -x + ln(1 + x e^x), differentiated with the chain rule


def f7_prime(x):
    g = np.log1p(x * np.exp(x)) - x  # = ln(x + e^-x)
    dg = (1 + x) * np.exp(x) / (1 + x * np.exp(x)) - 1  # = g'(x)
    return g + x * dg

# Divide first: h(x) = x + 1 + 2 / (x - 1), so h'(x) = 1 - 2 / (x - 1)^2
def h_prime(x):
    return 1 - 2 / (x - 1) ** 2

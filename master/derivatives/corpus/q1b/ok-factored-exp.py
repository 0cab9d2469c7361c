# e^x factored out: g'(x) = e^x (sqrt(x) + 1 / (2 sqrt(x)))
def g_prime(x):
    return np.exp(x) * (np.sqrt(x) + 0.5 / np.sqrt(x))

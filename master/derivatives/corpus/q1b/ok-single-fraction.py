# Everything over one denominator: e^x (2x + 1) / (2 sqrt(x))
def g_prime(x):
    return np.exp(x) * (2 * x + 1) / (2 * np.sqrt(x))

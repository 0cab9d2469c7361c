# Product of the two derivatives instead of the product rule
def g_prime(x):
    return (1 / (2 * np.sqrt(x))) * np.exp(x)

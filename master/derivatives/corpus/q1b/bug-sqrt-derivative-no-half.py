# d/dx sqrt(x) taken as 1 / sqrt(x) (the 1/2 is lost)
def g_prime(x):
    return np.exp(x) / np.sqrt(x) + np.sqrt(x) * np.exp(x)

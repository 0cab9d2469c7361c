# sqrt(x) typed as x**1/2, which Python reads as (x**1)/2 (right at x = 1 only)
def g_prime(x):
    return np.exp(x) / (2 * x**1/2) + x**1/2 * np.exp(x)

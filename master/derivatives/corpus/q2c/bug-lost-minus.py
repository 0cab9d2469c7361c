# Inner derivative taken as +x
def r_prime(x):
    return x * np.exp(-(x**2) / 2)

# The inner derivative is put inside the cosine instead of multiplied
def p_prime(x):
    return np.cos(3 * x**2)

# Sign error: tanh^2(x) - 1
def tanh_prime(x):
    return np.tanh(x) ** 2 - 1

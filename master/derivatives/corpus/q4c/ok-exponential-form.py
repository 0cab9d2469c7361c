# tanh = sinh / cosh and the quotient rule give 4 / (e^x + e^-x)^2
def tanh_prime(x):
    return 4 / (np.exp(x) + np.exp(-x)) ** 2

# SciPy's expit is already stable; sigma'(x) = sigma(x) sigma(-x)
def sigmoid(x):
    return expit(x)


def sigmoid_prime(x):
    return expit(x) * expit(-x)

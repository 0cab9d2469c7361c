# SciPy's expit is already stable; sigma'(x) = sigma(x) sigma(-x)
def sigmoid(x):
    return expit(x)


def sigmoid_prime(x):
    return expit(x) * expit(-x)


header("Exercise 4: Activation Function Derivatives")
for x_pt in [-3.0, 0.0, 3.0]:
    check_close(f"sigma'({x_pt:+.0f})", sigmoid_prime(x_pt), centered_diff(sigmoid, x_pt), tol=1e-5)

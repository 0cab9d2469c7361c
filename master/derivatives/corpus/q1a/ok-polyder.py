# NumPy's polynomial tools do the power rule
f_coefficients = np.array([3, 0, -2, 7, -1])  # highest power first


def f_prime(x):
    return np.polyval(np.polyder(f_coefficients), x)

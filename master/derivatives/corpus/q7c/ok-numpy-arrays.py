# NumPy arrays throughout, powers of ten built from the exponents
h_values = np.array([10.0**-k for k in (1, 3, 6, 10, 15)])
true_derivative = f7_prime(1.5)
forward_errors = np.abs(np.array([forward_diff(f7, 1.5, h) for h in h_values]) - true_derivative)
centered_errors = np.abs(np.array([centered_diff(f7, 1.5, h) for h in h_values]) - true_derivative)
best_h_centered = h_values[np.argmin(centered_errors)]

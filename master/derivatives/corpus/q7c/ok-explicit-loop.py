# One loop filling both error lists, best step tracked by hand
h_values = [1e-1, 1e-3, 1e-6, 1e-10, 1e-15]
true_derivative = f7_prime(1.5)
forward_errors, centered_errors = [], []
best_h_centered, best_err = None, np.inf
for h in h_values:
    forward_errors.append(abs(forward_diff(f7, 1.5, h) - true_derivative))
    err = abs(centered_diff(f7, 1.5, h) - true_derivative)
    centered_errors.append(err)
    if err < best_err:
        best_h_centered, best_err = h, err

# Best step picked with min(..., key=...); true derivative from the formula
h_values = [0.1, 0.001, 0.000001, 1e-10, 1e-15]
true_derivative = np.log(1.5 + np.exp(-1.5)) + 1.5 * (1 - np.exp(-1.5)) / (1.5 + np.exp(-1.5))


def centered_error(h):
    return abs(centered_diff(f7, 1.5, h) - true_derivative)


forward_errors = [abs(forward_diff(f7, 1.5, h) - true_derivative) for h in h_values]
centered_errors = [centered_error(h) for h in h_values]
best_h_centered = min(h_values, key=centered_error)

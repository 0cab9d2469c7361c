# Assumes the smallest step is always the most accurate
h_values = [1e-1, 1e-3, 1e-6, 1e-10, 1e-15]
true_derivative = f7_prime(1.5)
forward_errors = [abs(forward_diff(f7, 1.5, h) - true_derivative) for h in h_values]
centered_errors = [abs(centered_diff(f7, 1.5, h) - true_derivative) for h in h_values]
best_h_centered = min(h_values)

# Derivatives estimated with np.gradient instead of evaluating f' and f''
x = np.linspace(-0.5, 2.5, 300)
f_values = f5(x)
f_prime_values = np.gradient(f_values, x)
plot_data = {
    "x": x,
    "f": f_values,
    "f_prime": f_prime_values,
    "f_double_prime": np.gradient(f_prime_values, x),
}

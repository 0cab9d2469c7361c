# Copy-paste slip: f_double_prime holds f' again
x = np.linspace(-0.5, 2.5, 300)
plot_data = {"x": x, "f": f5(x), "f_prime": f5_prime(x), "f_double_prime": f5_prime(x)}

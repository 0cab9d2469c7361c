# Uses part (d)'s interval [-1, 3] instead of [-0.5, 2.5]
x = np.linspace(-1, 3, 300)
plot_data = {"x": x, "f": f5(x), "f_prime": f5_prime(x), "f_double_prime": f5_double_prime(x)}

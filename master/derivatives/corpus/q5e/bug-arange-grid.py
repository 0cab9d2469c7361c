# np.arange with step 0.01 also gives 300 points, but stops at 2.49, not 2.5
x = np.arange(-0.5, 2.5, 0.01)
plot_data = {"x": x, "f": f5(x), "f_prime": f5_prime(x), "f_double_prime": f5_double_prime(x)}

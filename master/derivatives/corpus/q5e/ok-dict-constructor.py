# dict(...) with keyword arguments, evaluating the functions defined above
xs = np.linspace(-0.5, 2.5, 300)
plot_data = dict(x=xs, f=f5(xs), f_prime=f5_prime(xs), f_double_prime=f5_double_prime(xs))

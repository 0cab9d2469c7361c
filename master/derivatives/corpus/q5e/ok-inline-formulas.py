# The three functions written out directly on the grid
x = np.linspace(-0.5, 2.5, 300)
plot_data = {
    "x": x,
    "f": (x - 1) ** 4,
    "f_prime": 4 * (x - 1) ** 3,
    "f_double_prime": 12 * (x - 1) ** 2,
}

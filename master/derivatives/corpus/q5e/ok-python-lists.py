# Plain Python lists built with comprehensions
grid = list(np.linspace(-0.5, 2.5, 300))
plot_data = {
    "x": grid,
    "f": [f5(t) for t in grid],
    "f_prime": [f5_prime(t) for t in grid],
    "f_double_prime": [f5_double_prime(t) for t in grid],
}

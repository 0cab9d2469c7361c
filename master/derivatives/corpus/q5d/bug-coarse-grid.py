# Minimum searched on a 100-point grid, which misses x = 1 exactly
grid = np.linspace(-1, 3, 100)
values = f5(grid)
global_min_value = values.min()
global_min_x = [grid[np.argmin(values)]]
global_max_value = values.max()
global_max_x = [-1.0, 3.0]

# NumPy arrays and boolean masks, converted back to lists
candidates = np.array([-1.0, 1.0, 3.0])
values = f5(candidates)
global_min_value = values.min()
global_max_value = values.max()
global_min_x = candidates[np.isclose(values, global_min_value)].tolist()
global_max_x = candidates[np.isclose(values, global_max_value)].tolist()

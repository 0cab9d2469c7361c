# np.argmin / np.argmax return only the first index, so x = 3 is missed
candidates = np.array([-1.0, 1.0, 3.0])
values = f5(candidates)
global_min_value = values.min()
global_min_x = [candidates[np.argmin(values)]]
global_max_value = values.max()
global_max_x = [candidates[np.argmax(values)]]

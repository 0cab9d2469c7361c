# Closed interval method: evaluate f at the candidates, keep every point attaining the extreme
candidates = [-1.0, 1.0, 3.0]  # endpoints and the critical point
values = [f5(c) for c in candidates]
global_min_value = min(values)
global_max_value = max(values)
global_min_x = [c for c, v in zip(candidates, values) if v == global_min_value]
global_max_x = [c for c, v in zip(candidates, values) if v == global_max_value]

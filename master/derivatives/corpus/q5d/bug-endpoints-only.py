# Only the endpoints are compared; the critical point x = 1 is forgotten
global_min_value = min(f5(-1.0), f5(3.0))
global_min_x = [-1.0, 3.0]
global_max_value = max(f5(-1.0), f5(3.0))
global_max_x = [-1.0, 3.0]

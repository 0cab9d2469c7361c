# Values worked out by hand: f(1) = 0, f(-1) = f(3) = 16
global_min_value = 0
global_min_x = [1]
global_max_value = 16
global_max_x = [-1, 3]

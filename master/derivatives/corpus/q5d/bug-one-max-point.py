# Lists only one of the two points where the maximum 16 is attained
global_min_value = f5(1.0)
global_min_x = [1.0]
global_max_value = f5(3.0)
global_max_x = [3.0]

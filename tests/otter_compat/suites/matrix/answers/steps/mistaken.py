leg_north = 4.0
leg_east = 3.0
leg_south = 2.5
leg_total = leg_north + leg_east + leg_south  # a fourth name starting with leg_

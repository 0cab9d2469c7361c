leg_north = 4.0
leg_east = 3.0
leg_south = 2.5

# Worked out by hand: (6 - (-6)) / 4 = 3 and 3c^2 - 1 = 3 gives c = +-2/sqrt(3)


mvt_secant_slope = 3.0
mvt_points = [-2 / np.sqrt(3), 2 / np.sqrt(3)]

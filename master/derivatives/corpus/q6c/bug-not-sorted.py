# Lists the positive root first (the prompt asks for a sorted list)


mvt_secant_slope = (f6(2.0) - f6(-2.0)) / (2.0 - (-2.0))
c = np.sqrt((mvt_secant_slope + 1) / 3)
mvt_points = [c, -c]

# Divides by 2 instead of the interval length 4


mvt_secant_slope = (f6(2.0) - f6(-2.0)) / 2
c = np.sqrt((mvt_secant_slope + 1) / 3)
mvt_points = [-c, c]

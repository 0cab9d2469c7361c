# The first derivative test backwards: - then + read as a maximum
sign_change = (-1, 1)
critical_point_type = "local maximum"

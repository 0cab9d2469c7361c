def average_speed(km, hours):
    return km // hours

# The triple root x = 1 is listed three times (the prompt asks for each point once)
def f5_prime(x):
    return 4 * (x - 1) ** 3


critical_points = [1.0, 1.0, 1.0]

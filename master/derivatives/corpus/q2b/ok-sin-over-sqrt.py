# On (0, pi/2) cos x > 0, so cos x = sqrt(1 - sin^2 x)
def q_prime(x):
    s = np.sin(x)
    return -s / np.sqrt(1 - s**2)

# The fraction upside down: -cos x / sin x
def q_prime(x):
    return -np.cos(x) / np.sin(x)
